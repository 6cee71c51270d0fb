import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { checkPace, type Pace, type Pacer } from '../conversation/delivery/pacer';

/**
 * The generic cell rate algorithm of `gcra()` (src/conversation/delivery/pacer.ts),
 * atomically in Redis. Times go in and out as strings: Redis would cut Lua's
 * fractions to integers. The key lives until its slots are all in the past.
 */
const RESERVE = `
local tat = tonumber(redis.call('GET', KEYS[1]))
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
if tat == nil or tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
local nextTat = tat + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return tostring(wait)
`;

/**
 * Rate-limit slots shared by every instance: a chat's messages are spaced
 * out whichever instance sends them. Keys are `<prefix>pace:<sha-256 tag>`
 * of the pacer key, which itself holds only a channel name and a hashed
 * conversation key.
 */
export class RedisPacer implements Pacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async reserve(key: string, pace: Pace, now: number): Promise<number> {
    const { perSecond, burst } = checkPace(pace);
    const interval = 1000 / perSecond;
    const wait = await this.redis.eval(RESERVE, 1, this.key(key), String(now), String(interval), String((burst - 1) * interval));
    return Math.ceil(Number(wait));
  }

  key(key: string): string {
    return `${this.prefix}pace:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
  }
}
