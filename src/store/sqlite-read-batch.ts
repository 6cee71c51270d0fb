import type Database from 'better-sqlite3';

interface Read {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Shared read transactions for one SQLite connection. In WAL mode a read
 * outside a transaction opens and closes a read transaction of its own, and
 * that (taking and releasing the WAL's read lock) costs about four times the
 * lookup itself. Reads asked for while the event loop is busy (the turns of
 * many conversations at once) are run together, in order, in one DEFERRED
 * transaction when it is next idle: each still sees a consistent, committed
 * state, no older than the moment it was asked for. A read that throws fails
 * alone; the others of its batch still answer.
 */
export class ReadBatch {
  private queue: Read[] = [];
  private scheduled = false;
  private readonly tx: Database.Transaction<(reads: readonly Read[]) => Array<{ value: unknown } | { err: unknown }>>;

  constructor(private readonly db: Database.Database) {
    this.tx = db.transaction((reads) =>
      reads.map((r) => {
        try {
          return { value: r.run() };
        } catch (err) {
          return { err };
        }
      }),
    );
  }

  read<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Answers what is queued now; the store calls it before closing, so no read is left waiting. */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    if (!this.db.open) {
      for (const r of batch) r.reject(new TypeError('The database connection is not open'));
      return;
    }
    let results: Array<{ value: unknown } | { err: unknown }>;
    try {
      results = this.tx.deferred(batch);
    } catch (err) {
      // The transaction itself could not begin or end: every read of it fails with that error.
      for (const r of batch) r.reject(err);
      return;
    }
    batch.forEach((r, i) => {
      const result = results[i]!;
      if ('err' in result) r.reject(result.err);
      else r.resolve(result.value);
    });
  }
}
