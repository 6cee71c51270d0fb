import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedActivity {
  conversationId: string;
  /** The activity the reply answers, when the path names one. */
  replyTo: string | null;
  authorization: string | undefined;
  activity: {
    type: string;
    text?: string;
    locale?: string;
    suggestedActions?: { actions: { type: string; title: string; text?: string; value?: unknown }[] };
    attachments?: { contentType: string; content: { buttons: { type: string; title: string; value?: unknown }[] } }[];
  };
}

/**
 * A fake Bot Framework connector: the `serviceUrl` of the activities a test
 * posts, recording every activity the bot sends to
 * /v3/conversations/:id/activities[/:replyToId] and answering `{id}`.
 */
export class FakeConnector {
  readonly sent: RecordedActivity[] = [];
  private server: Server | null = null;
  url = '';
  private waiters: (() => void)[] = [];

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res.writeHead.bind(res), (b) => res.end(b)));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Forgets what was recorded so far; returns it. */
  take(): RecordedActivity[] {
    return this.sent.splice(0);
  }

  private async handle(
    req: IncomingMessage,
    writeHead: (status: number, headers: Record<string, string>) => unknown,
    end: (body: string) => void,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      writeHead(404, { 'content-type': 'application/json' });
      end(JSON.stringify({ error: { code: 'NotFound', message: `${req.method} ${req.url}` } }));
      return;
    }
    this.sent.push({
      conversationId: decodeURIComponent(m[1]!),
      replyTo: m[2] === undefined ? null : decodeURIComponent(m[2]),
      authorization: req.headers.authorization,
      activity: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedActivity['activity'],
    });
    writeHead(200, { 'content-type': 'application/json' });
    end(JSON.stringify({ id: `x${this.sent.length}` }));
    for (const w of this.waiters.splice(0)) w();
  }
}
