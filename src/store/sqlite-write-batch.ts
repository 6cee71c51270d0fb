import type Database from 'better-sqlite3';

interface Write {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for one SQLite connection. Writes asked for while the event
 * loop is busy (the turns of many conversations at once) are run together,
 * in order, in one IMMEDIATE transaction when it is next idle: one commit
 * instead of one each, which is most of what a write costs. A write's promise
 * settles only after the commit that holds it, so whoever waits for it (the
 * engine, before delivering a turn's replies) never acts on a write that
 * could still be lost. If any write of a batch throws, the batch is rolled
 * back and each write is run again in a transaction of its own, so a write
 * fails alone, exactly as it would have without batching.
 */
export class WriteBatch {
  private queue: Write[] = [];
  private scheduled = false;
  private readonly tx: Database.Transaction<(writes: readonly Write[]) => unknown[]>;

  constructor(private readonly db: Database.Database) {
    this.tx = db.transaction((writes) => writes.map((w) => w.run()));
  }

  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Runs what is queued now; the store calls it before closing, so nothing asked for is lost. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (!this.db.open) {
      for (const w of batch) w.reject(new TypeError('The database connection is not open'));
      return;
    }
    let results: unknown[];
    try {
      results = this.tx.immediate(batch);
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else for (const w of batch) this.alone(w);
      return;
    }
    batch.forEach((w, i) => w.resolve(results[i]));
  }

  private alone(w: Write): void {
    let result: unknown[];
    try {
      result = this.tx.immediate([w]);
    } catch (err) {
      w.reject(err);
      return;
    }
    w.resolve(result[0]);
  }
}
