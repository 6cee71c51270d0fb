import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, sendJson } from '../../support/fake-server';

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
export class FakeConnector extends FakeHttpServer {
  readonly sent: RecordedActivity[] = [];
  url = '';

  async start(): Promise<void> {
    this.url = `${await this.listen()}/`;
  }

  /** Forgets what was recorded so far; returns it. */
  take(): RecordedActivity[] {
    return this.sent.splice(0);
  }

  protected override handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      sendJson(res, 404, { error: { code: 'NotFound', message: `${req.method} ${req.url}` } });
      return;
    }
    this.sent.push({
      conversationId: decodeURIComponent(m[1]!),
      replyTo: m[2] === undefined ? null : decodeURIComponent(m[2]),
      authorization: req.headers.authorization,
      activity: JSON.parse(body) as RecordedActivity['activity'],
    });
    sendJson(res, 200, { id: `x${this.sent.length}` });
  }
}
