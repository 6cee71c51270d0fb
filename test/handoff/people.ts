import { randomUUID } from 'node:crypto';
import type { WhatsAppCloudChannel } from '../../src/channels/whatsapp-cloud/channel';
import type { RecordedActivity, FakeConnector } from '../channels/teams/connector';
import type { FakeBotApi } from '../channels/telegram/fake-bot-api';
import type { FakeGraphApi } from '../channels/whatsapp-cloud/fake-graph-api';
import { SETTINGS } from '../channels/whatsapp-cloud/harness';
import { buttonReply, payload, postWebhook, text as textContent } from '../channels/whatsapp-cloud/payloads';
import { getJson, postJson, type RunningApp } from '../support/server';

/** The app a person writes to: its address, and its engine to wait for replies sent after the answer. */
type AppServer = Pick<RunningApp, 'url' | 'app'>;

/** One message as the person sees it on their screen: its text and the payloads of its buttons. */
export interface Seen {
  text: string;
  payloads: string[];
  /** A WhatsApp template (sent outside the 24-hour window) instead of a free-form message. */
  template?: string;
}

/**
 * A person on one channel, talking to the real app over HTTP the way that
 * channel's servers do, and reading what reaches them through that
 * channel's fake (Bot API, connector, Graph API, web chat history).
 */
export interface Person {
  readonly channel: string;
  /** The conversation key the store and the handoff know the person by. */
  readonly conversationKey: string;
  /** Types a message; resolves to what the bot sent back because of it. */
  say(text: string): Promise<Seen[]>;
  /** Presses a button with this payload; resolves to what the bot sent back. */
  press(payload: string): Promise<Seen[]>;
  /** What reached the person since the last call of `say`, `press` or `news`, unprompted (a caseworker's reply). */
  news(): Promise<Seen[]>;
}

export class WebchatPerson implements Person {
  readonly channel = 'webchat';
  readonly conversationId = randomUUID();
  readonly conversationKey = `webchat:${this.conversationId}`;
  private lastSeq = 0;

  constructor(private readonly baseUrl: string) {}

  say(text: string): Promise<Seen[]> {
    return this.post({ text });
  }

  press(payload: string): Promise<Seen[]> {
    return this.post({ payload });
  }

  async news(): Promise<Seen[]> {
    const res = await getJson<{ messages: WebchatReply[]; lastSeq: number }>(
      `${this.baseUrl}/api/webchat/messages?conversationId=${this.conversationId}&after=${this.lastSeq}`,
    );
    if (res.status !== 200) throw new Error(`web chat history answered ${res.status}`);
    this.lastSeq = res.body.lastSeq;
    return res.body.messages.map(seenWebchat);
  }

  private async post(body: { text?: string; payload?: string }): Promise<Seen[]> {
    const res = await postJson<{ replies: WebchatReply[]; lastSeq: number | null }>(`${this.baseUrl}/api/webchat/messages`, {
      conversationId: this.conversationId,
      messageId: randomUUID(),
      locale: 'en-GB',
      ...body,
    });
    if (res.status !== 200) throw new Error(`web chat answered ${res.status}`);
    if (res.body.lastSeq !== null) this.lastSeq = res.body.lastSeq;
    return res.body.replies.map(seenWebchat);
  }
}

interface WebchatReply {
  text: string;
  buttons?: { payload: string }[];
}

const seenWebchat = (r: WebchatReply): Seen => ({ text: r.text, payloads: (r.buttons ?? []).map((b) => b.payload) });

/** Telegram numbers updates per bot, not per chat: several people on one bot never share an update id. */
let nextTelegramUpdate = 700_000_000;

export class TelegramPerson implements Person {
  readonly channel = 'telegram';
  readonly conversationKey: string;
  private seen = 0;
  private readonly from = { id: 0, is_bot: false, first_name: 'Sita', language_code: 'en' };

  constructor(
    private readonly server: AppServer,
    private readonly api: FakeBotApi,
    private readonly secret: string,
    readonly chatId = 424242,
  ) {
    this.from.id = chatId;
    this.conversationKey = `telegram:${chatId}`;
  }

  say(text: string): Promise<Seen[]> {
    const id = nextTelegramUpdate++;
    const chat = { id: this.chatId, first_name: 'Sita', type: 'private' };
    return this.post({ update_id: id, message: { message_id: id % 100_000, from: this.from, chat, date: Math.floor(Date.now() / 1000), text } });
  }

  press(data: string): Promise<Seen[]> {
    const id = nextTelegramUpdate++;
    const chat = { id: this.chatId, first_name: 'Sita', type: 'private' };
    return this.post({
      update_id: id,
      callback_query: {
        id: `cq-${id}`,
        from: this.from,
        message: { message_id: 1000, from: { id: 7000000001, is_bot: true, first_name: 'VV' }, chat, date: 1, text: '…' },
        chat_instance: '-8265391742937',
        data,
      },
    });
  }

  async news(): Promise<Seen[]> {
    const sent = this.api.callsTo('sendMessage').slice(this.seen);
    this.seen += sent.length;
    return sent.filter((c) => String(c.body.chat_id) === String(this.chatId)).map((c) => seenTelegram(c.body));
  }

  private async post(update: object): Promise<Seen[]> {
    await this.news();
    const res = await fetch(`${this.server.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': this.secret },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the Telegram webhook answered ${res.status}`);
    // Answered once saved: the replies reach the Bot API after.
    await this.server.app.engine.idle();
    return this.news();
  }
}

function seenTelegram(body: Record<string, unknown>): Seen {
  const keyboard = (body.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  return { text: String(body.text), payloads: keyboard.flat().flatMap((b) => (b.callback_data === undefined ? [] : [b.callback_data])) };
}

export class TeamsPerson implements Person {
  readonly channel = 'teams';
  readonly conversationKey: string;
  private n = 0;

  constructor(
    private readonly server: AppServer,
    private readonly connector: FakeConnector,
    readonly conversationId = 'a:1Xk9-personal-chat-handoff',
  ) {
    this.conversationKey = `teams:${conversationId}`;
  }

  say(text: string): Promise<Seen[]> {
    return this.post({ type: 'message', text, textFormat: 'plain' });
  }

  press(payload: string): Promise<Seen[]> {
    return this.post({ type: 'message', text: payload, value: { payload } });
  }

  async news(): Promise<Seen[]> {
    return this.connector
      .take()
      .filter((r) => r.conversationId === this.conversationId)
      .map(seenTeams);
  }

  private async post(activity: Record<string, unknown>): Promise<Seen[]> {
    await this.news();
    const res = await fetch(`${this.server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        channelId: 'msteams',
        serviceUrl: this.connector.url,
        timestamp: new Date().toISOString(),
        from: { id: '29:1user-aad', name: 'Ana', aadObjectId: '6c3d9b3e-0000-4000-8000-000000000001' },
        recipient: { id: '28:bot-id', name: 'Virtual Volunteer' },
        conversation: { id: this.conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
        channelData: { tenant: { id: 'tenant-1' } },
        locale: 'en-US',
        id: `1700000000${String(++this.n).padStart(3, '0')}`,
        ...activity,
      }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`the Teams endpoint answered ${res.status}`);
    // Answered once saved: the replies reach the connector after.
    await this.server.app.engine.idle();
    return this.news();
  }
}

function seenTeams(r: RecordedActivity): Seen {
  const actions = [...(r.activity.suggestedActions?.actions ?? []), ...(r.activity.attachments ?? []).flatMap((a) => a.content.buttons)];
  const payloads = actions.flatMap((a) => {
    const p = (a.value as { payload?: unknown } | undefined)?.payload;
    return typeof p === 'string' ? [p] : [];
  });
  return { text: r.activity.text ?? '', payloads };
}

export class WhatsAppPerson implements Person {
  readonly channel = 'whatsapp-cloud';
  readonly conversationKey: string;
  private seen = 0;
  private n = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly graph: FakeGraphApi,
    private readonly cloud: WhatsAppCloudChannel,
    private readonly clock: () => number,
    /** Qatar's calling code: no language is guessed from it, so the bot speaks English. */
    readonly waId = '97455512345',
  ) {
    this.conversationKey = `whatsapp-cloud:${waId}`;
  }

  say(text: string): Promise<Seen[]> {
    return this.post(textContent(text));
  }

  press(id: string): Promise<Seen[]> {
    return this.post(buttonReply(id));
  }

  async news(): Promise<Seen[]> {
    const sent = this.graph.calls.slice(this.seen).filter((c) => c.wamid !== null);
    this.seen = this.graph.calls.length;
    return sent.filter((c) => c.body.to === this.waId).map((c) => seenWhatsApp(c.body));
  }

  private async post(content: ReturnType<typeof textContent>): Promise<Seen[]> {
    await this.news();
    const id = `wamid.HANDOFF${String(++this.n).padStart(6, '0')}`;
    const body = payload(SETTINGS.phoneNumberId, { messages: [{ from: { waId: this.waId, name: 'Sita Kumari' }, id, at: this.clock(), content }] });
    const res = await postWebhook(this.baseUrl, body, SETTINGS.appSecret);
    if (res.status !== 200) throw new Error(`the WhatsApp webhook answered ${res.status}`);
    // The webhook is answered first and handled after.
    await this.cloud.idle();
    return this.news();
  }
}

function seenWhatsApp(body: Record<string, unknown>): Seen {
  if (body.type === 'template') return { text: '', payloads: [], template: (body.template as { name: string }).name };
  if (body.type === 'text') return { text: (body.text as { body: string }).body, payloads: [] };
  const interactive = body.interactive as {
    type: 'button' | 'list';
    body: { text: string };
    action: { buttons?: { reply: { id: string } }[]; sections?: { rows: { id: string }[] }[] };
  };
  const payloads =
    interactive.type === 'button'
      ? (interactive.action.buttons ?? []).map((b) => b.reply.id)
      : (interactive.action.sections ?? []).flatMap((s) => s.rows.map((r) => r.id));
  return { text: interactive.body.text, payloads };
}
