import type Database from 'better-sqlite3';

/** One queued statement (or a few): what runs inside the shared transaction, and who waits for it. */
export interface Queued {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Work for one SQLite connection asked for while the event loop is busy (the
 * turns of many conversations at once), run together when it is next idle:
 * the queue, the scheduling, and the refusal once the connection is closed.
 * Subclasses decide how a batch runs and settles.
 */
export abstract class TickBatch {
  private queue: Queued[] = [];
  private scheduled = false;

  constructor(protected readonly db: Database.Database) {}

  protected enqueue<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now; the store calls it before closing, so nothing asked for is left waiting. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (!this.db.open) {
      for (const q of batch) q.reject(new TypeError('The database connection is not open'));
      return;
    }
    this.settle(batch);
  }

  /** Runs a batch in its transaction and settles every promise of it. */
  protected abstract settle(batch: readonly Queued[]): void;
}
