import type Database from 'better-sqlite3';
import { z } from 'zod';
import { INSIGHT_METRICS, type Day, type InsightCount, type InsightIncrement, type InsightMetric, type InsightStore } from '../insight/store';
import { fromJson } from './guards';
import { checkDay, checkIncrements, countFromRow, distinctSeen, sumByKey, type CountKey } from './insight-rows';
import { MIGRATIONS } from './sqlite-schema';

/**
 * Insight counts in the conversations' SQLite file, on the SqliteStore's
 * connection (which owns and closes it). A batch is one IMMEDIATE
 * transaction: a mark and the count it allows land together, and a second
 * process on the same file waits for it instead of reading half of it. A
 * person's once-a-day marks of one day and organisation share one row.
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
      // A person's first mark of the day: the common case, one statement.
      insertMarks: db.prepare(
        'INSERT INTO insight_seen (pseudonym, day, organisation_id, marks) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      marks: db.prepare('SELECT marks FROM insight_seen WHERE pseudonym = ? AND day = ? AND organisation_id = ?').pluck(),
      setMarks: db.prepare('UPDATE insight_seen SET marks = ? WHERE pseudonym = ? AND day = ? AND organisation_id = ?'),
      bump: db.prepare(
        `INSERT INTO insight_counts (day, organisation_id, metric, dimension, count)
         VALUES (@day, @organisationId, @metric, @dimension, @amount)
         ON CONFLICT (organisation_id, day, metric, dimension) DO UPDATE SET count = count + excluded.count`,
      ),
      counts: db.prepare(
        `SELECT day, organisation_id, metric, dimension, count FROM insight_counts
         WHERE organisation_id = ? AND day BETWEEN ? AND ? ORDER BY day, metric, dimension`,
      ),
      // The number of marks, not of rows: a row holds all of one person's marks of a day.
      forget: db.prepare('DELETE FROM insight_seen WHERE pseudonym = ? RETURNING json_array_length(marks)').pluck(),
      prune: db.prepare('DELETE FROM insight_seen WHERE day < ? RETURNING json_array_length(marks)').pluck(),
    };
    this.addTx = db.transaction((increments) => {
      const counted: CountKey[] = increments.filter((inc) => inc.pseudonym === undefined);
      // Counted only when the mark is new: another process may have counted this person today already.
      for (const person of marksByPerson(distinctSeen(increments))) counted.push(...this.mark(person));
      for (const sum of sumByKey(counted)) this.sql.bump.run(sum);
    });
  }

  /** Marks one person's day in one organisation; gives back the marks that were not there yet. */
  private mark({ pseudonym, day, organisationId, marks }: PersonMarks): CountKey[] {
    const fresh = (pairs: readonly MarkPair[]) => pairs.map(([metric, dimension]) => ({ day, organisationId, metric, dimension }));
    if (this.sql.insertMarks.run(pseudonym, day, organisationId, JSON.stringify(marks)).changes === 1) return fresh(marks);
    const text = this.sql.marks.get(pseudonym, day, organisationId) as string;
    const stored = StoredMarksSchema.parse(fromJson(text, { table: 'insight_seen', column: 'marks', row: 'a person’s day' }));
    const had = new Set(stored.map((pair) => JSON.stringify(pair)));
    const added = marks.filter((pair) => !had.has(JSON.stringify(pair)));
    if (added.length > 0) this.sql.setMarks.run(JSON.stringify([...stored, ...added]), pseudonym, day, organisationId);
    return fresh(added);
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
    return sum(this.sql.forget.all(pseudonym) as number[]);
  }

  async prune(before: Day): Promise<number> {
    checkDay(before, 'before');
    return sum(this.sql.prune.all(before) as number[]);
  }
}

type MarkPair = [metric: InsightMetric, dimension: string];

/** A row's marks as stored: read back only when the person was marked that day already. */
const StoredMarksSchema = z.array(z.tuple([z.enum(INSIGHT_METRICS), z.string()]));

interface PersonMarks {
  pseudonym: string;
  day: Day;
  organisationId: string;
  marks: MarkPair[];
}

/** The marks of a batch grouped by person, day and organisation, keeping distinctSeen's fixed order. */
function marksByPerson(seen: ReturnType<typeof distinctSeen>): PersonMarks[] {
  const people = new Map<string, PersonMarks>();
  for (const m of seen) {
    const id = JSON.stringify([m.pseudonym, m.day, m.organisationId]);
    const person = people.get(id);
    if (person) person.marks.push([m.metric, m.dimension]);
    else people.set(id, { pseudonym: m.pseudonym, day: m.day, organisationId: m.organisationId, marks: [[m.metric, m.dimension]] });
  }
  return [...people.values()];
}

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
