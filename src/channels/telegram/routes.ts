import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { handleWebhookUpdate, type UpdateDeps } from './updates';

export const WEBHOOK_PATH = '/telegram/webhook';
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface TelegramRouteDeps extends UpdateDeps {
  /** The secret given to setWebhook; Telegram sends it back in every request. */
  secret: string;
}

/** Compares in time that depends on neither value (both are hashed to the same length first). */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

/**
 * `POST /telegram/webhook`: requests without the right secret header get 401
 * and are not looked at: the header is checked before the body is even read.
 * Every other request is answered 200 once handled, including updates the
 * bot ignores and malformed ones (logged), because Telegram sends again
 * whatever is not answered 200. A button press is answered in that reply.
 */
export function telegramRoutes(deps: TelegramRouteDeps): FastifyPluginAsync {
  return async (app) => {
    const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
      if (sameSecret(request.headers[SECRET_HEADER], deps.secret)) return;
      request.log.warn({ event: 'telegram-webhook-refused' });
      await reply.status(401).send({ error: { code: 'unauthorized', message: 'wrong or missing secret token' } });
    };
    app.post(WEBHOOK_PATH, { onRequest }, async (request, reply) => {
      const call = await handleWebhookUpdate(request.body, deps);
      return reply.status(200).send(call ?? { ok: true });
    });
  };
}
