import type { Redis } from 'ioredis';
import { Deliverer, type DelivererOptions } from '../../src/conversation/delivery/deliverer';
import { MemoryPacer, type Pace } from '../../src/conversation/delivery/pacer';
import { silentLogger } from '../../src/conversation/logger';
import { BullmqOutbox, type BullmqOutboxOptions } from '../../src/outbox/bullmq-outbox';
import { RedisPacer } from '../../src/outbox/redis-pacer';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { ScriptedChannel, commitReplies, eventually } from '../support/outbox';
import { TEST_REDIS_URL, connectTestRedis, deleteUnder, describeWithRedis, keysUnder, uniquePrefix } from '../support/redis';

/**
 * The outbox on BullMQ against a real Redis: each "instance" is a deliverer
 * and a BullmqOutbox, sharing one store (as instances share a database)
 * and one Redis, under a key prefix no other run uses.
 */
describeWithRedis('the BullMQ outbox', () => {
  let admin: Redis;
  let prefix: string;
  let store: MemoryStore;
  let running: BullmqOutbox[];

  beforeEach(() => {
    admin = connectTestRedis();
    prefix = uniquePrefix('outbox');
    store = new MemoryStore();
    running = [];
  });

  afterEach(async () => {
    await Promise.all(running.map((o) => o.stop()));
    await deleteUnder(admin, prefix);
    await admin.quit();
  });

  function instance(
    channel: ScriptedChannel,
    over: { deliverer?: Partial<DelivererOptions>; outbox?: Partial<BullmqOutboxOptions>; on?: Store } = {},
  ) {
    const deliverer = new Deliverer({ store: over.on ?? store, channels: [channel], log: silentLogger, ...over.deliverer });
    const outbox = new BullmqOutbox(deliverer, {
      redisUrl: TEST_REDIS_URL,
      prefix: `${prefix}bull`,
      log: silentLogger,
      inline: [],
      limits: {},
      sweepMs: 100,
      ...over.outbox,
    });
    running.push(outbox);
    return { deliverer, outbox };
  }

  it("delivers a commit's replies through the queue, one job each, in order, and leaves no job behind", async () => {
    const channel = new ScriptedChannel();
    const { outbox } = instance(channel);
    outbox.start();

    await outbox.dispatch(await commitReplies(store, 'chat', '+6591234567', ['one', 'two', 'three'], Date.now()));

    await eventually(() => channel.sent.length === 3);
    expect(channel.textsTo('+6591234567')).toEqual(['one', 'two', 'three']);
    expect(await store.pendingOutbox(10)).toEqual([]);
    // Delivered on a channel that keeps the chat itself: the replies left the store too.
    expect(await store.outboxSince('chat:+6591234567', 0, 10)).toEqual([]);
    // Finished jobs are gone, and nothing in Redis names the person.
    await eventually(async () => (await admin.zcard(`${prefix}bull:outbox-chat:completed`)) === 0);
    const keys = await keysUnder(admin, prefix);
    expect(keys.filter((k) => /:o\d+-/.test(k))).toEqual([]);
    for (const key of keys) {
      expect(key).not.toContain('6591234567');
      const type = await admin.type(key);
      const dump = type === 'hash' ? JSON.stringify(await admin.hgetall(key)) : type === 'string' ? ((await admin.get(key)) ?? '') : '';
      expect(dump).not.toContain('6591234567');
    }
  });

  it('sends a failed reply again after its back-off, and never the ones delivered before it', async () => {
    const channel = new ScriptedChannel();
    // Kept after delivery, so that the attempts can be read back.
    channel.keepsHistory = true;
    channel.failures.set('two', 2);
    const { outbox } = instance(channel, { deliverer: { retry: { baseMs: 50, maxMs: 200, maxAttempts: 5 } } });
    outbox.start();

    await outbox.dispatch(await commitReplies(store, 'chat', 'c1', ['one', 'two', 'three'], Date.now()));

    await eventually(() => channel.sent.length === 3);
    expect(channel.textsTo('c1')).toEqual(['one', 'two', 'three']);
    expect(channel.calls).toBe(5);
    expect((await store.outboxSince('chat:c1', 0, 10)).map((e) => e.attempts)).toEqual([0, 2, 0]);
  });

  it('shares the work between two instances: every reply sent once, every conversation in order', async () => {
    const channel = new ScriptedChannel();
    const one = instance(channel);
    const two = instance(channel);
    one.outbox.start();
    two.outbox.start();
    const conversations = Array.from({ length: 40 }, (_, i) => `c${i}`);

    await Promise.all(
      conversations.map(async (id, i) => {
        const via = i % 2 === 0 ? one.outbox : two.outbox;
        await via.dispatch(await commitReplies(store, 'chat', id, [`${id}-1`, `${id}-2`], Date.now()));
        await via.dispatch(await commitReplies(store, 'chat', id, [`${id}-3`], Date.now()));
      }),
    );

    await eventually(() => channel.sent.length === 120);
    for (const id of conversations) expect(channel.textsTo(id)).toEqual([`${id}-1`, `${id}-2`, `${id}-3`]);
    expect(channel.calls).toBe(120);
  });

  it('finds replies that were committed but never queued (a crash in between) by sweeping the database', async () => {
    const channel = new ScriptedChannel();
    await commitReplies(store, 'chat', 'c1', ['left', 'behind'], Date.now());
    const { outbox } = instance(channel);

    outbox.start();

    await eventually(() => channel.sent.length === 2);
    expect(channel.textsTo('c1')).toEqual(['left', 'behind']);
  });

  it('takes over a reply whose worker died holding it, once the lease has run out, and sends it once', async () => {
    const channel = new ScriptedChannel();
    const [row] = await commitReplies(store, 'chat', 'c1', ['orphan'], Date.now());
    expect(await store.claimOutbox(row!.seq, { owner: 'killed', now: Date.now(), until: Date.now() + 500 })).not.toBeNull();
    const { outbox } = instance(channel);
    outbox.start();

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(channel.sent).toEqual([]);
    await eventually(() => channel.sent.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(channel.calls).toBe(1);
  });

  it("keeps a channel's overall rate with its queue's limiter", async () => {
    const channel = new ScriptedChannel();
    const pace: Pace = { perSecond: 5, burst: 1 };
    const { outbox } = instance(channel, { outbox: { limits: { chat: pace } } });
    for (let i = 0; i < 12; i++) await commitReplies(store, 'chat', `c${i}`, [`to ${i}`], Date.now());
    outbox.start();

    await eventually(() => channel.sent.length === 12, 20_000);
    // BullMQ counts jobs in windows of one second from the first: never more than 5 in one.
    const first = channel.sent[0]!.at;
    expect(channel.sent.filter((s) => s.at < first + 800).length).toBeLessThanOrEqual(5);
  });

  it('delivers inline channels in the request, and queues only their retries', async () => {
    const channel = new ScriptedChannel('webchat');
    const { outbox } = instance(channel, { outbox: { inline: ['webchat'] }, deliverer: { retry: { baseMs: 50, maxMs: 50, maxAttempts: 3 } } });
    outbox.start();
    channel.failures.set('b', 1);

    await outbox.dispatch(await commitReplies(store, 'webchat', 'c1', ['a', 'b'], Date.now()));
    expect(channel.textsTo('c1')).toEqual(['a']);

    await eventually(() => channel.sent.length === 2);
    expect(channel.textsTo('c1')).toEqual(['a', 'b']);
  });

  it('when stopped, lets the send in flight finish and leaves the rest queued for another instance', async () => {
    const channel = new ScriptedChannel();
    const first = instance(channel);
    first.outbox.start();
    const release = channel.hold();
    await first.outbox.dispatch(await commitReplies(store, 'chat', 'c1', ['first', 'second'], Date.now()));
    await eventually(() => channel.calls === 1);

    const stopped = first.outbox.stop();
    release();
    await stopped;
    expect(channel.textsTo('c1')).toEqual(['first']);
    expect(await store.releaseOutbox(first.deliverer.owner)).toBe(0);

    const second = instance(channel);
    second.outbox.start();
    await eventually(() => channel.sent.length === 2);
    expect(channel.textsTo('c1')).toEqual(['first', 'second']);
  });
});

describeWithRedis('the Redis pacer', () => {
  let redis: Redis;
  let prefix: string;

  beforeEach(() => {
    redis = connectTestRedis();
    prefix = uniquePrefix('pace');
  });

  afterEach(async () => {
    await deleteUnder(redis, prefix);
    await redis.quit();
  });

  it('books the same slots as the in-memory pacer, shared by every instance', async () => {
    const T0 = 1_700_000_000_000;
    const pace: Pace = { perSecond: 1, burst: 3 };
    const times = [T0, T0, T0, T0, T0 + 500, T0 + 10_000, T0 + 10_000];
    const memory = new MemoryPacer();
    const one = new RedisPacer(redis, prefix);
    const other = connectTestRedis();
    const two = new RedisPacer(other, prefix);
    const expected: number[] = [];
    const got: number[] = [];
    for (const [i, now] of times.entries()) {
      expected.push(await memory.reserve('telegram:abc', pace, now));
      got.push(await (i % 2 === 0 ? one : two).reserve('telegram:abc', pace, now));
    }
    await other.quit();

    expect(got).toEqual(expected);
    expect(expected).toEqual([0, 0, 0, 1_000, 1_500, 0, 0]);
    // The key holds a hash of the pacer key, and expires once its slots are past.
    const [key] = await keysUnder(redis, prefix);
    expect(key).toMatch(new RegExp(`^${prefix}pace:[0-9a-f]{32}$`));
    expect(await redis.pttl(key!)).toBeGreaterThan(0);
  });
});
