import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer } from '../support/fake-server';

export interface WebhookCall {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * An alert receiver on 127.0.0.1: records every request and answers with
 * the next status of `answers` (the last one repeats); `null` never answers.
 */
export class FakeWebhook extends FakeHttpServer {
  readonly calls: WebhookCall[] = [];
  url = '';
  private readonly hanging: ServerResponse[] = [];

  constructor(private answers: (number | null)[] = [204]) {
    super();
  }

  answer(...statuses: (number | null)[]): void {
    this.answers = statuses;
  }

  async start(path = '/hooks/vv-alerts/s3cr3t-token'): Promise<void> {
    this.url = `${await this.listen()}${path}`;
  }

  override async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await super.stop();
  }

  protected override handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    this.calls.push({ path: req.url ?? '', headers: req.headers, body });
    const status = this.answers.length > 1 ? this.answers.shift()! : this.answers[0]!;
    if (status === null) {
      this.hanging.push(res);
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status < 300 ? '' : JSON.stringify({ error: 'receiver failed' }));
  }
}
