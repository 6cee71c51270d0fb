import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  /** The parameters as grammy sent them (JSON). */
  body: Record<string, unknown>;
  /** When the call arrived (ms since epoch). */
  at: number;
}

/** An answer as Telegram gives it: `{ ok: true, result }` or an error with its parameters. */
export type ApiAnswer =
  | { ok: true; result: unknown }
  | { ok: false; error_code: number; description: string; parameters?: { retry_after?: number } };

/**
 * A fake Telegram Bot API on 127.0.0.1: records every call (method and JSON
 * parameters) and answers like Telegram. Answers for the next calls of a
 * method can be queued, e.g. a 429 with retry_after.
 */
export class FakeBotApi {
  readonly calls: RecordedCall[] = [];
  private readonly queued = new Map<string, ApiAnswer[]>();
  private nextMessageId = 1000;
  /** Updates for getUpdates (long polling) to hand out. */
  private readonly pending: { update_id: number }[] = [];
  private server: Server | null = null;
  url = '';

  constructor(readonly token: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.answer(req).then(({ status, body }) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    this.server = null;
  }

  /** The next call of `method` gets this answer instead of success. */
  queue(method: string, answer: ApiAnswer): void {
    this.queued.set(method, [...(this.queued.get(method) ?? []), answer]);
  }

  /** Queues an update for the next getUpdates call. */
  pushUpdate(update: { update_id: number }): void {
    this.pending.push(update);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async answer(req: IncomingMessage): Promise<{ status: number; body: ApiAnswer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    if (!match || match[1] !== this.token) {
      return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
    }
    const method = match[2]!;
    const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    this.calls.push({ method, body, at: Date.now() });

    if (method === 'getUpdates') {
      const offset = typeof body.offset === 'number' ? body.offset : 0;
      const updates = this.pending.filter((u) => u.update_id >= offset);
      this.pending.length = 0;
      // A short wait instead of a long poll's, so that an idle poller does not spin.
      if (updates.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      return { status: 200, body: { ok: true, result: updates } };
    }
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
