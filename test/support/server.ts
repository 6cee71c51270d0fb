import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pino from 'pino';
import { createApp, type App, type AppOptions } from '../../src/app';
import { loadConfig } from '../../src/config/env';

export interface TempDatabase {
  /** A SQLite file path in a fresh temporary folder; the file is created on first use. */
  path: string;
  remove(): void;
}

export function tempDatabase(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'vv-http-'));
  return { path: join(dir, 'bot.sqlite'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StartOptions {
  /** Settings besides the port, database and log level (strings, as in the environment). */
  env?: Record<string, string>;
  /** Capture logs instead of silencing them. */
  log?: { level: string; destination: pino.DestinationStream };
  /** Options the composition root takes besides settings, e.g. a fake whatsapp-web.js client. */
  app?: Omit<AppOptions, 'logDestination'>;
}

export interface RunningApp {
  app: App;
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** The real app on a free port and the given SQLite file, as `npm start` would run it. */
export async function startApp(databasePath: string, options: StartOptions = {}): Promise<RunningApp> {
  const config = loadConfig({
    // A fresh key per app, as production would have one; a test may pass its own.
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    // Tests drive a conversation far faster than a person types; those about the limit set it themselves.
    USER_RATE_LIMIT: '0',
    // Likewise a chat's replies: Telegram's 1 a second per chat would hold them back; the pacing has its own tests.
    TELEGRAM_CHAT_MAX_PER_SECOND: '0',
    ...options.env,
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databasePath,
    LOG_LEVEL: options.log?.level ?? 'silent',
  });
  const app = createApp(config, { ...options.app, ...(options.log ? { logDestination: options.log.destination } : {}) });
  const url = await app.listen();
  return { app, url, close: () => app.close() };
}

/**
 * The real app (as startApp) on a fresh temporary SQLite file for the tests
 * of one file or describe block: started before them, closed and removed
 * after. Its fields are there from the first test (or beforeAll) on.
 */
export function useRunningApp(options: StartOptions = {}): Readonly<Pick<RunningApp, 'app' | 'url'>> {
  let db: TempDatabase | null = null;
  let running: RunningApp | null = null;
  const started = (): RunningApp => {
    if (!running) throw new Error('the app starts in beforeAll: use it inside a test or hook');
    return running;
  };
  beforeAll(async () => {
    db = tempDatabase();
    running = await startApp(db.path, options);
  });
  afterAll(async () => {
    await running?.close();
    db?.remove();
  });
  return {
    get app() {
      return started().app;
    },
    get url() {
      return started().url;
    },
  };
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** POSTs a JSON body (or raw bytes/text with their own content type) and reads a JSON answer. */
export async function postJson<T = unknown>(
  url: string,
  body: unknown,
  init: { contentType?: string; raw?: string | Uint8Array<ArrayBuffer> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = {};
  const contentType = init.contentType ?? 'application/json';
  if (contentType !== '') headers['content-type'] = contentType;
  const res = await fetch(url, { method: 'POST', headers, body: init.raw ?? JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}

export async function getJson<T = unknown>(url: string): Promise<JsonResponse<T>> {
  const res = await fetch(url);
  return { status: res.status, headers: res.headers, body: (await res.json()) as T };
}
