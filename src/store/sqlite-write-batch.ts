import type Database from 'better-sqlite3';
import { TickBatch, type Queued } from './sqlite-tick-batch';

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
export class WriteBatch extends TickBatch {
  private readonly tx: Database.Transaction<(writes: readonly Queued[]) => unknown[]>;

  constructor(db: Database.Database) {
    super(db);
    this.tx = db.transaction((writes) => writes.map((w) => w.run()));
  }

  write<T>(run: () => T): Promise<T> {
    return this.enqueue(run);
  }

  protected settle(batch: readonly Queued[]): void {
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

  private alone(w: Queued): void {
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
