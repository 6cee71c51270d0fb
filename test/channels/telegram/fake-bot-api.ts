import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, sendJson } from '../../support/fake-server';

export interface RecordedCall {
  method: string;
  /** The parameters as grammy sent them (JSON). */
  body: Record<string, unknown>;
  /** When the call arrived (ms since epoch). */
  at: number;
  /** Arrival position across every fake in this process: orders calls to two fakes that arrive in the same ms. */
  order: number;
}

let arrivals = 0;

/** An answer as Telegram gives it: `{ ok: true, result }` or an error with its parameters. */
export type ApiAnswer =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

/** The settings that point an app's Telegram channel, in webhook mode, at a fake Bot API (no commands set at start). */
export function telegramWebhookEnv(api: FakeBotApi, token: string, secret: string, username = 'vv_test_bot'): Record<string, string> {
  return {
    TELEGRAM_BOT_TOKEN: token,
    TELEGRAM_WEBHOOK_SECRET: secret,
    TELEGRAM_BOT_USERNAME: username,
    TELEGRAM_API_ROOT: api.url,
    TELEGRAM_SET_COMMANDS: 'false',
  };
}

/** POSTs an update to the app's webhook as Telegram does (with the secret header); returns the HTTP status. */
export async function postTelegramUpdate(baseUrl: string, secret: string, update: object): Promise<number> {
  const res = await fetch(`${baseUrl}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: JSON.stringify(update),
  });
  await res.arrayBuffer();
  return res.status;
}

/**
 * A fake Telegram Bot API on 127.0.0.1: records every call (method and JSON
 * parameters) and answers like Telegram. Answers for the next calls of a
 * method can be queued, e.g. a 429 with retry_after.
 */
export class FakeBotApi extends FakeHttpServer {
  readonly calls: RecordedCall[] = [];
  private readonly queued = new Map<string, ApiAnswer[]>();
  /** Methods whose calls wait (a slow Telegram) until released. */
  private readonly held = new Map<string, Promise<void>>();
  private nextMessageId = 1000;
  /** How long each call but getUpdates takes to answer: Telegram's round trip, as seen from a server elsewhere. */
  latencyMs = 0;
  /** Updates for getUpdates (long polling) to hand out. */
  private readonly pending: { update_id: number }[] = [];
  url = '';

  constructor(readonly token: string) {
    super();
  }

  async start(): Promise<string> {
    this.url = await this.listen();
    return this.url;
  }

  /** The next call of `method` gets this answer instead of success. */
  queue(method: string, answer: ApiAnswer): void {
    this.queued.set(method, [...(this.queued.get(method) ?? []), answer]);
  }

  /**
   * Calls of `method` from now on are recorded on arrival, then answered
   * only once the returned function is called (a slow or stuck Telegram).
   */
  hold(method: string): () => void {
    let release = () => {};
    this.held.set(
      method,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return () => {
      this.held.delete(method);
      release();
    };
  }

  /** Queues an update for the next getUpdates call. */
  pushUpdate(update: { update_id: number }): void {
    this.pending.push(update);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  protected override async handle(req: IncomingMessage, raw: string, res: ServerResponse): Promise<void> {
    const { status, body } = await this.answer(req, raw);
    sendJson(res, status, body);
  }

  private async answer(req: IncomingMessage, raw: string): Promise<{ status: number; body: ApiAnswer }> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (!match || match[1] !== this.token) {
      return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    }
    const method = match[2]!;
    const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    this.calls.push({ method, body, at: Date.now(), order: arrivals++ });

    if (method === 'getUpdates') {
      const offset = typeof body.offset === 'number' ? body.offset : 0;
      const updates = this.pending.filter((u) => u.update_id >= offset);
      this.pending.length = 0;
      // A short wait instead of a long poll's, so that an idle poller does not spin.
      if (updates.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      return { status: 200, body: { ok: true, result: updates } };
    }
    await this.held.get(method);
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const queued = this.queued.get(method)?.shift();
    if (queued) return { status: queued.ok ? 200 : queued.error_code, body: queued };
    return { status: 200, body: { ok: true, result: this.result(method, body) } };
  }

  private result(method: string, body: Record<string, unknown>): unknown {
    switch (method) {
      case 'sendMessage':
        return {
          message_id: this.nextMessageId++,
          from: { id: Number(this.token.split(':')[0]), is_bot: true, first_name: 'Virtual Volunteer', username: 'vv_test_bot' },
          chat: { id: Number(body.chat_id), type: 'private', first_name: 'Sita' },
          date: Math.floor(Date.now() / 1000),
          text: body.text,
          ...(body.reply_markup ? { reply_markup: body.reply_markup } : {}),
        };
      default:
        return true;
    }
  }
}
