import type { Timing } from '../../../src/channels/whatsapp-web/timing';
import { startApp, tempDatabase, type RunningApp } from '../../support/server';
import { FakeWhatsAppClient, until, type StartScript } from './fake-client';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

/** Waits short enough for tests, in the same proportions as the defaults. */
export const FAST: Timing = {
  reconnectBaseMs: 20,
  reconnectMaxMs: 80,
  startTimeoutMs: 10_000,
  readyWaitMs: 3_000,
  sendAttempts: 3,
  sendRetryBaseMs: 5,
  sendRetryMaxMs: 20,
};

export interface Harness {
  server: RunningApp;
  client: FakeWhatsAppClient;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  /** Every log line written so far, as written. */
  rawLogs: string[];
  close(): Promise<void>;
}

/**
 * The real app (SQLite in a temporary folder) with WhatsApp Web on, driving
 * the fake client instead of Chromium, and its log captured.
 */
export async function startWithFakeClient(
  opts: {
    script?: StartScript;
    timing?: Partial<Timing>;
    env?: Record<string, string>;
    /** Set the fake up before the app starts it (e.g. starts that fail). */
    configure?: (client: FakeWhatsAppClient) => void;
  } = {},
): Promise<Harness> {
  const db = tempDatabase();
  const client = new FakeWhatsAppClient();
  client.script = opts.script ?? 'ready';
  opts.configure?.(client);
  const rawLogs: string[] = [];
  const server = await startApp(db.path, {
    env: { WHATSAPP_WEB_ENABLED: 'true', WHATSAPP_WEB_ADMIN_TOKEN: ADMIN_TOKEN, ...opts.env },
    log: { level: 'info', destination: { write: (line: string) => void rawLogs.push(line) } },
    app: { whatsappWeb: { createClient: () => client, qrOutput: null, timing: { ...FAST, ...opts.timing } } },
  });
  if (client.script === 'ready' && client.failStarts === 0) await until(() => client.history.some((e) => e.kind === 'emit' && e.event === 'ready'));
  return {
    server,
    client,
    rawLogs,
    get logs() {
      return rawLogs.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    close: async () => {
      await server.close();
      db.remove();
    },
  };
}
