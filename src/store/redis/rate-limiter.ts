import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys';

/** A token bucket's rule: `burst` at once, then `perWindow` per `windowMs`. */
export interface BucketRule {
  burst: number;
  perWindow: number;
  windowMs: number;
}

/** The verdict on one message, as the MessageRateLimiter port (src/conversation/rate-limit.ts) gives it. */
export type BucketVerdict = { allowed: true } | { allowed: false; notify: boolean; retryAfterMs: number };

/**
 * The same step as `takeToken` in src/conversation/rate-limit.ts, done inside
 * Redis so that two instances taking from one bucket at once cannot both get
 * its last token. Numbers are stored with 17 significant digits, so a bucket
 * read back is the double that was written and both versions decide alike.
 */
const TAKE = `
local burst = tonumber(ARGV[1])
local perWindow = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local saved = redis.call('hmget', KEYS[1], 'tokens', 'at', 'toldAt')
local tokens, at, toldAt = burst, now, nil
if saved[1] then
  tokens = tonumber(saved[1])
  at = tonumber(saved[2])
  if saved[3] ~= '-' then toldAt = tonumber(saved[3]) end
end
local level = math.min(burst, tokens + (math.max(0, now - at) * perWindow) / windowMs)
local newAt = math.max(at, now)
local function num(x) return string.format('%.17g', x) end
local allowed, notify, retry = 0, 0, 0
if level >= 1 then
  allowed = 1
  level = level - 1
else
  if toldAt == nil or now - toldAt >= windowMs then
    notify = 1
    toldAt = now
  end
  retry = math.ceil(((1 - level) * windowMs) / perWindow)
end
redis.call('hset', KEYS[1], 'tokens', num(level), 'at', num(newAt), 'toldAt', toldAt and num(toldAt) or '-')
redis.call('pexpire', KEYS[1], ARGV[5])
return {allowed, notify, retry}`;

/**
 * The per-conversation message limit (the MessageRateLimiter port) on Redis,
 * shared by every instance: one hash per bucket (`<prefix>rate:<tag>`), kept
 * until the bucket would be full again and its "slow down" notice forgotten.
 * Keys arrive already hashed; they are tagged again like every key here.
 */
export class RedisRateLimiter {
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly rule: BucketRule,
  ) {
    if (!(rule.burst >= 1 && rule.perWindow > 0 && rule.windowMs > 0)) {
      throw new RangeError('a rate rule needs a burst of at least 1, and a positive rate and window');
    }
    // Past this, an untouched bucket is full and its notice due again: dropping it changes no verdict.
    this.ttlMs = Math.ceil((rule.burst * rule.windowMs) / rule.perWindow) + rule.windowMs + 60_000;
  }

  async take(key: string, now: number): Promise<BucketVerdict> {
    const { burst, perWindow, windowMs } = this.rule;
    const [allowed, notify, retry] = (await this.redis.eval(TAKE, 1, this.keys.rate(key), burst, perWindow, windowMs, now, this.ttlMs)) as [
      number,
      number,
      number,
    ];
    return allowed === 1 ? { allowed: true } : { allowed: false, notify: notify === 1, retryAfterMs: retry };
  }

  async forget(key: string): Promise<void> {
    await this.redis.del(this.keys.rate(key));
  }
}
