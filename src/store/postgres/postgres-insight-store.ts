import type { Day, InsightCount, InsightIncrement, InsightStore } from '../../insight/store';
import { checkDay, checkIncrements, countFromRow, distinctSeen, sumByKey, type CountKey } from '../insight-rows';
import { inTransaction, run, type PostgresDatabase } from './pool';

/**
 * Insight counts in PostgreSQL, on the PostgresStore's pool (which ends it).
 * A batch is one transaction of two statements: the new once-a-day marks
 * (a mark another instance wrote first is not returned, so not counted),
 * then one upsert adding to every count; rows go in a fixed order, so two
 * instances never wait on each other's locks in a circle.
 */
export class PostgresInsightStore implements InsightStore {
  constructor(private readonly db: PostgresDatabase) {}

  async add(increments: readonly InsightIncrement[]): Promise<void> {
    checkIncrements(increments);
    if (increments.length === 0) return;
    const marks = distinctSeen(increments);
    await inTransaction(this.db.pool, async (client) => {
      const counted: CountKey[] = increments.filter((inc) => inc.pseudonym === undefined);
      if (marks.length > 0) {
        const { rows } = await run<{ day: string; organisation_id: string; metric: CountKey['metric']; dimension: string }>(
          client,
          `INSERT INTO insight_seen (day, organisation_id, metric, dimension, pseudonym)
           SELECT d, o, me, di, p FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS m(d, o, me, di, p, n)
           ORDER BY n
           ON CONFLICT DO NOTHING
           RETURNING day, organisation_id, metric, dimension`,
          columns(marks, (m) => [m.day, m.organisationId, m.metric, m.dimension, m.pseudonym]),
        );
        for (const r of rows) counted.push({ day: r.day, organisationId: r.organisation_id, metric: r.metric, dimension: r.dimension });
      }
      const sums = sumByKey(counted);
      if (sums.length === 0) return;
      await run(
        client,
        `INSERT INTO insight_counts (day, organisation_id, metric, dimension, count)
         SELECT d, o, me, di, c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) WITH ORDINALITY AS s(d, o, me, di, c, n)
         ORDER BY n
         ON CONFLICT (organisation_id, day, metric, dimension) DO UPDATE SET count = insight_counts.count + excluded.count`,
        columns(sums, (s) => [s.day, s.organisationId, s.metric, s.dimension, s.amount]),
      );
    });
  }

  async counts(organisationId: string, from: Day, to: Day): Promise<InsightCount[]> {
    checkDay(from, 'from');
    checkDay(to, 'to');
    // COLLATE "C": the same order as every store gives, whatever the database's locale.
    const { rows } = await run(
      this.db.pool,
      `SELECT day, organisation_id, metric, dimension, count FROM insight_counts
       WHERE organisation_id = $1 AND day BETWEEN $2 AND $3
       ORDER BY day COLLATE "C", metric COLLATE "C", dimension COLLATE "C"`,
      [organisationId, from, to],
    );
    return rows.map(countFromRow);
  }

  async forget(pseudonym: string): Promise<number> {
    return (await run(this.db.pool, 'DELETE FROM insight_seen WHERE pseudonym = $1', [pseudonym])).rowCount ?? 0;
  }

  async prune(before: Day): Promise<number> {
    checkDay(before, 'before');
    return (await run(this.db.pool, 'DELETE FROM insight_seen WHERE day < $1', [before])).rowCount ?? 0;
  }
}

/** Rows as one array per column, for unnest: one statement, whatever the batch's size. */
function columns<T>(rows: readonly T[], pick: (row: T) => (string | number)[]): (string | number)[][] {
  const out: (string | number)[][] = [];
  for (const row of rows) pick(row).forEach((value, i) => (out[i] ??= []).push(value));
  return out;
}
