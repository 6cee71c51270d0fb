import type Database from 'better-sqlite3';
import { TickQueue } from './tick-queue';

/** One queued statement (or a few): what runs inside the shared transaction, and who waits for it. */
export interface Queued {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Work for one SQLite connection asked for while the event loop is busy (the
 * turns of many conversations at once), run together when it is next idle:
 * the queue (TickQueue schedules it) and the refusal once the connection is closed.
 * Subclasses decide how a batch runs and settles.
 */
export abstract class TickBatch {
  private readonly queue = new TickQueue<Queued>((batch) => this.runBatch(batch));

  constructor(protected readonly db: Database.Database) {}

  protected enqueue<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject }));
  }

  /** Runs what is queued now; the store calls it before closing, so nothing asked for is left waiting. */
  flush(): void {
    this.queue.flush();
  }

  private runBatch(batch: readonly Queued[]): void {
    if (!this.db.open) {
      for (const q of batch) q.reject(new TypeError('The database connection is not open'));
      return;
    }
    this.settle(batch);
  }

  /** Runs a batch in its transaction and settles every promise of it. */
  protected abstract settle(batch: readonly Queued[]): void;
}
