import { Redis } from 'ioredis';

/** The slice of pino these modules log through (stores do not import the conversation layer's Logger). */
export interface RedisLog {
  info(obj: object): void;
  warn(obj: object): void;
}

/** An error as a log field: never the URL (it may carry a password), never a key. */
export function redisErrorFields(err: unknown): object {
  return err instanceof Error ? { err: { type: err.name, message: err.message } } : { err: { type: typeof err } };
}

/**
 * How long one command may take before it fails. A partitioned Redis would
 * otherwise hold a turn (and the person's reply) for as long as TCP waits.
 */
const COMMAND_TIMEOUT_MS = 5_000;

/**
 * The app's Redis connection (ioredis). A command fails after two reconnect
 * attempts instead of queueing for minutes: the turn then fails, the webhook
 * answers 5xx and the platform sends the message again later. Outages are
 * logged once each, when they start and when Redis is back.
 */
export function connectRedis(url: string, log: RedisLog): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 2,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    // Reconnect quickly at first, then every two seconds at most.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  let down = false;
  redis.on('error', (err: unknown) => {
    if (down) return;
    down = true;
    log.warn({ event: 'redis-unavailable', ...redisErrorFields(err) });
  });
  redis.on('ready', () => {
    if (down) log.info({ event: 'redis-back' });
    down = false;
  });
  return redis;
}
