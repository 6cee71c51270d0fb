import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeIfAvailable } from './needs';

/** The Redis the tests use: 127.0.0.1:6379 here and in CI, or TEST_REDIS_URL. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers PING, asked once per test file, synchronously, so that describe blocks can skip. */
function redisAnswers(url: string): boolean {
  const probe = `
    const { Redis } = require('ioredis');
    const r = new Redis(process.argv[1], { lazyConnect: true, connectTimeout: 1500, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    r.connect().then(() => r.ping()).then((p) => process.exit(p === 'PONG' ? 0 : 1), () => process.exit(1));`;
  const result = spawnSync(process.execPath, ['-e', probe, url], { timeout: 5000, cwd: __dirname });
  return result.status === 0;
}

const available = redisAnswers(TEST_REDIS_URL);

/**
 * A describe block that needs a real Redis. Without one it is skipped with a
 * message saying why, except under CI=true, where Redis must be there: the
 * block then fails instead of passing by skipping.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  describeIfAvailable(
    available,
    `Redis does not answer at ${TEST_REDIS_URL}`,
    'Start redis-server, or set TEST_REDIS_URL.',
    name,
    fn,
  );
}

/** A key prefix no other test run uses, so that runs in parallel never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `vv-test:${label}:${randomBytes(6).toString('hex')}:`;
}

/** A fresh connection to the test Redis (a separate "instance" when a test opens two). */
export function connectTestRedis(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
}

/** Every key under the prefix, sorted. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

/** Deletes every key under the prefix: a test's clean-up. */
export async function deleteUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}
