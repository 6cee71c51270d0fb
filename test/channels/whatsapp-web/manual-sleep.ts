import type { Sleep } from '../../../src/channels/whatsapp-web/timing';
import type { Logger } from '../../../src/conversation/logger';

interface Wait {
  ms: number;
  resolve: (slept: boolean) => void;
}

/** Lets pending promise callbacks run (several rounds: chains of awaits). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A sleep that never ends by itself: a test ends the waits it chooses, so
 * that back-off and timeouts are checked without waiting, and in order.
 */
export class ManualSleep {
  /** Every wait asked for, in order, in ms. */
  readonly asked: number[] = [];
  private readonly pending: Wait[] = [];

  readonly sleep: Sleep = (ms, signal) =>
    new Promise((resolve) => {
      this.asked.push(ms);
      if (signal?.aborted) return resolve(false);
      const wait: Wait = { ms, resolve };
      this.pending.push(wait);
      signal?.addEventListener(
        'abort',
        () => {
          this.remove(wait);
          resolve(false);
        },
        { once: true },
      );
    });

  /** The lengths of the waits still running. */
  get waiting(): number[] {
    return this.pending.map((w) => w.ms);
  }

  /** Ends the oldest running wait of this length, then lets what follows it run. */
  async elapse(ms: number): Promise<void> {
    const wait = this.pending.find((w) => w.ms === ms);
    if (!wait) throw new Error(`no wait of ${ms} ms is running (running: ${this.waiting.join(', ') || 'none'})`);
    this.remove(wait);
    wait.resolve(true);
    await settle();
  }

  private remove(wait: Wait): void {
    const i = this.pending.indexOf(wait);
    if (i >= 0) this.pending.splice(i, 1);
  }
}

/** A logger that keeps what it is given. */
export function recordingLogger(): Logger & { lines: Record<string, unknown>[]; events: (name: string) => Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const keep = (level: string) => (o: object) => void lines.push({ level, ...o });
  const log = {
    lines,
    events: (name: string) => lines.filter((l) => l.event === name),
    info: keep('info'),
    warn: keep('warn'),
    error: keep('error'),
    child: (): Logger => log,
  };
  return log;
}
