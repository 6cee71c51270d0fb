import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookCall {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * An alert receiver on 127.0.0.1: records every request and answers with
 * the next status of `answers` (the last one repeats); `null` never answers.
 */
export class FakeWebhook {
  readonly calls: WebhookCall[] = [];
  url = '';
  private server: Server | null = null;
  private readonly hanging: ServerResponse[] = [];

  constructor(private answers: (number | null)[] = [204]) {}

  answer(...statuses: (number | null)[]): void {
    this.answers = statuses;
  }

  async start(path = '/hooks/vv-alerts/s3cr3t-token'): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const res of this.hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.calls.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    const status = this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!;
    if (status === null) {
      this.hanging.push(res);
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status < 300 ? '' : JSON.stringify({ error: 'receiver failed' }));
  }
}
