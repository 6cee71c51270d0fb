import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import type { OutboxEntry } from '../../src/store/store';
import { FakeBotApi, type RecordedCall } from '../channels/telegram/fake-bot-api';
import { alignSends } from './align-sends';
import { describeWithPostgres, tempSchema, type TempSchema } from '../support/postgres';
import { TEST_REDIS_URL, connectTestRedis, deleteUnder, describeWithRedis, uniquePrefix } from '../support/redis';
import { startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * Two server processes on one PostgreSQL and one Redis, driven through the
 * web chat API and the Telegram webhook, one of them killed with SIGKILL in
 * the middle and started again on its port. Then every inbound message must
 * have had exactly its replies, once each, in order per conversation, and
 * the outbox must be empty.
 */

const CONVERSATIONS = Number(process.env.TWO_INSTANCES_CONVERSATIONS ?? 500);
const MESSAGES = 10;
/** Conversations in progress at once (each sends its messages one after the other). */
const CONCURRENCY = 100;
/** How long one message may keep failing (instance down, conversation locked by the dead one) before the test gives up. */
const RETRY_FOR_MS = 120_000;

const TOKEN = '7000000002:AAH-fake-token-for-two-instances_01';
const SECRET = 'two-instances-secret';

jest.setTimeout(600_000);

interface Instance {
  name: 'a' | 'b';
  api: FakeBotApi;
  server: ServerProcess | null;
  port: number;
}

type Counts = Record<string, number>;

function settings(schema: string, prefix: string, key: string, api: FakeBotApi, port: number): Record<string, string> {
  return {
    PORT: String(port),
    NODE_ENV: 'production',
    DATABASE_URL: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    DATABASE_SCHEMA: schema,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    // A conversation locked by the killed instance waits this long, not the 10 s default.
    REDIS_LOCK_LEASE_MS: '2000',
    DATA_ENCRYPTION_KEY: key,
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_BOT_USERNAME: 'vv_two_instances_bot',
    TELEGRAM_MODE: 'webhook',
    TELEGRAM_API_ROOT: api.url,
    TELEGRAM_SET_COMMANDS: 'false',
    // The test sends as fast as it can: neither the per-person limit nor Telegram's pacing is under test here.
    USER_RATE_LIMIT: '0',
    TELEGRAM_MAX_PER_SECOND: '0',
    TELEGRAM_CHAT_MAX_PER_SECOND: '0',
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a message is: a web chat POST or a Telegram update, sent until an instance takes it (2xx). */
interface Inbound {
  path: string;
  headers: Record<string, string>;
  body: object;
}

interface WebchatAnswer {
  status: string;
  replies: { seq?: number; text: string }[];
}

function webchatMessage(conversationId: string, k: number): Inbound {
  return {
    path: '/api/webchat/messages',
    headers: { 'content-type': 'application/json' },
    body: { conversationId, messageId: `${conversationId}-m${k}`, text: k % 2 === 0 ? 'hi' : 'menu', locale: 'en' },
  };
}

let nextUpdateId = 800_000_000;
function telegramMessage(chatId: number, k: number): Inbound {
  const id = nextUpdateId++;
  const person = { id: chatId, is_bot: false, first_name: 'Test', language_code: 'en' };
  const chat = { id: chatId, first_name: 'Test', type: 'private' };
  return {
    path: '/telegram/webhook',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: {
      update_id: id,
      message: { message_id: k + 1, from: person, chat, date: Math.floor(Date.now() / 1000), text: k % 2 === 0 ? 'hi' : 'menu' },
    },
  };
}

/** Runs `task` on every item with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describeWithPostgres('two instances on PostgreSQL and Redis', () => {
  describeWithRedis('two instances, one killed', () => {
    let temp: TempSchema;
    let prefix: string;
    const instances: Instance[] = [];

    beforeAll(async () => {
      temp = tempSchema();
      prefix = uniquePrefix('two-instances');
    });

    afterAll(async () => {
      for (const instance of instances) {
        if (instance.server) await killHard(instance.server);
        await instance.api.stop();
      }
      await temp.drop();
      const redis = connectTestRedis();
      await deleteUnder(redis, prefix);
      await redis.quit();
    });

    test(`${CONVERSATIONS} conversations × ${MESSAGES} messages (web chat and Telegram) across two instances, one killed with SIGKILL mid-run and restarted: every reply exactly once, in order, outbox empty`, async () => {
      const key = randomBytes(32).toString('hex');
      const start = async (instance: Instance) => {
        instance.server = await startServerProcess(settings(temp.schema, prefix, key, instance.api, instance.port));
        instance.port = Number(new URL(instance.server.url).port);
      };
      for (const name of ['a', 'b'] as const) {
        const api = new FakeBotApi(TOKEN);
        await api.start();
        instances.push({ name, api, server: null, port: 0 });
      }
      // One after the other: the first applies the migrations, the second finds them applied.
      await start(instances[0]!);
      await start(instances[1]!);
      const [a, b] = instances as [Instance, Instance];

      const counts: Counts = { sent: 0, retried: 0, connectionErrors: 0, serverErrors: 0, duplicates: 0 };
      const urlOf = (instance: Instance) => `http://127.0.0.1:${instance.port}`;

      /** Sends until an instance answers 2xx, turning to the other instance after a failure, as a load balancer would. */
      const deliver = async (inbound: Inbound, first: number): Promise<Response> => {
        const deadline = Date.now() + RETRY_FOR_MS;
        for (let attempt = 0; ; attempt++) {
          const instance = instances[(first + attempt) % 2]!;
          if (attempt > 0) counts.retried!++;
          try {
            const response = await fetch(`${urlOf(instance)}${inbound.path}`, {
              method: 'POST',
              headers: inbound.headers,
              body: JSON.stringify(inbound.body),
              signal: AbortSignal.timeout(30_000),
            });
            if (response.ok) return response;
            counts.serverErrors!++;
            if (response.status < 500) throw new Error(`${inbound.path} answered ${response.status}: ${await response.text()}`);
            await response.body?.cancel();
          } catch (err) {
            if (err instanceof Error && err.message.includes('answered')) throw err;
            counts.connectionErrors!++;
          }
          if (Date.now() > deadline) throw new Error(`${inbound.path}: no instance took the message within ${RETRY_FOR_MS} ms`);
          await sleep(Math.min(100 * 2 ** attempt, 1_000));
        }
      };

      const webchatIds = Array.from({ length: Math.ceil(CONVERSATIONS / 2) }, (_, i) => `two-inst-${i}-${randomBytes(4).toString('hex')}`);
      const chatIds = Array.from({ length: Math.floor(CONVERSATIONS / 2) }, (_, i) => 900_000_000 + i);
      /** Per web chat conversation, the replies each message's answer carried, in the order sent. */
      const webchatReplies = new Map<string, { seq?: number; text: string }[][]>();
      /** Per Telegram chat, the update ids it sent. */
      const telegramUpdates = new Map<number, number[]>();
      const total = CONVERSATIONS * MESSAGES;
      let answered = 0;
      let killingAt = 0;
      let killedAt = 0;
      let restartingAt = 0;
      let restartedAt = 0;

      // Halfway, kill instance A outright (no shutdown of any kind), and start it again on its port two seconds later.
      const chaos = (async () => {
        while (answered < total / 2) await sleep(20);
        killingAt = Date.now();
        await killHard(a.server!);
        killedAt = Date.now();
        await sleep(2_000);
        restartingAt = Date.now();
        await start(a);
        restartedAt = Date.now();
      })();

      const conversations: { kind: 'webchat' | 'telegram'; id: string | number; index: number }[] = [];
      for (let i = 0; i < Math.max(webchatIds.length, chatIds.length); i++) {
        if (i < webchatIds.length) conversations.push({ kind: 'webchat', id: webchatIds[i]!, index: conversations.length });
        if (i < chatIds.length) conversations.push({ kind: 'telegram', id: chatIds[i]!, index: conversations.length });
      }
      const began = Date.now();
      await pool(conversations, CONCURRENCY, async ({ kind, id, index }) => {
        const answers: { seq?: number; text: string }[][] = [];
        const updateIds: number[] = [];
        for (let k = 0; k < MESSAGES; k++) {
          // Message by message, the conversation moves between the instances.
          const first = (index + k) % 2;
          if (kind === 'webchat') {
            const response = await deliver(webchatMessage(id as string, k), first);
            const answer = (await response.json()) as WebchatAnswer;
            if (answer.status === 'duplicate') counts.duplicates!++;
            answers.push(answer.replies);
          } else {
            const inbound = telegramMessage(id as number, k);
            updateIds.push((inbound.body as { update_id: number }).update_id);
            const response = await deliver(inbound, first);
            await response.body?.cancel();
          }
          counts.sent!++;
          answered++;
        }
        if (kind === 'webchat') webchatReplies.set(id as string, answers);
        else telegramUpdates.set(id as number, updateIds);
      });
      await chaos;
      const drivenMs = Date.now() - began;
      expect(killedAt).toBeGreaterThan(0);

      // The outbox drains: rows the dead instance had leased are taken by a worker once their lease runs out.
      const store = new PostgresStore(temp.open());
      try {
        const drainDeadline = Date.now() + 120_000;
        let pending: OutboxEntry[] = await store.pendingOutbox(10);
        while (pending.length > 0 && Date.now() < drainDeadline) {
          await sleep(500);
          pending = await store.pendingOutbox(10);
        }
        expect(pending).toEqual([]);

        // Web chat: the history holds exactly the replies the answers gave, once each, in the order of the messages.
        let webchatChecked = 0;
        for (const id of webchatIds) {
          const answers = webchatReplies.get(id)!;
          expect(answers).toHaveLength(MESSAGES);
          for (const replies of answers) expect(replies.length).toBeGreaterThan(0);
          const history = await fetchHistory(urlOf(b), id);
          expect(history).toEqual(answers.flat().map((r) => ({ seq: r.seq, text: r.text })));
          webchatChecked += history.length;
        }

        // Telegram: what the two fake Bot APIs received for a chat is what the web chat answered to the same
        // messages (same script, same language), in order, each once, but for the one gap no outbox closes: a
        // message Telegram took from the killed instance just before it died, before the row was marked, is
        // sent again by the instance that takes the row over. The outbox keeps none of it: Telegram keeps the chat.
        const expected = webchatReplies.get(webchatIds[0]!)!.flat().map((r) => r.text);
        const sends = [...a.api.callsTo('sendMessage').map((c) => ({ ...c, from: 'a' })), ...b.api.callsTo('sendMessage').map((c) => ({ ...c, from: 'b' }))]
          .sort((x, y) => x.order - y.order);
        const byChat = new Map<number, (RecordedCall & { from: string })[]>();
        for (const call of sends) {
          const chat = Number(call.body.chat_id);
          byChat.set(chat, [...(byChat.get(chat) ?? []), call]);
        }
        let telegramChecked = 0;
        let resentAfterCrash = 0;
        for (const chatId of chatIds) {
          // Nothing left, neither waiting nor given up: each reply was deleted once delivered.
          expect(await store.outboxSince(`telegram:${chatId}`, 0, 1_000)).toEqual([]);
          // Every inbound message was handled: its processed mark stays, its delivered replies do not.
          const updateIds = telegramUpdates.get(chatId)!;
          expect(updateIds).toHaveLength(MESSAGES);
          for (const id of updateIds) expect(await store.repliesTo(`telegram:${chatId}`, `u${id}`)).toEqual([]);
          const calls = byChat.get(chatId) ?? [];
          // Only a call right after an identical one that the killed process made, sent again once the kill began.
          // The killed process's calls are those A's fake heard before A was started again: a request it wrote just
          // before it died can be read after its exit was seen, so after killedAt.
          const matched = alignSends(calls, expected, (previous, call) => previous.from === 'a' && previous.at < restartingAt && call.at >= killingAt);
          if (matched === null) {
            // Which instance sent what, and when against the kill, is what tells a crash resend from a bug.
            const timeline = calls.map((c) => `${c.from} ${c.at - killingAt} ms after the kill began: ${String(c.body.text).slice(0, 40)}`);
            console.log(`chat ${chatId}: the sends do not match (killed ${killedAt - killingAt} ms after the kill began, restarting at ${restartingAt - killingAt} ms)\n${timeline.join('\n')}`);
            expect(calls.map((c) => c.body.text)).toEqual(expected);
          } else {
            resentAfterCrash += matched;
          }
          telegramChecked += expected.length;
        }
        counts.resentAfterCrash = resentAfterCrash;

        const summary = {
          conversations: CONVERSATIONS,
          messagesPerConversation: MESSAGES,
          inboundMessages: counts.sent,
          webchatConversations: webchatIds.length,
          webchatRepliesChecked: webchatChecked,
          telegramChats: chatIds.length,
          telegramRepliesChecked: telegramChecked,
          telegramSendMessageCalls: sends.length,
          resentAfterCrash,
          killedProcessCallsHeardAfterItsExit: sends.filter((c) => c.from === 'a' && c.at > killedAt && c.at < restartingAt).length,
          retriedRequests: counts.retried,
          connectionErrors: counts.connectionErrors,
          serverErrors: counts.serverErrors,
          webchatDuplicateAnswers: counts.duplicates,
          pendingOutbox: pending.length,
          drivenSeconds: Math.round(drivenMs / 100) / 10,
          killedAfterSeconds: Math.round((killedAt - began) / 100) / 10,
          restartedAfterSeconds: Math.round((restartedAt - began) / 100) / 10,
        };
        console.log(`two instances, one killed: ${JSON.stringify(summary, null, 2)}`);
        expect(counts.sent).toBe(total);
        // The crash gap can only hit sends in flight at the moment of the kill: one per conversation at most.
        expect(resentAfterCrash).toBeLessThanOrEqual(CONCURRENCY);
      } finally {
        await store.close();
      }
    });
  });
});

/** The whole history of a web chat conversation, page by page. */
async function fetchHistory(base: string, conversationId: string): Promise<{ seq: number; text: string }[]> {
  const all: { seq: number; text: string }[] = [];
  let after = 0;
  for (;;) {
    const response = await fetch(`${base}/api/webchat/messages?conversationId=${encodeURIComponent(conversationId)}&after=${after}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { messages: { seq: number; text: string }[]; lastSeq: number };
    all.push(...page.messages.map((m) => ({ seq: m.seq, text: m.text })));
    if (page.messages.length < 100) return all;
    after = page.lastSeq;
  }
}

/**
 * SIGKILL to the server itself: tsx's command line runs the program in a
 * child process, which would outlive its parent and keep the port.
 */
async function killHard(server: ServerProcess): Promise<void> {
  const pid = server.child.pid;
  if (pid === undefined || server.child.exitCode !== null || server.child.signalCode !== null) return;
  let children: number[] = [];
  try {
    children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    // ps exits 1 when there are none.
  }
  for (const child of children) process.kill(child, 'SIGKILL');
  server.child.kill('SIGKILL');
  await server.exited;
}
