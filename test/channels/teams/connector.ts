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
  /** While set, activities are recorded on arrival and answered only once it resolves (a slow connector). */
  private held: Promise<void> | null = null;

  async start(): Promise<void> {
    this.url = `${await this.listen()}/`;
  }

  /** Holds the answers from now on until the returned function is called. */
  hold(): () => void {
    let release = () => {};
    this.held = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.held = null;
      release();
    };
  }

  /** Forgets what was recorded so far; returns it. */
  take(): RecordedActivity[] {
    return this.sent.splice(0);
  }

  protected override async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
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
    const id = `x${this.sent.length}`;
    await this.held;
    sendJson(res, 200, { id });
  }
}
