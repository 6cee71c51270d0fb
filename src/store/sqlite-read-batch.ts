import type Database from 'better-sqlite3';
import { TickBatch, type Queued } from './sqlite-tick-batch';

type Outcome = { value: unknown } | { err: unknown };

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
export class ReadBatch extends TickBatch {
  private readonly tx: Database.Transaction<(reads: readonly Queued[]) => Outcome[]>;

  constructor(db: Database.Database) {
    super(db);
    this.tx = db.transaction((reads) =>
      reads.map((r): Outcome => {
        try {
          return { value: r.run() };
        } catch (err) {
          return { err };
        }
      }),
    );
  }

  read<T>(run: () => T): Promise<T> {
    return this.enqueue(run);
  }

  protected settle(batch: readonly Queued[]): void {
    let results: Outcome[];
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
