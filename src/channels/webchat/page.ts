import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadStaticFiles, serveStaticFiles, type PageFile, type StaticFile } from '../../http/static-page';

const FILES: readonly PageFile[] = [
  { url: '/', file: 'index.html' },
  { url: '/webchat/app.js', file: 'app.js' },
  { url: '/webchat/style.css', file: 'style.css' },
  { url: '/webchat/icon.svg', file: 'icon.svg' },
];

/** Reads the web chat page's files; called once at start-up. */
export function loadPage(dir: string = join(__dirname, 'page')): Map<string, StaticFile> {
  return loadStaticFiles(dir, FILES);
}

/** Serves the page, revalidated on every visit (see serveStaticFiles). */
export function servePage(app: FastifyInstance, files: ReadonlyMap<string, StaticFile>): void {
  serveStaticFiles(app, files);
}
