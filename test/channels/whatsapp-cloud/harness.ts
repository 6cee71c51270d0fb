import type pino from 'pino';
import type { WhatsAppCloudChannel } from '../../../src/channels/whatsapp-cloud/channel';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../../support/server';
import { FakeGraphApi } from './fake-graph-api';
import { payload, postWebhook, type MessageContent, type PostOptions, type Sender, type StatusSpec } from './payloads';

export const SETTINGS = {
  token: 'EAAGm0PX4ZCpsBAFakeAccessTokenForTests0123456789',
  phoneNumberId: '106540352242922',
  appSecret: '5f2b7c0e9d1a4b3c8e6f7a2d1c0b9e8f',
  verifyToken: 'verify-me_42',
};

/** The settings that turn the WhatsApp Cloud channel on, talking to `graph`. */
export function cloudEnv(graph: FakeGraphApi): Record<string, string> {
  return {
    WHATSAPP_CLOUD_TOKEN: SETTINGS.token,
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: SETTINGS.phoneNumberId,
    WHATSAPP_CLOUD_APP_SECRET: SETTINGS.appSecret,
    WHATSAPP_CLOUD_VERIFY_TOKEN: SETTINGS.verifyToken,
    WHATSAPP_CLOUD_API_ROOT: graph.url,
  };
}

/** The real app with the WhatsApp Cloud channel on, talking to a fake Graph API, on a clock the test moves. */
export interface CloudHarness {
  server: RunningApp;
  graph: FakeGraphApi;
  channel: WhatsAppCloudChannel;
  /** The app's time; `advance` moves it. */
  now(): number;
  advance(ms: number): void;
  /** Posts a signed payload, checks the 200, and waits until the app has handled it. */
  deliver(body: object): Promise<void>;
  /** Posts with the given signature options; resolves to the answer without waiting for handling. */
  post(body: object | string | Buffer, options?: PostOptions): Promise<{ status: number; body: unknown }>;
  /** The person writes (or presses) this; resolves to the Graph request bodies sent because of it. */
  send(from: Sender, content: MessageContent, id?: string): Promise<Record<string, unknown>[]>;
  status(spec: Omit<StatusSpec, 'at'> & { at?: number }): Promise<void>;
  close(): Promise<void>;
}

export async function startCloud(options: { log?: { level: string; destination: pino.DestinationStream }; env?: Record<string, string> } = {}): Promise<CloudHarness> {
  const db: TempDatabase = tempDatabase();
  const graph = new FakeGraphApi(SETTINGS.phoneNumberId);
  await graph.start();
  let clock = Date.now();
  const server = await startApp(db.path, {
    env: { ...cloudEnv(graph), ...options.env },
    app: { clock: () => clock },
    ...(options.log ? { log: options.log } : {}),
  });
  const channel = server.app.channels.find((c) => c.name === 'whatsapp-cloud') as WhatsAppCloudChannel | undefined;
  if (!channel) throw new Error('the whatsapp-cloud channel is not on');
  let nextId = 1;

  const post = (body: object | string | Buffer, postOptions: PostOptions = {}) => postWebhook(server.url, body, SETTINGS.appSecret, postOptions);
  const deliver = async (body: object) => {
    const res = await post(body);
    if (res.status !== 200) throw new Error(`the webhook answered ${res.status}: ${JSON.stringify(res.body)}`);
    await channel.idle();
  };

  return {
    server,
    graph,
    channel,
    now: () => clock,
    advance: (ms) => {
      clock += ms;
    },
    deliver,
    post,
    async send(from, content, id = `wamid.IN${String(nextId++).padStart(6, '0')}`) {
      const before = graph.calls.length;
      await deliver(payload(SETTINGS.phoneNumberId, { messages: [{ from, id, at: clock, content }] }));
      return graph.calls.slice(before).map((c) => c.body);
    },
    async status(spec) {
      await deliver(payload(SETTINGS.phoneNumberId, { statuses: [{ ...spec, at: spec.at ?? clock }] }));
    },
    async close() {
      await server.close();
      await graph.stop();
      db.remove();
    },
  };
}

/** What a person sees of one Graph request: its text and the ids of its buttons or rows. */
export function shown(body: Record<string, unknown>): { text: string; choices: string[] } {
  const type = body.type;
  if (type === 'text') return { text: (body.text as { body: string }).body, choices: [] };
  if (type === 'interactive') {
    const interactive = body.interactive as {
      type: 'button' | 'list';
      body: { text: string };
      action: { buttons?: { reply: { id: string } }[]; sections?: { rows: { id: string }[] }[] };
    };
    const choices =
      interactive.type === 'button'
        ? (interactive.action.buttons ?? []).map((b) => b.reply.id)
        : (interactive.action.sections ?? []).flatMap((s) => s.rows.map((r) => r.id));
    return { text: interactive.body.text, choices };
  }
  throw new Error(`not a message a person reads: ${String(type)}`);
}
