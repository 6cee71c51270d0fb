import { Redis } from 'ioredis';
import { MemoryLock } from '../../src/conversation/lock';
import { MemoryStore } from '../../src/store/memory';
import { DEDUP_TTL_MS, RedisDeduper } from '../../src/store/redis/dedup';
import { RedisKeys } from '../../src/store/redis/keys';
import { RedisLock } from '../../src/store/redis/lock';
import { createTestBot } from '../support';
import { recordingLogger } from '../support/logger';
import { connectTestRedis, deleteUnder, describeWithRedis, keysUnder, uniquePrefix } from '../support/redis';

describeWithRedis('RedisDeduper', () => {
  let redis: Redis;
  let keys: RedisKeys;
  const extra: Redis[] = [];

  beforeEach(() => {
    redis = connectTestRedis();
    keys = new RedisKeys(uniquePrefix('dedup'));
  });

  afterEach(async () => {
    await deleteUnder(redis, keys.prefix);
    await Promise.all(extra.splice(0).filter((c) => c.status !== 'end').map((c) => c.quit()));
    await redis.quit();
  });

  describe('the marks', () => {
    test('a message is seen once marked, only for its channel and user, until forgotten', async () => {
      const dedup = new RedisDeduper(redis, { keys });
      expect(await dedup.seen('telegram', '1001', 'u55')).toBe(false);

      await dedup.mark('telegram', '1001', 'u55');

      expect(await dedup.seen('telegram', '1001', 'u55')).toBe(true);
      expect(await dedup.seen('telegram', '1001', 'u56')).toBe(false);
      expect(await dedup.seen('telegram', '1002', 'u55')).toBe(false);
      expect(await dedup.seen('webchat', '1001', 'u55')).toBe(false);
      await dedup.mark('telegram', '1001', 'u56');
      await dedup.forget('telegram', '1001');
      expect(await dedup.seen('telegram', '1001', 'u55')).toBe(false);
      expect(await dedup.seen('telegram', '1001', 'u56')).toBe(false);
    });

    test('a mark counts for a day, then no longer', async () => {
      let now = 1_700_000_000_000;
      const dedup = new RedisDeduper(redis, { keys, clock: () => now });
      await dedup.mark('whatsapp-cloud', '+15550001111', 'wamid.A');
      now += DEDUP_TTL_MS - 1;
      expect(await dedup.seen('whatsapp-cloud', '+15550001111', 'wamid.A')).toBe(true);
      now += 1;
      expect(await dedup.seen('whatsapp-cloud', '+15550001111', 'wamid.A')).toBe(false);
    });

    test('one key per user, named by a hash, holding hashes, expiring a day after the last mark', async () => {
      const dedup = new RedisDeduper(redis, { keys });
      await dedup.mark('whatsapp-cloud', '+15550001111', 'wamid.HBgLMTU1NTAwMDExMTEVAgASGBQ');

      const stored = await keysUnder(redis, keys.prefix);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatch(new RegExp(`^${keys.prefix}seen:[0-9a-f]{32}$`));
      const members = await redis.zrange(stored[0]!, 0, -1);
      expect(members).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
      expect(JSON.stringify([stored, members])).not.toMatch(/15550001111|wamid/);
      const ttl = await redis.pttl(stored[0]!);
      expect(ttl).toBeGreaterThan(DEDUP_TTL_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(DEDUP_TTL_MS);
    });

    test('a flood of messages keeps only the newest thousand marks of a user', async () => {
      let now = 1_700_000_000_000;
      const dedup = new RedisDeduper(redis, { keys, clock: () => now });
      for (let i = 0; i < 1_005; i++) {
        now += 1;
        await dedup.mark('telegram', '1001', `u${i}`);
      }
      expect(await redis.zcard(keys.seen('telegram', '1001'))).toBe(1_000);
      expect(await dedup.seen('telegram', '1001', 'u4')).toBe(false);
      expect(await dedup.seen('telegram', '1001', 'u5')).toBe(true);
      expect(await dedup.seen('telegram', '1001', 'u1004')).toBe(true);
    });
  });

  describe('in the engine', () => {
    /** One instance: its own Redis connection, lock and de-duplication, on the shared store. */
    function instance(store: MemoryStore, lines: Record<string, unknown>[] = []) {
      const connection = connectTestRedis();
      extra.push(connection);
      const lock = new RedisLock(connection, { keys, leaseMs: 2_000, waitMs: 1_000, local: new MemoryLock(), log: recordingLogger(lines) });
      // Keeping history, so that a resend is answered with the replies it had: what the tests compare.
      const bot = createTestBot({ store, lock, dedup: new RedisDeduper(connection, { keys }), log: recordingLogger(lines), keepsHistory: true });
      return { bot, lock };
    }

    test("a platform's resend is answered as a duplicate while another instance holds the conversation", async () => {
      const store = new MemoryStore();
      const a = instance(store);
      const b = instance(store);
      const first = await a.bot.handle({ text: 'hi', messageId: 'u900' });
      expect(first.status).toBe('processed');

      let release!: () => void;
      let held!: () => void;
      const holding = new Promise<void>((resolve) => (held = resolve));
      const busy = b.lock.run(a.bot.key, async () => {
        held();
        await new Promise<void>((resolve) => (release = resolve));
      });
      await holding;

      // Waiting for the lock would fail after a's waitMs (1 s) with LockTimeoutError.
      const resent = await a.bot.handle({ text: 'hi', messageId: 'u900' });

      expect(resent).toEqual({ ...first, status: 'duplicate' });
      release();
      await busy;
      expect(await a.bot.rev()).toBe(1);
      expect(a.bot.channel.messages).toHaveLength(first.replies.length);
    });

    test('if Redis lost its marks, the store still knows the message: nothing is handled twice', async () => {
      const store = new MemoryStore();
      const { bot } = instance(store);
      const first = await bot.handle({ text: 'hi', messageId: 'u901' });
      await deleteUnder(redis, keys.prefix);

      const resent = await bot.handle({ text: 'hi', messageId: 'u901' });

      expect(resent).toEqual({ ...first, status: 'duplicate' });
      expect(await bot.rev()).toBe(1);
      expect(bot.channel.messages).toHaveLength(first.replies.length);
    });

    test('with the de-duplication unreachable, messages are still handled, and resends still recognised', async () => {
      const lines: Record<string, unknown>[] = [];
      // Nothing listens on port 1: every command fails at once.
      const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      unreachable.on('error', () => undefined);
      extra.push(unreachable);
      const bot = createTestBot({ dedup: new RedisDeduper(unreachable, { keys }), log: recordingLogger(lines), keepsHistory: true });

      const first = await bot.handle({ text: 'hi', messageId: 'u902' });
      const resent = await bot.handle({ text: 'hi', messageId: 'u902' });

      expect(first.status).toBe('processed');
      expect(first.replies.length).toBeGreaterThan(0);
      expect(resent).toEqual({ ...first, status: 'duplicate' });
      expect(lines.filter((l) => l.event === 'dedup-failed').length).toBeGreaterThanOrEqual(2);
    });

    test('"delete my data" deletes the person\'s marks from Redis too', async () => {
      const store = new MemoryStore();
      const { bot } = instance(store);
      await bot.send('hi');
      expect(await keysUnder(redis, `${keys.prefix}seen:`)).toHaveLength(1);

      await bot.send('delete my data');
      await bot.press('data.erase.confirm');

      expect(await keysUnder(redis, keys.prefix)).toEqual([]);
      expect(await bot.record()).toBeNull();
    });
  });
});
