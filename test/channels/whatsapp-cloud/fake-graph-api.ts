import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, sendJson } from '../../support/fake-server';

export const GRAPH_VERSION = 'v23.0';

export interface GraphCall {
  /** e.g. /v23.0/106540352242922/messages */
  path: string;
  method: string;
  authorization: string | undefined;
  /** The JSON body as the adapter sent it. */
  body: Record<string, unknown>;
  /** The wamid answered, for a success. */
  wamid: string | null;
  /** When the call arrived (ms since epoch). */
  at: number;
}

/** A Graph API error answer: its HTTP status and `error` object. */
export interface GraphErrorAnswer {
  status: number;
  error: { message: string; type: string; code: number; error_subcode?: number; error_data?: object; fbtrace_id: string };
}

/** The errors the tests queue, as Graph words them. */
export const GRAPH_ERRORS = {
  reengagement: {
    status: 400,
    error: {
      message: '(#131047) Re-engagement message',
      type: 'OAuthException',
      code: 131047,
      error_data: { messaging_product: 'whatsapp', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
      fbtrace_id: 'AaBbCcDd1',
    },
  },
  serverError: {
    status: 500,
    error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1, fbtrace_id: 'AaBbCcDd2' },
  },
  rateLimited: {
    status: 429,
    error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429, fbtrace_id: 'AaBbCcDd3' },
  },
  templateMissing: {
    status: 404,
    error: { message: '(#132001) Template name does not exist in the translation', type: 'OAuthException', code: 132001, fbtrace_id: 'AaBbCcDd4' },
  },
} satisfies Record<string, GraphErrorAnswer>;

/**
 * A fake WhatsApp Cloud API (Graph) on 127.0.0.1: records every call (path,
 * Authorization header, JSON body) and answers `POST /<version>/<phone number
 * id>/messages` as Graph does, with a fresh wamid. Error answers for the next
 * calls can be queued; anything else is a 404 as Graph gives it.
 */
export class FakeGraphApi extends FakeHttpServer {
  readonly calls: GraphCall[] = [];
  private readonly queued: GraphErrorAnswer[] = [];
  private nextId = 1;
  /** The API root with its version, for WHATSAPP_CLOUD_API_ROOT. */
  url = '';

  constructor(readonly phoneNumberId: string) {
    super();
  }

  async start(): Promise<string> {
    this.url = `${await this.listen()}/${GRAPH_VERSION}`;
    return this.url;
  }

  /** The next send gets this error instead of success (queued ones are used in order). */
  queue(...answers: GraphErrorAnswer[]): void {
    this.queued.push(...answers);
  }

  /** The bodies of the sends that succeeded, in order. */
  get sent(): Record<string, unknown>[] {
    return this.calls.filter((c) => c.wamid !== null).map((c) => c.body);
  }

  protected override handle(req: IncomingMessage, raw: string, res: ServerResponse): void {
    const { status, body } = this.answer(req, raw);
    sendJson(res, status, body);
  }

  private answer(req: IncomingMessage, raw: string): { status: number; body: unknown } {
    const body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
    const call: GraphCall = {
      path: req.url ?? '',
      method: req.method ?? '',
      authorization: req.headers.authorization,
      body,
      wamid: null,
      at: Date.now(),
    };
    this.calls.push(call);
    if (req.method !== 'POST' || call.path !== `/${GRAPH_VERSION}/${this.phoneNumberId}/messages`) {
      return { status: 404, body: { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500, fbtrace_id: 'x' } } };
    }
    const queued = this.queued.shift();
    if (queued) return { status: queued.status, body: { error: queued.error } };
    call.wamid = `wamid.HBgL${String(this.nextId++).padStart(8, '0')}FQIAERgSQ0FGRTEyMzQ1Njc4OTAA`;
    const to = String(body.to);
    const message: Record<string, string> = { id: call.wamid };
    if (body.type === 'template') message.message_status = 'accepted';
    return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [message] } };
  }
}
