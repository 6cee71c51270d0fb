import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** One file of a page (plain HTML, CSS and JS, no build step) and the address it is served at. */
export interface PageFile {
  url: string;
  file: string;
}

export interface StaticFile {
  body: string;
  type: string;
  etag: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Reads a page's files once, at start-up: a missing file, or one of a kind
 * this server would send with the wrong type, stops the server rather than
 * failing in a visitor's browser.
 */
export function loadStaticFiles(dir: string, files: readonly PageFile[]): Map<string, StaticFile> {
  const loaded = new Map<string, StaticFile>();
  for (const { url, file } of files) {
    const type = CONTENT_TYPES[extname(file)];
    if (type === undefined) throw new Error(`no content type for ${file}`);
    const body = readFileSync(join(dir, file), 'utf8');
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    loaded.set(url, { body, type, etag });
  }
  return loaded;
}

/**
 * Browsers revalidate on every visit and get a 304 when nothing changed: many
 * people pay for every megabyte, and a new version of a page must still reach
 * everyone at once. Nothing served here is personal.
 */
export function serveStaticFiles(app: FastifyInstance, files: ReadonlyMap<string, StaticFile>): void {
  for (const [url, file] of files) {
    app.get(url, async (request, reply) => {
      reply.header('cache-control', 'no-cache').header('etag', file.etag);
      if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
      return reply.type(file.type).send(file.body);
    });
  }
}
