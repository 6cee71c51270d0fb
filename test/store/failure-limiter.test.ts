import { MemoryFailureLimiter } from '../../src/handoff/inbox/rate-limit';
import { RedisFailureLimiter } from '../../src/store/redis/failure-limiter';
import { RedisKeys } from '../../src/store/redis/keys';
import { failureLimiterContract } from '../contracts/failure-limiter.contract';
import { connectTestRedis, deleteUnder, describeWithRedis, keysUnder, uniquePrefix } from '../support/redis';

failureLimiterContract('MemoryFailureLimiter', async () => ({
  make: (_name, rule, clock) => new MemoryFailureLimiter(rule, clock),
  cleanup: async () => undefined,
}));

describeWithRedis('RedisFailureLimiter', () => {
  failureLimiterContract('RedisFailureLimiter', async () => {
    const redis = connectTestRedis();
    const keys = new RedisKeys(uniquePrefix('limiter'));
    return {
      make: (name, rule, clock) => new RedisFailureLimiter(redis, { keys, name, rule, clock }),
      cleanup: async () => {
        await deleteUnder(redis, keys.prefix);
        await redis.quit();
      },
    };
  });

  test('two instances share one count: failures spread across them are refused together', async () => {
    const [one, two] = [connectTestRedis(), connectTestRedis()];
    const keys = new RedisKeys(uniquePrefix('limiter-shared'));
    const now = 5_000_000;
    const rule = { max: 5, windowMs: 15 * 60_000 };
    const a = new RedisFailureLimiter(one, { keys, name: 'login-email', rule, clock: () => now });
    const b = new RedisFailureLimiter(two, { keys, name: 'login-email', rule, clock: () => now });
    try {
      // Ten guesses at once, half through each instance: the count must not lose any of them.
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).fail('tag-of-an-email')));
      expect(await a.retryAfter('tag-of-an-email')).toBe(900);
      expect(await b.retryAfter('tag-of-an-email')).toBe(900);

      await b.forget('tag-of-an-email');
      expect(await a.retryAfter('tag-of-an-email')).toBe(0);
    } finally {
      await deleteUnder(one, keys.prefix);
      await Promise.all([one.quit(), two.quit()]);
    }
  });

  test('the keys hold neither the email tag nor the address in clear, and expire with the window', async () => {
    const redis = connectTestRedis();
    const keys = new RedisKeys(uniquePrefix('limiter-keys'));
    const limiter = new RedisFailureLimiter(redis, { keys, name: 'login-address', rule: { max: 3, windowMs: 60_000 }, clock: Date.now });
    try {
      await limiter.fail('203.0.113.9');
      const stored = await keysUnder(redis, keys.prefix);
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatch(new RegExp(`^${keys.prefix}fail:login-address:[0-9a-f]{32}$`));
      expect(stored[0]).not.toContain('203.0.113.9');
      const ttl = await redis.pttl(stored[0]!);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      await deleteUnder(redis, keys.prefix);
      await redis.quit();
    }
  });
});
