import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { FakeBotApi } from '../channels/telegram/fake-bot-api';
import { alignSends } from './align-sends';
import { POSTGRES_URL, describeWithPostgres, tempSchema, type TempSchema } from '../support/postgres';
import { startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * PostgreSQL goes away for a few seconds under load: a TCP proxy the test
 * controls stands between the server process and the database, and the test
 * cuts it. Telegram webhooks must then be answered with a 5xx (Telegram sends
 * those again), nothing may be half-written, and once the database is back
 * every update sent again gets its replies exactly once.
 */

const TOKEN = '7000000003:AAH-fake-token-for-db-outage_012345';
const SECRET = 'db-outage-secret';
const CHATS = 20;
const OUTAGE_MS = 4_000;

jest.setTimeout(180_000);

/** A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused) and restored. */
class CuttableProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = createConnection(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  cutOff(): void {
    this.cut = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  async stop(): Promise<void> {
    this.cutOff();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** What a chat writes, message by message. */
const script = (k: number) => (k % 2 === 0 ? 'hi' : 'menu');

let nextUpdateId = 600_000_000;
function update(chatId: number, k: number): { update_id: number; message: object } {
  const id = nextUpdateId++;
  const person = { id: chatId, is_bot: false, first_name: 'Test', language_code: 'en' };
  const chat = { id: chatId, first_name: 'Test', type: 'private' };
  return { update_id: id, message: { message_id: k + 1, from: person, chat, date: Math.floor(Date.now() / 1000), text: script(k) } };
}

/**
 * The replies to the script's first `n` messages, message by message, as the server's web chat answers them
 * (same words, same language): what a Telegram chat must have got, now that its outbox keeps nothing delivered.
 */
async function scriptReplies(base: string, n: number): Promise<string[][]> {
  const conversationId = `outage-oracle-${Date.now()}`;
  const answers: string[][] = [];
  for (let k = 0; k < n; k++) {
    const res = await fetch(`${base}/api/webchat/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ conversationId, messageId: `${conversationId}-m${k}`, text: script(k), locale: 'en' }),
    });
    expect(res.status).toBe(200);
    answers.push(((await res.json()) as { replies: { text: string }[] }).replies.map((r) => r.text));
  }
  return answers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('a database outage under load', () => {
  let temp: TempSchema;
  let proxy: CuttableProxy;
  let api: FakeBotApi;
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    temp = tempSchema();
    const target = new URL(POSTGRES_URL);
    proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.start();
    api = new FakeBotApi(TOKEN);
    await api.start();
  });

  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    await api.stop();
    await proxy.stop();
    await temp.drop();
  });

  test(`webhooks answer 5xx while PostgreSQL is cut off for ${OUTAGE_MS / 1000} s, nothing is half-written, and updates sent again get their replies once`, async () => {
    const url = new URL(POSTGRES_URL);
    url.host = `127.0.0.1:${proxy.port}`;
    server = await startServerProcess({
      DATABASE_URL: url.toString(),
      DATABASE_SCHEMA: temp.schema,
      ALLOW_PLAINTEXT_DATA: 'true',
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_BOT_USERNAME: 'vv_outage_bot',
      TELEGRAM_API_ROOT: api.url,
      TELEGRAM_SET_COMMANDS: 'false',
      USER_RATE_LIMIT: '0',
      TELEGRAM_MAX_PER_SECOND: '0',
      TELEGRAM_CHAT_MAX_PER_SECOND: '0',
    });
    const post = (body: object) =>
      fetch(`${server!.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      }).then(
        async (r) => {
          await r.body?.cancel();
          return r.status;
        },
        () => 0,
      );

    const statuses = { before: [] as number[], during: [] as number[], after: [] as number[] };
    let phase: keyof typeof statuses = 'before';
    const sent = new Map<number, { update_id: number; message: object }[]>();
    // Each chat sends its updates one after the other, as Telegram does; an update not answered 200 is sent again.
    const chat = async (chatId: number) => {
      const updates: { update_id: number; message: object }[] = [];
      sent.set(chatId, updates);
      // Until two updates have been sent after the database came back, to show that processing resumed.
      let afterwards = 0;
      for (let k = 0; afterwards < 2; k++) {
        if (phase === 'after') afterwards++;
        const u = update(chatId, k);
        updates.push(u);
        for (;;) {
          const at = phase;
          const status = await post(u);
          statuses[at].push(status);
          if (status === 200) break;
          await sleep(250);
        }
      }
    };
    const load = Promise.all(Array.from({ length: CHATS }, (_, i) => chat(910_000_000 + i)));
    await sleep(1_500);
    phase = 'during';
    const cutAt = Date.now();
    proxy.cutOff();
    await sleep(OUTAGE_MS);
    proxy.restore();
    const restoredAt = Date.now();
    phase = 'after';
    await load;

    // During the outage no update was taken (a 200 would tell Telegram it had been handled); each was refused with a 5xx.
    const duringOk = statuses.during.filter((s) => s === 200).length;
    const during5xx = statuses.during.filter((s) => s >= 500).length;
    expect(statuses.before.length).toBeGreaterThan(0);
    expect(statuses.during.length).toBeGreaterThan(0);
    expect(statuses.during.every((s) => s >= 500 || s === 200)).toBe(true);
    expect(during5xx).toBeGreaterThan(0);

    const store = new PostgresStore(temp.open());
    try {
      const deadline = Date.now() + 60_000;
      while ((await store.pendingOutbox(10)).length > 0 && Date.now() < deadline) await sleep(250);
      expect(await store.pendingOutbox(10)).toEqual([]);
      let updatesChecked = 0;
      let repliesChecked = 0;
      let resentAfterOutage = 0;
      const oracle = await scriptReplies(server.url, Math.max(...[...sent.values()].map((u) => u.length)));
      for (const [chatId, updates] of sent) {
        // Nothing left, neither waiting nor given up: each reply was deleted once Telegram took it.
        expect(await store.outboxSince(`telegram:${chatId}`, 0, 10_000)).toEqual([]);
        // Every update answered 200 was handled (its processed mark stays), and got its replies once, in the order sent.
        for (const u of updates) expect(await store.repliesTo(`telegram:${chatId}`, `u${u.update_id}`)).toEqual([]);
        const calls = api.callsTo('sendMessage').filter((c) => Number(c.body.chat_id) === chatId);
        const expected = oracle.slice(0, updates.length).flat();
        // A reply Telegram took just before or while the database was cut could not be marked sent: the
        // one allowed repeat (the mark follows the send within milliseconds; a second covers a busy machine).
        const resent = alignSends(calls, expected, (previous) => previous.at >= cutAt - 1_000 && previous.at <= restoredAt);
        if (resent === null) expect(calls.map((c) => c.body.text)).toEqual(expected);
        resentAfterOutage += resent ?? 0;
        updatesChecked += updates.length;
        repliesChecked += expected.length;
      }
      console.log(
        `database outage: ${JSON.stringify({
          chats: CHATS,
          outageMs: OUTAGE_MS,
          requestsBefore: statuses.before.length,
          requestsDuring: statuses.during.length,
          answered5xxDuring: during5xx,
          answered200During: duringOk,
          requestsAfter: statuses.after.length,
          updatesChecked,
          repliesChecked,
          resentAfterOutage,
        })}`,
      );
    } finally {
      await store.close();
    }
  });
});
