import { join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { loadStaticFiles, serveStaticFiles, type PageFile, type StaticFile } from '../../http/static-page';

/** The page's scripts, in the order index.html loads them. */
export const CONSOLE_SCRIPTS = [
  'core.js',
  'api.js',
  'session.js',
  'queue.js',
  'case.js',
  'live.js',
  'admin-users.js',
  'admin-orgs.js',
  'admin-audit.js',
  'admin-alerts.js',
  'main.js',
] as const;

const FILES: readonly PageFile[] = [
  { url: '/console', file: 'index.html' },
  // With a trailing slash too (the alerts link there); the page's own references are absolute.
  { url: '/console/', file: 'index.html' },
  ...CONSOLE_SCRIPTS.map((file) => ({ url: `/console/${file}`, file })),
  { url: '/console/style.css', file: 'style.css' },
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
export function loadConsolePage(dir: string = join(__dirname, 'page')): Map<string, StaticFile> {
  return loadStaticFiles(dir, FILES);
}

/**
 * The caseworker console's page at /console (its API is registered apart,
 * under /console/api), revalidated on every visit so that a fixed page
 * reaches every caseworker at once; nothing here is personal, the page
 * fetches its data after login.
 */
export function consolePageRoutes(files: ReadonlyMap<string, StaticFile> = loadConsolePage()): FastifyPluginAsync {
  return async (app) => {
    // Runs after the server-wide onSend hook (this plugin is encapsulated), so this policy wins on these routes.
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('content-security-policy', CONSOLE_CSP);
      reply.header('cross-origin-opener-policy', 'same-origin');
      return payload;
    });
    serveStaticFiles(app, files);
  };
}
