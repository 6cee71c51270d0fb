/**
 * Aggregate counts of what people do with the bot, per UTC day and
 * organisation: never text, never a raw user id. A count that must not count
 * one person twice a day (languages, countries) carries a pseudonym (an HMAC
 * of the user id, src/insight/pseudonym.ts); the store keeps the pseudonym
 * only as a "seen today" mark, pruned after a few days.
 */

export const INSIGHT_METRICS = [
  'conversation.started',
  'flow.started',
  'flow.finished',
  /** dimension: `<flow>/<step>`, the step the person was at when another flow replaced it. */
  'flow.left',
  'sos.raised',
  /** dimension: `<category>/<priority>`. */
  'case.opened',
  /** dimension: a bucket of minutes to the first caseworker reply (`0-5`, `5-15`, `15-60`, `60-240`, `240-1440`, `1440+`). */
  'case.first_reply',
  /** dimension: the locale. Counted once per person per day. */
  'language.used',
  /** dimension: ISO country code, or `unknown`. Counted once per person per day. */
  'country.current',
  'country.origin',
] as const;
export type InsightMetric = (typeof INSIGHT_METRICS)[number];

/** A UTC day, `YYYY-MM-DD`. */
export type Day = string;

export interface InsightIncrement {
  day: Day;
  organisationId: string;
  metric: InsightMetric;
  /** What is counted within the metric (a flow id, a locale); '' when nothing. */
  dimension: string;
  /** Counted at most once per pseudonym per day, metric and dimension; none: always counted. */
  pseudonym?: string;
}

export interface InsightCount {
  day: Day;
  organisationId: string;
  metric: InsightMetric;
  dimension: string;
  count: number;
}

export interface InsightStore {
  /** Adds one to each increment's count, atomically for the batch. */
  add(increments: readonly InsightIncrement[]): Promise<void>;
  /** The counts of one organisation from `from` to `to` (both included), ordered by day, metric, dimension. */
  counts(organisationId: string, from: Day, to: Day): Promise<InsightCount[]>;
  /** "Delete my data": drops the person's seen marks. Counts stay: they are not about anyone. */
  forget(pseudonym: string): Promise<number>;
  /** Drops seen marks of days before `before`; returns how many. */
  prune(before: Day): Promise<number>;
}
