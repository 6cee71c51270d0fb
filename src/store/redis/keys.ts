import { createHash } from 'node:crypto';

/**
 * Every Redis key this app writes starts with REDIS_KEY_PREFIX (default
 * `vv:`), so one prefix finds them all: to isolate test runs, to share one
 * Redis between deployments, and for the data-rights scan. BullMQ's queues
 * take the same prefix (`<prefix>bull:…`, set where the queues are built).
 *
 * No key or value below holds a user id, conversation id, phone number or
 * message id in clear: each is a SHA-256 tag, so a key listing leaks nothing
 * readable, and each key about a person is deleted with their data.
 *
 * | key                                 | type   | holds                                   | about a user? | lives |
 * |-------------------------------------|--------|-----------------------------------------|---------------|-------|
 * | `<prefix>lock:<tag(conversation)>`  | string | a random token of the holding instance  | yes (its tag) | until released, at most the lease |
 * | `<prefix>seen:<tag(channel, user)>` | zset   | tags of the user's handled message ids  | yes (its tag) | DEDUP_TTL_MS after the last mark; deleted on "delete my data" |
 * | `<prefix>rate:<tag(key)>`           | hash   | a conversation's message token bucket   | yes (its tag) | until the bucket is full again; deleted on "delete my data" |
 * | `<prefix>fail:<limit>:<tag(key)>`   | zset   | times of failed console logins          | staff only    | the limit's window |
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** The per-conversation lock. */
  lock(conversationKey: string): string {
    return `${this.prefix}lock:${tag(conversationKey)}`;
  }

  /** The message ids one user has had handled on one channel, recently. */
  seen(channel: string, userId: string): string {
    return `${this.prefix}seen:${tag(`${channel}\u0000${userId}`)}`;
  }

  /** One conversation's message rate bucket (the key is already a hash of the conversation key). */
  rate(key: string): string {
    return `${this.prefix}rate:${tag(key)}`;
  }

  /** Failures counted by one limit (`login-email`) for one key (an email tag, an address). */
  failures(limit: string, key: string): string {
    return `${this.prefix}fail:${limit}:${tag(key)}`;
  }
}

/** 128 bits of SHA-256: no collisions in practice, and no id readable in a key listing. */
export function tag(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
