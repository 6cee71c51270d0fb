import { z } from 'zod';
import { isDay } from '../insight/buckets';
import { INSIGHT_METRICS, type Day, type InsightCount, type InsightIncrement, type InsightMetric } from '../insight/store';

/**
 * What the insight stores share: the checks on what goes in, the reading of
 * what comes back, and the folding of a batch into one row per count.
 */

/** A row of insight_counts as SQLite and PostgreSQL give it back. */
const CountRowSchema = z.object({
  day: z.string().refine(isDay, 'not a YYYY-MM-DD day'),
  organisation_id: z.string(),
  metric: z.enum(INSIGHT_METRICS),
  dimension: z.string(),
  count: z.number().int().nonnegative(),
});

export function countFromRow(raw: unknown): InsightCount {
  const row = CountRowSchema.parse(raw);
  return { day: row.day, organisationId: row.organisation_id, metric: row.metric, dimension: row.dimension, count: row.count };
}

export function checkDay(day: Day, what: string): void {
  if (!isDay(day)) throw new RangeError(`${what} must be a YYYY-MM-DD day, got ${JSON.stringify(day)}`);
}

const METRICS: ReadonlySet<string> = new Set(INSIGHT_METRICS);

/** Refuses the whole batch before anything is written: a bad increment is a bug, not data. */
export function checkIncrements(increments: readonly InsightIncrement[]): void {
  increments.forEach((inc, i) => {
    checkDay(inc.day, `increments[${i}].day`);
    if (!METRICS.has(inc.metric)) throw new RangeError(`increments[${i}].metric is not an insight metric`);
    if (inc.organisationId === '') throw new RangeError(`increments[${i}].organisationId is empty`);
    if (inc.pseudonym === '') throw new RangeError(`increments[${i}].pseudonym is empty`);
  });
}

/** One count's key: day, organisation, metric and dimension. */
export interface CountKey {
  day: Day;
  organisationId: string;
  metric: InsightMetric;
  dimension: string;
}

export interface KeyedAmount extends CountKey {
  amount: number;
}

const keyOf = (k: CountKey): string => JSON.stringify([k.day, k.organisationId, k.metric, k.dimension]);

/** Compares field by field, by UTF-16 code units: the order of SQLite's BINARY and PostgreSQL's "C" collation for these strings. */
export function compareFields(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return a.length - b.length;
}

/**
 * Sums increments per count, in one fixed order: an upsert must not touch a
 * row twice, and two processes taking row locks in the same order cannot
 * deadlock each other.
 */
export function sumByKey(keys: readonly CountKey[]): KeyedAmount[] {
  const sums = new Map<string, KeyedAmount>();
  for (const k of keys) {
    const id = keyOf(k);
    const sum = sums.get(id);
    if (sum) sum.amount++;
    else sums.set(id, { day: k.day, organisationId: k.organisationId, metric: k.metric, dimension: k.dimension, amount: 1 });
  }
  const fields = (k: CountKey) => [k.day, k.organisationId, k.metric, k.dimension];
  return [...sums.values()].sort((a, b) => compareFields(fields(a), fields(b)));
}

/** The once-a-day increments of a batch without repeats, in a fixed order (for the same reason). */
export function distinctSeen(increments: readonly InsightIncrement[]): (CountKey & { pseudonym: string })[] {
  const seen = new Map<string, CountKey & { pseudonym: string }>();
  for (const inc of increments) {
    if (inc.pseudonym === undefined) continue;
    const id = JSON.stringify([inc.day, inc.organisationId, inc.metric, inc.dimension, inc.pseudonym]);
    seen.set(id, { day: inc.day, organisationId: inc.organisationId, metric: inc.metric, dimension: inc.dimension, pseudonym: inc.pseudonym });
  }
  const fields = (m: CountKey & { pseudonym: string }) => [m.day, m.organisationId, m.metric, m.dimension, m.pseudonym];
  return [...seen.values()].sort((a, b) => compareFields(fields(a), fields(b)));
}
