import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { hashKey } from '../../util/hash-key';
import { redisErrorFields, type RedisLog } from './connection';
import type { RedisKeys } from './keys';

/**
 * What orders this process's own waiters (the in-memory KeyedLock). Named
 * here by shape: stores do not import the conversation layer.
 */
export interface LocalLock {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Another instance kept the conversation locked longer than a turn may wait; nothing was done. */
export class LockTimeoutError extends Error {
  constructor(conversationTag: string, waitedMs: number) {
    const waited = waitedMs >= 1000 ? `${Math.round(waitedMs / 1000)} s` : `${waitedMs} ms`;
    super(`conversation ${conversationTag} stayed locked by another instance for ${waited}; the message was not handled, send it again`);
    this.name = 'LockTimeoutError';
  }
}

export interface RedisLockOptions {
  keys: RedisKeys;
  /**
   * How long a lock outlives its holder's last renewal: how long a
   * conversation stays blocked when an instance dies mid-turn.
   */
  leaseMs: number;
  /** How long a turn waits for another instance's turn; three leases by default, so a dead holder's lease runs out first. */
  waitMs?: number;
  /** Orders this process's waiters first, so that only the first of them asks Redis. */
  local: LocalLock;
  log: RedisLog;
}

/** Takes the lock if it is free, or already ours (the answer to an earlier try was lost). */
const ACQUIRE = `
local holder = redis.call('get', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

/** Extends the lease only while the lock is still ours. */
const RENEW = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0`;

/** Frees the lock only if it is still ours: after a lost lease it may be another instance's. */
const RELEASE = `
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0`;

const FIRST_PAUSE_MS = 5;
const MAX_PAUSE_MS = 100;

/**
 * The per-conversation lock across instances: a Redis key set with a random
 * token and a lease, renewed every third of the lease while the turn runs,
 * and freed only by the token that set it. A killed instance stops renewing,
 * so its locks free themselves after one lease.
 *
 * The lock keeps turns of one conversation apart and in arrival order per
 * instance; it is not what keeps data right. If Redis loses the key
 * (a restart, a failover) or a holder stalls past its lease, two turns can
 * overlap, and the store's revision check then refuses the second commit,
 * which the engine retries on the new record. Nothing is written twice.
 */
export class RedisLock {
  private readonly waitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisLockOptions,
  ) {
    this.waitMs = opts.waitMs ?? 3 * opts.leaseMs;
  }

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.opts.local.run(key, () => this.hold(key, fn));
  }

  private async hold<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const redisKey = this.opts.keys.lock(key);
    const token = randomBytes(16).toString('hex');
    await this.acquire(redisKey, token, key);
    const renewal = this.renew(redisKey, token, key);
    try {
      return await fn();
    } finally {
      renewal.stop();
      await this.release(redisKey, token, key);
    }
  }

  private async acquire(redisKey: string, token: string, key: string): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    let pause = FIRST_PAUSE_MS;
    for (;;) {
      if ((await this.redis.eval(ACQUIRE, 1, redisKey, token, this.opts.leaseMs)) === 1) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new LockTimeoutError(hashKey(key), this.waitMs);
      // Jitter, so that instances waiting for one conversation do not ask in step.
      await sleep(Math.min(left, pause * (0.5 + Math.random() / 2)));
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
  }

  private renew(redisKey: string, token: string, key: string): { stop(): void } {
    let stopped = false;
    const timer = setInterval(() => {
      this.redis.eval(RENEW, 1, redisKey, token, this.opts.leaseMs).then(
        (held) => {
          if (held === 1 || stopped) return;
          // Nothing can stop the turn safely half-way; the store's revision check guards its commit.
          stopped = true;
          clearInterval(timer);
          this.opts.log.warn({ event: 'lock-lost', conversation: hashKey(key) });
        },
        (err: unknown) => {
          if (!stopped) this.opts.log.warn({ event: 'lock-renew-failed', conversation: hashKey(key), ...redisErrorFields(err) });
        },
      );
    }, Math.max(1, Math.floor(this.opts.leaseMs / 3)));
    timer.unref();
    return {
      stop: () => {
        stopped = true;
        clearInterval(timer);
      },
    };
  }

  private async release(redisKey: string, token: string, key: string): Promise<void> {
    try {
      await this.redis.eval(RELEASE, 1, redisKey, token);
    } catch (err) {
      // The turn is done and committed; the lease frees the lock in a moment.
      this.opts.log.warn({ event: 'lock-release-failed', conversation: hashKey(key), ...redisErrorFields(err) });
    }
  }
}
