import { daysOf, type DayRange } from './range';
import { INSIGHT_METRICS, type Day, type InsightCount, type InsightMetric } from './store';
import { FEWER_THAN, suppress, suppressedTotal, type ShownCount, type ShownTotal } from './suppress';

export interface MetricSeries {
  /** One total per day of `days`, over the metric's dimensions. */
  byDay: ShownTotal[];
  /** One total per dimension over the range: most shown first, then by name. */
  byDimension: { dimension: string; total: ShownTotal }[];
  /** Each count the store holds (never 0), as the CSV has them. */
  rows: { day: Day; dimension: string; count: ShownCount }[];
}

export interface InsightSeries extends DayRange {
  fewerThan: typeof FEWER_THAN;
  days: Day[];
  metrics: Record<InsightMetric, MetricSeries>;
}

/**
 * The counts of a range as the dashboard draws them, suppressed: every total
 * is built from the per-day, per-dimension counts by `suppressedTotal`, so no
 * total can be set against the rows to recover a hidden count.
 */
export function insightSeries(range: DayRange, counts: readonly InsightCount[]): InsightSeries {
  const days = daysOf(range);
  const metrics = {} as Record<InsightMetric, MetricSeries>;
  for (const metric of INSIGHT_METRICS) {
    const mine = counts.filter((c) => c.metric === metric && c.day >= range.from && c.day <= range.to);
    const dimensions = [...new Set(mine.map((c) => c.dimension))];
    const byDimension = dimensions
      .map((dimension) => ({ dimension, total: suppressedTotal(mine.filter((c) => c.dimension === dimension).map((c) => c.count)) }))
      .sort((a, b) => b.total.shown - a.total.shown || b.total.hidden - a.total.hidden || a.dimension.localeCompare(b.dimension));
    metrics[metric] = {
      byDay: days.map((day) => suppressedTotal(mine.filter((c) => c.day === day).map((c) => c.count))),
      byDimension,
      rows: mine.map((c) => ({ day: c.day, dimension: c.dimension, count: suppress(c.count) })),
    };
  }
  return { from: range.from, to: range.to, fewerThan: FEWER_THAN, days, metrics };
}
