import type Database from 'better-sqlite3';
import type { Day, InsightCount, InsightIncrement, InsightStore } from '../insight/store';
import { checkDay, checkIncrements, countFromRow, distinctSeen, sumByKey, type CountKey } from './insight-rows';
import { MIGRATIONS } from './sqlite-schema';

/**
 * Insight counts in the conversations' SQLite file, on the SqliteStore's
 * connection (which owns and closes it). A batch is one IMMEDIATE
 * transaction: a mark and the count it allows land together, and a second
 * process on the same file waits for it instead of reading half of it.
 */
export class SqliteInsightStore implements InsightStore {
  private readonly addTx: Database.Transaction<(increments: readonly InsightIncrement[]) => void>;
  private readonly sql;

  constructor(db: Database.Database) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== MIGRATIONS.length) {
      throw new Error(`the database is at schema version ${version}, not ${MIGRATIONS.length}: open it with SqliteStore first, which migrates it`);
    }
    this.sql = {
      mark: db.prepare(
        `INSERT INTO insight_seen (day, organisation_id, metric, dimension, pseudonym)
         VALUES (@day, @organisationId, @metric, @dimension, @pseudonym) ON CONFLICT DO NOTHING`,
      ),
      bump: db.prepare(
        `INSERT INTO insight_counts (day, organisation_id, metric, dimension, count)
         VALUES (@day, @organisationId, @metric, @dimension, @amount)
         ON CONFLICT (organisation_id, day, metric, dimension) DO UPDATE SET count = count + excluded.count`,
      ),
      counts: db.prepare(
        `SELECT day, organisation_id, metric, dimension, count FROM insight_counts
         WHERE organisation_id = ? AND day BETWEEN ? AND ? ORDER BY day, metric, dimension`,
      ),
      forget: db.prepare('DELETE FROM insight_seen WHERE pseudonym = ?'),
      prune: db.prepare('DELETE FROM insight_seen WHERE day < ?'),
    };
    this.addTx = db.transaction((increments) => {
      const counted: CountKey[] = increments.filter((inc) => inc.pseudonym === undefined);
      // Counted only when the mark is new: another process may have counted this person today already.
      for (const mark of distinctSeen(increments)) if (this.sql.mark.run(mark).changes === 1) counted.push(mark);
      for (const sum of sumByKey(counted)) this.sql.bump.run(sum);
    });
  }

  async add(increments: readonly InsightIncrement[]): Promise<void> {
    checkIncrements(increments);
    if (increments.length > 0) this.addTx.immediate(increments);
  }

  async counts(organisationId: string, from: Day, to: Day): Promise<InsightCount[]> {
    checkDay(from, 'from');
    checkDay(to, 'to');
    return this.sql.counts.all(organisationId, from, to).map(countFromRow);
  }

  async forget(pseudonym: string): Promise<number> {
    return this.sql.forget.run(pseudonym).changes;
  }

  async prune(before: Day): Promise<number> {
    checkDay(before, 'before');
    return this.sql.prune.run(before).changes;
  }
}
