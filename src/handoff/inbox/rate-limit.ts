/**
 * Failed logins counted per key (an email, a client address) in a sliding
 * window. Kept in this process's memory: right for one instance, and lost on
 * a restart; with several instances behind a balancer each would count
 * apart, so issue 8 moves the counts to Redis.
 */
export interface LimitRule {
  /** Failures allowed within the window; one more is refused. */
  max: number;
  windowMs: number;
}

/** Keys tracked at most: beyond it the stalest go first, so a flood of made-up emails cannot exhaust memory. */
const MAX_KEYS = 50_000;

export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly rule: LimitRule,
    private readonly clock: () => number,
  ) {}

  /** Seconds until the key may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.rule.max) return 0;
    // The window must move past the oldest failure that still counts.
    const oldest = recent[recent.length - this.rule.max]!;
    return Math.max(1, Math.ceil((oldest + this.rule.windowMs - this.clock()) / 1000));
  }

  fail(key: string): void {
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

  /** A successful login forgets the email's failures (not the address's: it may be guessing others). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = this.clock() - this.rule.windowMs;
    const recent = (this.failures.get(key) ?? []).filter((t) => t > since);
    if (recent.length === 0) this.failures.delete(key);
    return recent;
  }
}
