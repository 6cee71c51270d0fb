import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { MemoryRateLimiter, type MessageRateLimiter } from '../../src/conversation/rate-limit';
import { RedisKeys } from '../../src/store/redis/keys';
import { RedisRateLimiter } from '../../src/store/redis/rate-limiter';
import { connectTestRedis, deleteUnder, describeWithRedis, keysUnder, uniquePrefix } from '../support/redis';

describeWithRedis('RedisRateLimiter', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  test('decides exactly as the in-memory limiter, for any rule and any sequence of messages', async () => {
    const rule = fc.record({
      burst: fc.integer({ min: 1, max: 20 }),
      perWindow: fc.integer({ min: 1, max: 30 }),
      windowMs: fc.integer({ min: 100, max: 60_000 }),
    });
    // Steps in time, a clock that may step back, two conversations, and now and then "delete my data".
    const step = fc.record({
      dt: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: -2_000, max: 20_000 })),
      key: fc.constantFrom('a1b2c3d4e5f6', '0f9e8d7c6b5a'),
      forget: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(rule, fc.array(step, { minLength: 1, maxLength: 40 }), async (r, steps) => {
        const keys = new RedisKeys(uniquePrefix('rate'));
        const shared: MessageRateLimiter = new RedisRateLimiter(redis, keys, r);
        const memory = new MemoryRateLimiter(r);
        let now = 1_700_000_000_000;
        try {
          for (const { dt, key, forget } of steps) {
            now += dt;
            if (forget) {
              await shared.forget(key);
              await memory.forget(key);
              continue;
            }
            expect(await shared.take(key, now)).toEqual(await memory.take(key, now));
          }
        } finally {
          await deleteUnder(redis, keys.prefix);
        }
        runs++;
      }),
      { numRuns: 150 },
    );
    expect(runs).toBeGreaterThanOrEqual(150);
  });

  test('two instances draw from one bucket: a burst of messages spread across them gets the burst, no more', async () => {
    const other = connectTestRedis();
    const keys = new RedisKeys(uniquePrefix('rate-shared'));
    const rule = { burst: 5, perWindow: 5, windowMs: 10_000 };
    const a = new RedisRateLimiter(redis, keys, rule);
    const b = new RedisRateLimiter(other, keys, rule);
    const now = 1_700_000_000_000;
    try {
      const verdicts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).take('conv-hash', now)));

      expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
      // "Slow down" is said once for the whole flood, whichever instance saw it first.
      expect(verdicts.filter((v) => !v.allowed && v.notify)).toHaveLength(1);
    } finally {
      await deleteUnder(redis, keys.prefix);
      await other.quit();
    }
  });

  test('a bucket is one hashed key that expires once it would be full again, and "forget" deletes it', async () => {
    const keys = new RedisKeys(uniquePrefix('rate-key'));
    const limiter = new RedisRateLimiter(redis, keys, { burst: 10, perWindow: 10, windowMs: 10_000 });
    try {
      await limiter.take('a1b2c3d4e5f6', Date.now());
      const stored = await keysUnder(redis, keys.prefix);
      expect(stored).toEqual([expect.stringMatching(new RegExp(`^${keys.prefix}rate:[0-9a-f]{32}$`))]);
      const ttl = await redis.pttl(stored[0]!);
      // Refilled after 10 s, its notice forgotten after 10 s more, and a minute's slack.
      expect(ttl).toBeGreaterThan(70_000);
      expect(ttl).toBeLessThanOrEqual(80_000);

      await limiter.forget('a1b2c3d4e5f6');
      expect(await keysUnder(redis, keys.prefix)).toEqual([]);
    } finally {
      await deleteUnder(redis, keys.prefix);
    }
  });

  test('refuses a rule that could never let a message through', () => {
    const keys = new RedisKeys('vv-test:');
    expect(() => new RedisRateLimiter(redis, keys, { burst: 0, perWindow: 1, windowMs: 1000 })).toThrow(RangeError);
    expect(() => new RedisRateLimiter(redis, keys, { burst: 1, perWindow: 0, windowMs: 1000 })).toThrow(RangeError);
  });
});
