import type { Redis } from 'ioredis';
import { tag, type RedisKeys } from './keys';

/**
 * How long a handled message is remembered: past a platform's quick
 * retries (Telegram, Teams: seconds to minutes). Later resends, such as
 * WhatsApp's retries over days, are still caught by the store's marks.
 */
export const DEDUP_TTL_MS = 24 * 60 * 60_000;

/** Marks kept per user at most, newest first, so a flood of messages cannot grow one key without bound. */
const MAX_MARKS_PER_USER = 1_000;

export interface RedisDeduperOptions {
  keys: RedisKeys;
  clock?: () => number;
  ttlMs?: number;
}

/**
 * The Deduper port (src/conversation/dedup.ts) on Redis: one sorted set per
 * user and channel, members the tags of handled message ids, scored by when
 * they were handled. One key per user, so "delete my data" removes them all
 * with a single DEL.
 */
export class RedisDeduper {
  private readonly clock: () => number;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisDeduperOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.ttlMs = opts.ttlMs ?? DEDUP_TTL_MS;
  }

  async seen(channel: string, userId: string, messageId: string): Promise<boolean> {
    const score = await this.redis.zscore(this.opts.keys.seen(channel, userId), tag(messageId));
    // Old members linger until the user's next mark trims them: the score says whether one still counts.
    return score !== null && Number(score) > this.clock() - this.ttlMs;
  }

  async mark(channel: string, userId: string, messageId: string): Promise<void> {
    const key = this.opts.keys.seen(channel, userId);
    const now = this.clock();
    const results = await this.redis
      .multi()
      .zadd(key, now, tag(messageId))
      .zremrangebyscore(key, '-inf', now - this.ttlMs)
      .zremrangebyrank(key, 0, -(MAX_MARKS_PER_USER + 1))
      .pexpire(key, this.ttlMs)
      .exec();
    // A transaction reports each command's error in its results instead of rejecting.
    const failed = results?.find(([err]) => err !== null);
    if (failed) throw failed[0];
  }

  async forget(channel: string, userId: string): Promise<void> {
    await this.redis.del(this.opts.keys.seen(channel, userId));
  }
}
