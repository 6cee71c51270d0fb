import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { secondsToWait, type FailureLimiter, type LimitRule } from '../../handoff/inbox/rate-limit';
import type { RedisKeys } from './keys';

export interface RedisFailureLimiterOptions {
  keys: RedisKeys;
  /** The limit's name in its keys (`login-email`), so that limits never share counts. */
  name: string;
  rule: LimitRule;
  clock: () => number;
}

/**
 * Failures in a sliding window, shared by every instance on one Redis: a
 * sorted set per key, scored by the time of each failure, trimmed to the
 * newest `max` and expiring with the window. Times come from the app's
 * clock, as in the memory version, so both answer alike.
 */
export class RedisFailureLimiter implements FailureLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisFailureLimiterOptions,
  ) {}

  async retryAfter(key: string): Promise<number> {
    const now = this.opts.clock();
    const since = now - this.opts.rule.windowMs;
    const flat = await this.redis.zrangebyscore(this.key(key), `(${since}`, '+inf', 'WITHSCORES');
    const recent = flat.filter((_, i) => i % 2 === 1).map(Number);
    return secondsToWait(recent, this.opts.rule, now);
  }

  async fail(key: string): Promise<void> {
    const redisKey = this.key(key);
    const now = this.opts.clock();
    const { max, windowMs } = this.opts.rule;
    // Members must be unique: two instances may count a failure in the same millisecond.
    const member = `${now}:${randomBytes(6).toString('hex')}`;
    const results = await this.redis
      .multi()
      .zadd(redisKey, now, member)
      .zremrangebyscore(redisKey, '-inf', now - windowMs)
      .zremrangebyrank(redisKey, 0, -(max + 1))
      .pexpire(redisKey, windowMs)
      .exec();
    // A transaction reports each command's error in its results instead of rejecting.
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return this.opts.keys.failures(this.opts.name, key);
  }
}
