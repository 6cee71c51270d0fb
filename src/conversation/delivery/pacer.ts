/** A sending rate: `perSecond` on average, and up to `burst` sends at once after a quiet spell. */
export interface Pace {
  perSecond: number;
  burst: number;
}

/**
 * Spaces sends out to keep within a platform's rate limits. `reserve` books
 * the next free slot for one send and says how long to wait for it, so that
 * a burst of sends is spread evenly instead of retried in a herd. One
 * implementation keeps the slots in this process; one on Redis shares them
 * between instances. Keys are opaque here (a channel name, or a channel and
 * a hashed conversation key: never a chat id or phone number).
 */
export interface Pacer {
  /** Books one send under `pace` for `key` at `now` (ms); resolves to the wait in ms (0: send now). */
  reserve(key: string, pace: Pace, now: number): Promise<number>;
}

/**
 * The generic cell rate algorithm, one step: `tat` is the time the next send
 * would be due at the steady rate. A send may go `burst - 1` intervals
 * before that, so a quiet key lets `burst` sends through at once, then one
 * per interval. Booking moves `tat` one interval on. The Redis pacer runs
 * the same arithmetic in Lua.
 */
export function gcra(tat: number | undefined, pace: Pace, now: number): { wait: number; tat: number } {
  const interval = 1000 / pace.perSecond;
  const due = Math.max(tat ?? now, now);
  const wait = Math.max(0, due - (pace.burst - 1) * interval - now);
  return { wait: Math.ceil(wait), tat: due + interval };
}

export function checkPace(pace: Pace): Pace {
  if (!(pace.perSecond > 0 && Number.isFinite(pace.perSecond) && Number.isInteger(pace.burst) && pace.burst >= 1)) {
    throw new RangeError('a pace needs a positive rate and a whole burst of at least 1');
  }
  return pace;
}

/** Keys kept before the ones whose slots are all in the past are dropped (they hold nothing a new key would not). */
const PRUNE_AT = 10_000;

/** Slots booked in this process: exact for one instance, per instance for several (use the Redis pacer there). */
export class MemoryPacer implements Pacer {
  private readonly tats = new Map<string, number>();

  async reserve(key: string, pace: Pace, now: number): Promise<number> {
    const { wait, tat } = gcra(this.tats.get(key), checkPace(pace), now);
    this.tats.set(key, tat);
    if (this.tats.size > PRUNE_AT) this.prune(now);
    return wait;
  }

  /** Keys held now (tests: memory stays bounded). */
  get size(): number {
    return this.tats.size;
  }

  private prune(now: number): void {
    for (const [key, tat] of this.tats) if (tat <= now) this.tats.delete(key);
  }
}
