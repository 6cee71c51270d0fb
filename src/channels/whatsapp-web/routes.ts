import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConnectionSnapshot } from './connection';
import { QR_PATH, qrPage } from './qr-page';

export interface QrRouteDeps {
  /** WHATSAPP_WEB_ADMIN_TOKEN. */
  token: string;
  status: () => ConnectionSnapshot;
  now?: () => number;
}

const QuerySchema = z.object({ token: z.string().max(1024).optional() });

/** Compares in time that depends on neither value (both are hashed to the same length first). */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

/** The token from `Authorization: Bearer …` (for tools) or `?token=` (for a browser), or null. */
export function givenToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    return bearer ? bearer[1]! : null;
  }
  const query = QuerySchema.safeParse(request.query);
  return query.success ? (query.data.token ?? null) : null;
}

/**
 * `GET /whatsapp-web/qr`, the page to link the bot's number, for whoever
 * holds the admin token (a caseworker login replaces it later). Without the
 * right token: 401, and nothing about the connection. The page is never
 * cached: it holds a login code.
 */
export function whatsappWebRoutes(deps: QrRouteDeps): FastifyPluginAsync {
  const now = deps.now ?? Date.now;
  return async (app) => {
    app.get(QR_PATH, async (request, reply) => {
      const token = givenToken(request);
      if (token === null || !sameToken(token, deps.token)) {
        request.log.warn({ event: 'whatsapp-web-qr-refused', token: token === null ? 'missing' : 'wrong' });
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer realm="whatsapp-web"')
          .header('cache-control', 'no-store')
          .send({ error: { code: 'unauthorized', message: 'wrong or missing token' } });
      }
      return reply
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(qrPage(deps.status(), now()));
    });
  };
}
