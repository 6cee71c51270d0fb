import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { once } from 'node:events';
import type { OutboundMessage } from '../../src/conversation/channel';
import '../support';
import { ConsoleClient } from '../handoff/console-support';
import { connectTestRedis, deleteUnder, describeWithRedis, keysUnder, TEST_REDIS_URL, uniquePrefix } from '../support/redis';
import { postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

interface PostAnswer {
  status: 'processed' | 'duplicate';
  replies: OutboundMessage[];
  lastSeq: number | null;
}

/**
 * The whole app with REDIS_URL set, over HTTP: one instance, and two
 * instances sharing one database and one Redis as they would behind a load
 * balancer (here two apps in one process, on one SQLite file).
 */
describeWithRedis('the app with Redis', () => {
  let admin: Redis;
  let prefix: string;
  let db: TempDatabase;
  let servers: RunningApp[];
  let logLines: string[];
  const key = randomBytes(32).toString('hex');

  async function start(keyPrefix = prefix): Promise<RunningApp> {
    const server = await startApp(db.path, {
      env: {
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: keyPrefix,
        DATA_ENCRYPTION_KEY: key,
        // High enough not to slow these fifty messages; on, so that each turn asks Redis (its
        // bucket) between reading the conversation and committing it, as a networked database
        // would. Turns on SQLite alone never yield mid-turn, and could not overlap even unlocked.
        USER_RATE_LIMIT: '10000',
      },
      log: { level: 'info', destination: { write: (line: string) => logLines.push(line) } },
    });
    servers.push(server);
    return server;
  }

  const say = (server: RunningApp, conversationId: string, text: string, messageId = randomUUID()) =>
    postJson<PostAnswer>(`${server.url}/api/webchat/messages`, { conversationId, messageId, locale: 'en-GB', text });

  const events = (name: string) => logLines.filter((line) => line.includes(`"event":"${name}"`));

  beforeEach(() => {
    admin = connectTestRedis();
    prefix = uniquePrefix('app');
    db = tempDatabase();
    servers = [];
    logLines = [];
  });

  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await deleteUnder(admin, prefix);
    await admin.quit();
    db.remove();
  });

  /** Sends `count` messages to one conversation at once, round-robin over the servers; checks one-at-a-time handling. */
  async function fiftyAtOnce(count: number): Promise<void> {
    const conversationId = randomUUID();
    const hello = await say(servers[0]!, conversationId, 'hi');
    expect(hello.status).toBe(200);
    const ids = Array.from({ length: count }, () => randomUUID());

    const answers = await Promise.all(ids.map((id, i) => say(servers[i % servers.length]!, conversationId, 'help', id)));

    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.status).toBe('processed');
      expect(answer.body.replies).toContainKey('common:help');
    }
    const store = servers[0]!.app.store;
    const conversationKey = `webchat:${conversationId}`;
    // No lost update: every turn committed on top of the one before.
    expect(await store.getConversation(conversationKey)).toMatchObject({ rev: count + 1 });
    // One at a time: each message's replies are consecutive in the outbox, never interleaved with another's.
    const outbox = await store.outboxSince(conversationKey, 0, 10_000);
    const total = hello.body.replies.length + answers.reduce((n, a) => n + a.body.replies.length, 0);
    expect(outbox).toHaveLength(total);
    const runs = outbox.map((e) => e.messageId).filter((id, i, all) => id !== all[i - 1]);
    expect(runs).toHaveLength(count + 1);
    expect(new Set(runs).size).toBe(count + 1);
    for (const [i, id] of ids.entries()) {
      const own = outbox.filter((e) => e.messageId === `${conversationId}:${id}`);
      expect(answers[i]!.body.lastSeq).toBe(own.at(-1)?.seq);
    }
    // The lock kept the turns apart: the store's revision check never had to refuse a commit.
    expect(events('commit-conflict')).toEqual([]);
  }

  test('50 messages at once to one conversation are each handled, one at a time', async () => {
    await start();
    await fiftyAtOnce(50);
  });

  test('two instances on one database: 50 messages at once to one conversation, spread across both, handled one at a time', async () => {
    await start();
    await start();
    await fiftyAtOnce(50);
    expect(await keysUnder(admin, `${prefix}lock:`)).toEqual([]);
  });

  test('the test above can tell: two instances that do not share the lock collide in the store', async () => {
    await start(`${prefix}a:`);
    await start(`${prefix}b:`);
    const conversationId = randomUUID();
    await say(servers[0]!, conversationId, 'hi');

    await Promise.all(Array.from({ length: 20 }, (_, i) => say(servers[i % 2]!, conversationId, 'help')));

    expect(events('commit-conflict').length).toBeGreaterThan(0);
  });

  test('a message sent again to the other instance is answered once, as a duplicate', async () => {
    const [one, two] = [await start(), await start()];
    const conversationId = randomUUID();
    const id = randomUUID();

    const first = await say(one, conversationId, 'hi', id);
    const again = await say(two, conversationId, 'hi', id);

    expect(first.body.status).toBe('processed');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, status: 'duplicate' });
    expect(await two.app.store.getConversation(`webchat:${conversationId}`)).toMatchObject({ rev: 1 });
  });

  test('failed console logins are counted across instances: five on one, then the other refuses', async () => {
    const [one, two] = [await start(), await start()];
    const email = `nobody-${randomUUID()}@example.org`;
    for (let i = 0; i < 5; i++) {
      expect((await new ConsoleClient(one.url).login(email, 'wrong password')).status).toBe(401);
    }

    const refused = await new ConsoleClient(two.url).login(email, 'wrong password');

    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The email is in Redis only as a tag of a tag.
    const keys = await keysUnder(admin, prefix);
    expect(keys.some((k) => k.startsWith(`${prefix}fail:login-email:`))).toBe(true);
    expect(JSON.stringify(keys)).not.toContain('example.org');
  });

  test('closing an instance closes its Redis connection and leaves no lock behind', async () => {
    const server = await start();
    expect((await say(server, randomUUID(), 'hi')).status).toBe(200);
    const redis = server.app.redis!;
    expect(redis.status).toBe('ready');
    const ended = once(redis, 'end');

    await server.close();

    await ended;
    expect(redis.status).toBe('end');
    expect(await keysUnder(admin, `${prefix}lock:`)).toEqual([]);
    expect(await keysUnder(admin, `${prefix}seen:`)).toHaveLength(1);
  });
});
