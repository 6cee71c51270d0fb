/**
 * How fast one conversation may send: a token bucket. A person may send
 * `burst` messages at once; after that, `perWindow` messages per `windowMs`
 * (the bucket refills at that rate, up to `burst`).
 */
export interface RateRule {
  burst: number;
  perWindow: number;
  windowMs: number;
}

export type RateVerdict =
  | { allowed: true }
  | {
      allowed: false;
      /**
       * True for the first refusal since the person was last told (at most
       * once per window): the bot says "slow down" once, then stays quiet.
       */
      notify: boolean;
      /** When the next message would be allowed, in ms from now. */
      retryAfterMs: number;
    };

/**
 * The per-conversation message limit. Keys are opaque to it (the engine
 * passes a hash of the conversation key, never a phone number or chat id).
 * One implementation keeps buckets in this process (one instance); one on
 * Redis shares them between instances. Both follow the same rule and the
 * same verdicts, given the same sequence of `take` calls.
 */
export interface MessageRateLimiter {
  /** Counts one message of `key` at `now` (ms since the epoch) and says whether it may be handled. */
  take(key: string, now: number): Promise<RateVerdict>;
  /** Forgets the key's bucket ("delete my data"): nothing about the conversation is kept. */
  forget(key: string): Promise<void>;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date. */
  at: number;
  /** When the person was last told to slow down; null if not within the current flood. */
  toldAt: number | null;
}

/** Buckets kept at most: beyond it the stalest go first (a lost bucket is a full one, so the cost is leniency). */
const MAX_KEYS = 100_000;

/** The token bucket one step: refill for the time passed, then take a token if there is one. */
export function takeToken(rule: RateRule, bucket: Bucket | undefined, now: number): { bucket: Bucket; verdict: RateVerdict } {
  const previous = bucket ?? { tokens: rule.burst, at: now, toldAt: null };
  // A clock that steps back refills nothing rather than draining the bucket.
  const elapsed = Math.max(0, now - previous.at);
  const tokens = Math.min(rule.burst, previous.tokens + (elapsed * rule.perWindow) / rule.windowMs);
  const at = Math.max(previous.at, now);
  if (tokens >= 1) {
    return { bucket: { tokens: tokens - 1, at, toldAt: previous.toldAt }, verdict: { allowed: true } };
  }
  const notify = previous.toldAt === null || now - previous.toldAt >= rule.windowMs;
  const retryAfterMs = Math.ceil(((1 - tokens) * rule.windowMs) / rule.perWindow);
  return {
    bucket: { tokens, at, toldAt: notify ? now : previous.toldAt },
    verdict: { allowed: false, notify, retryAfterMs },
  };
}

/** Buckets in this process's memory: right for one instance; several instances need the shared (Redis) one. */
export class MemoryRateLimiter implements MessageRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly rule: RateRule) {
    if (!(rule.burst >= 1 && rule.perWindow > 0 && rule.windowMs > 0)) {
      throw new RangeError('a rate rule needs a burst of at least 1, and a positive rate and window');
    }
  }

  async take(key: string, now: number): Promise<RateVerdict> {
    const { bucket, verdict } = takeToken(this.rule, this.buckets.get(key), now);
    // Re-inserting keeps the Map in order of last use, stalest first.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    while (this.buckets.size > MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value as string);
    return verdict;
  }

  async forget(key: string): Promise<void> {
    this.buckets.delete(key);
  }

  /** Buckets held now (tests: memory stays bounded). */
  get size(): number {
    return this.buckets.size;
  }
}
