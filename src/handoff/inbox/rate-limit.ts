/**
 * Failed logins counted per key (an email, a client address) in a sliding
 * window. The port has two implementations: in this process's memory (one
 * instance; lost on a restart) and in Redis (src/store/redis), so that
 * instances behind a balancer share one count and a guesser cannot spread
 * attempts across them.
 */
export interface LimitRule {
  /** Failures allowed within the window; one more is refused. */
  max: number;
  windowMs: number;
}

/** Keys tracked at most: beyond it the stalest go first, so a flood of made-up emails cannot exhaust memory. */
const MAX_KEYS = 50_000;

export interface FailureLimiter {
  /** Seconds until the key may try again, or 0 when it may now. */
  retryAfter(key: string): Promise<number>;
  fail(key: string): Promise<void>;
  /** A successful login forgets the email's failures (not the address's: it may be guessing others). */
  forget(key: string): Promise<void>;
}

/** Makes the limiter of one named limit (`login-email`); the name keeps limits apart in a shared store. */
export type FailureLimiterFactory = (name: string, rule: LimitRule) => FailureLimiter;

/** Seconds to wait, from the failures still in the window (oldest first); shared by both implementations. */
export function secondsToWait(recent: readonly number[], rule: LimitRule, now: number): number {
  if (recent.length < rule.max) return 0;
  // The window must move past the oldest failure that still counts.
  const oldest = recent[recent.length - rule.max]!;
  return Math.max(1, Math.ceil((oldest + rule.windowMs - now) / 1000));
}

export class MemoryFailureLimiter implements FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rule: LimitRule,
    private readonly clock: () => number,
  ) {}

  async retryAfter(key: string): Promise<number> {
    return secondsToWait(this.recent(key), this.rule, this.clock());
  }

  async fail(key: string): Promise<void> {
    const recent = this.recent(key);
    recent.push(this.clock());
    // Re-inserting keeps the Map in order of last failure, stalest first.
    this.failures.delete(key);
    this.failures.set(key, recent.slice(-this.rule.max));
    while (this.failures.size > MAX_KEYS) {
      const stalest = this.failures.keys().next().value as string;
      this.failures.delete(stalest);
    }
  }

  async forget(key: string): Promise<void> {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock() - this.rule.windowMs;
    const recent = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (recent.length === 0) this.failures.delete(key);
    return recent;
  }
}
