import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';

interface Asset {
  body: string;
  type: string;
  etag: string;
}

const ASSETS: readonly { url: string; file: string; type: string }[] = [
  { url: '/console', file: 'index.html', type: 'text/html; charset=utf-8' },
  // With a trailing slash too (the alerts link there); the page's own references are absolute.
  { url: '/console/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/console/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { url: '/console/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
];

/**
 * Stricter than the whole server's policy: the console shows transcripts
 * written by anyone, so even if text ever slipped into the page as markup it
 * could load nothing, run nothing inline and send nothing elsewhere.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Reads the page's files once at start-up, so a missing file stops the server rather than a caseworker's page. */
export function loadConsolePage(dir: string = join(__dirname, 'page')): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const { url, file, type } of ASSETS) {
    const body = readFileSync(join(dir, file), 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    assets.set(url, { body, type, etag });
  }
  return assets;
}

/**
 * The caseworker console's page at /console (its API is registered apart,
 * under /console/api). Browsers revalidate every visit, so a fixed page
 * reaches every caseworker at once; nothing here is personal, the page
 * fetches its data after login.
 */
export function consolePageRoutes(assets: Map<string, Asset> = loadConsolePage()): FastifyPluginAsync {
  return async (app) => {
    // Runs after the server-wide onSend hook (this plugin is encapsulated), so this policy wins on these routes.
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('cross-origin-opener-policy', 'same-origin');
      return payload;
    });
    for (const [url, asset] of assets) {
      app.get(url, async (request, reply) => {
        reply.header('cache-control', 'no-cache').header('etag', asset.etag);
        if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
        return reply.type(asset.type).send(asset.body);
      });
    }
  };
}
