import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

interface Asset {
  body: string;
  type: string;
  etag: string;
}

const ASSETS: readonly { url: string; file: string; type: string }[] = [
  { url: '/', file: 'index.html', type: 'text/html; charset=utf-8' },
  { url: '/webchat/app.js', file: 'app.js', type: 'text/javascript; charset=utf-8' },
  { url: '/webchat/style.css', file: 'style.css', type: 'text/css; charset=utf-8' },
  { url: '/webchat/icon.svg', file: 'icon.svg', type: 'image/svg+xml' },
];

/**
 * Reads the page's files (plain HTML, CSS and JS, no build step). Called once
 * at start-up, so a missing file stops the server instead of a visitor's page.
 */
export function loadPage(dir: string = join(__dirname, 'page')): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const { url, file, type } of ASSETS) {
    const body = readFileSync(join(dir, file), 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    assets.set(url, { body, type, etag });
  }
  return assets;
}

/**
 * Serves the page. Browsers revalidate on every visit and get a 304 when
 * nothing changed: many people pay for every megabyte, and a new version of
 * the page must still reach them at once.
 */
export function servePage(app: FastifyInstance, assets: Map<string, Asset>): void {
  for (const [url, asset] of assets) {
    app.get(url, async (request, reply) => {
      reply.header('cache-control', 'no-cache').header('etag', asset.etag);
      if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
      return reply.type(asset.type).send(asset.body);
    });
  }
}
