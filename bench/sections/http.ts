import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { collectGarbage } from '../gc';
import { percentile, spread, type Spread } from '../stats';
import { PACKING_TURNS, repliesMatch } from '../workload/packing';

const TOKEN = '7000000009:AAH-bench-token-0123456789abcdefgh';
const SECRET = 'bench-webhook-secret';

export type HttpTarget = 'webchat' | 'telegram';

export interface HttpCell {
  target: HttpTarget;
  connections: number;
  /** How long the fake Bot API takes to answer each call (absent: at once). */
  botApiLatencyMs?: number;
  /** Conversations each connection takes turns with (absent: one, each turn right after the last one's answer). */
  chatsPerConnection?: number;
  requestsPerSecond: Spread;
  /** Over every request, as autocannon counts them. */
  p50Ms: Spread;
  p99Ms: Spread;
  /**
   * Over every request but each connection's first. autocannon opens all its
   * connections at once and times a connection's first request from before
   * the connection exists: against a server that answers at once, those take
   * up to a second at 256 connections while the others stay under 20 ms.
   * Platforms and browsers keep their connections open.
   */
  keptAliveP50Ms: Spread;
  keptAliveP99Ms: Spread;
  /** Connection errors, timeouts, non-2xx answers and wrong replies, over all repetitions. */
  errors: number;
  /** Requests answered over all repetitions. */
  requests: number;
}

/**
 * The Telegram webhook as Telegram calls it: at most `connections` updates
 * at once (setWebhook's max_connections, 40 by default), each connection
 * carrying updates of several chats in turn, and the Bot API a round trip
 * away.
 */
export interface RemoteBotApi {
  connections: number;
  latencyMs: number;
  chatsPerConnection: number;
}

export interface HttpOptions {
  connections: number[];
  durationSeconds: number;
  repetitions: number;
  /** A last run of the Telegram webhook against a Bot API that answers after a round trip; none: not run. */
  remote?: RemoteBotApi | null;
  expected: string[][];
  log: (line: string) => void;
}

/**
 * autocannon against the real server in a child process (SQLite file, as
 * `npm start` runs it): the web chat API and the Telegram webhook, whose
 * replies go to a fake Bot API served from this process. Every connection
 * plays the packing conversation over and over, a new conversation each time.
 */
export async function runHttp(options: HttpOptions): Promise<HttpCell[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vv-bench-http-'));
  let fake: Child<{ url: string; stats: string }> | undefined;
  let server: Child<{ url: string }>;
  try {
    fake = await start<{ url: string; stats: string }>('fake-telegram.ts', [TOKEN]);
    server = await start<{ url: string }>('serve.ts', [join(dir, 'bot.sqlite'), fake.info.url, TOKEN, SECRET]);
  } catch (err) {
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stats = fake.info.stats;
  const api = {
    sent: async () => ((await (await fetch(stats)).json()) as { sendMessage: number }).sendMessage,
    latency: async (ms: number) => {
      const res = await fetch(`${stats}/latency/${ms}`, { method: 'POST' });
      if (!res.ok) throw new Error(`the fake Bot API refused a latency of ${ms} ms (${res.status})`);
    },
  };
  const url = server.info.url;
  const cells: HttpCell[] = [];
  try {
    // Warm-up: JIT in the server, connections, caches.
    await load('webchat', url, 64, 1, options.expected);
    await load('telegram', url, 64, 1, options.expected);
    const scenarios: Scenario[] = [
      ...(['webchat', 'telegram'] as const).flatMap((target) => options.connections.map((connections) => ({ target, connections }))),
      ...(options.remote
        ? [{ target: 'telegram' as const, connections: options.remote.connections, remote: options.remote }]
        : []),
    ];
    for (const { target, connections, remote } of scenarios) {
      await api.latency(remote?.latencyMs ?? 0);
      const runs: Awaited<ReturnType<typeof load>>[] = [];
      for (let rep = 0; rep < options.repetitions; rep++) {
        const sentBefore = await api.sent();
        const run = await load(target, url, connections, options.durationSeconds, options.expected, remote?.chatsPerConnection ?? 1);
        if (target === 'telegram') {
          // Each answered update must reach the Bot API as its replies; the outbox may still be sending
          // some (Telegram's pace per chat), so wait a little for them before counting what is missing.
          const sent = await sentAtLeast(api.sent, sentBefore + run.minimumReplies, 15_000);
          if (sent - sentBefore < run.minimumReplies) run.errors += run.minimumReplies - (sent - sentBefore);
        }
        runs.push(run);
        options.log(
          `  rep ${rep + 1}/${options.repetitions} ${target.padEnd(8)} ${String(connections).padStart(3)} connections ` +
            (remote ? `(Bot API ${remote.latencyMs} ms away, ${remote.chatsPerConnection} chats a connection) ` : '') +
            `${Math.round(run.requestsPerSecond).toLocaleString('en-GB').padStart(7)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  ` +
            `(kept alive: p50 ${run.keptAliveP50} ms  p99 ${run.keptAliveP99} ms)  errors ${run.errors}`,
        );
      }
      cells.push({
        target,
        connections,
        ...(remote ? { botApiLatencyMs: remote.latencyMs, chatsPerConnection: remote.chatsPerConnection } : {}),
        requestsPerSecond: spread(runs.map((r) => r.requestsPerSecond)),
        p50Ms: spread(runs.map((r) => r.p50)),
        p99Ms: spread(runs.map((r) => r.p99)),
        keptAliveP50Ms: spread(runs.map((r) => r.keptAliveP50)),
        keptAliveP99Ms: spread(runs.map((r) => r.keptAliveP99)),
        errors: runs.reduce((sum, r) => sum + r.errors, 0),
        requests: runs.reduce((sum, r) => sum + r.requests, 0),
      });
    }
  } finally {
    await server.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return cells;
}

/** The number of messages sent once it reaches `count`, or when `ms` have passed. */
async function sentAtLeast(sent: () => Promise<number>, count: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let now = await sent();
  while (now < count && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    now = await sent();
  }
  return now;
}

interface Scenario {
  target: HttpTarget;
  connections: number;
  remote?: RemoteBotApi;
}

let nextConversation = 0;
let nextUpdate = 1;

/**
 * `chats` conversations per connection, taking turns: a chat's next turn
 * comes after one turn of each of the others, as a platform interleaves
 * updates of many chats on its connections.
 */
async function load(target: HttpTarget, url: string, connections: number, duration: number, expected: string[][], chats = 1) {
  let wrong = 0;
  let minimumReplies = 0;
  const order = Array.from({ length: PACKING_TURNS.length * chats }, (_, i) => ({ chat: i % chats, turn: Math.floor(i / chats) }));
  const requests = order.map(({ chat, turn }): autocannon.Request => ({
    method: 'POST',
    path: target === 'webchat' ? '/api/webchat/messages' : '/telegram/webhook',
    headers:
      target === 'webchat'
        ? { 'content-type': 'application/json' }
        : { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    setupRequest(request, context) {
      const input = PACKING_TURNS[turn]!;
      // The first turn starts a new conversation in this chat of the connection.
      if (turn === 0) context[`chat${chat}`] = ++nextConversation;
      const n = context[`chat${chat}`] as number;
      const body = target === 'webchat' ? webchatBody(n, turn, input) : telegramUpdate(n, input);
      return { ...request, body: JSON.stringify(body) };
    },
    onResponse(status, body) {
      if (status !== 200) return;
      if (target === 'telegram') {
        minimumReplies += expected[turn]?.length ?? 0;
        return;
      }
      const replies = (JSON.parse(body) as { replies?: { text: string }[] }).replies ?? [];
      if (!repliesMatch(replies.map((r) => r.text), expected[turn] ?? [])) wrong++;
    },
  }));
  // The load generator's own garbage (the engine runs before this section leave plenty) is collected before it
  // times anything: a full collection of it during a run would be counted as the server's latency.
  collectGarbage();
  const instance = autocannon({ url, connections, duration, timeout: 10, requests });
  const opened = new WeakSet<object>();
  const keptAlive: number[] = [];
  instance.on('response', (client, _status, _bytes, ms) => {
    if (opened.has(client)) keptAlive.push(ms);
    else opened.add(client);
  });
  const result = await instance;
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    keptAliveP50: Math.round(percentile(keptAlive, 0.5)),
    keptAliveP99: Math.round(percentile(keptAlive, 0.99)),
    errors: result.errors + result.timeouts + result.non2xx + wrong,
    requests: result.requests.total,
    minimumReplies,
  };
}

function webchatBody(conversation: number, turn: number, input: { text?: string; payload?: string }) {
  return { conversationId: `bench-conversation-${conversation}`, messageId: `bench-message-${conversation}-${turn}`, locale: 'en', ...input };
}

function telegramUpdate(conversation: number, input: { text?: string; payload?: string }) {
  const updateId = nextUpdate++;
  const id = 1_000_000 + conversation;
  const person = { id, is_bot: false, first_name: 'Bench', language_code: 'en' };
  const chat = { id, first_name: 'Bench', type: 'private' };
  if (input.payload !== undefined) {
    return {
      update_id: updateId,
      callback_query: {
        id: `cq-${updateId}`,
        from: person,
        message: { message_id: 1, from: { id: 7000000009, is_bot: true, first_name: 'VV' }, chat, date: 1, text: '…' },
        chat_instance: '1',
        data: input.payload,
      },
    };
  }
  return {
    update_id: updateId,
    message: { message_id: updateId, from: person, chat, date: Math.floor(Date.now() / 1000), text: input.text },
  };
}

interface Child<T> {
  /** What the child printed as its first line. */
  info: T;
  stop(): Promise<void>;
}

/** Node's settings of `npm run serve` (package.json), so that the server is measured as it runs. */
const SERVE_NODE_FLAGS = ['--max-semi-space-size=64'];

/** Starts one of bench/http/*.ts under tsx, as `npm run serve` runs the bot, and waits for the line it prints. */
async function start<T>(script: string, args: string[]): Promise<Child<T>> {
  const argv = [require.resolve('tsx/cli'), ...SERVE_NODE_FLAGS, join(__dirname, '..', 'http', script), ...args];
  const child: ChildProcess = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const info = await new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(JSON.parse(line) as T));
    void exited.then((code) => reject(new Error(`${script} exited (${code}) before it was ready`)));
  });
  return {
    info,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
