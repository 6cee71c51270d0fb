import { insightSeries } from './series';
import type { InsightCount, InsightMetric } from './store';

const count = (day: string, metric: InsightMetric, dimension: string, n: number): InsightCount => ({
  day,
  organisationId: 'o',
  metric,
  dimension,
  count: n,
});

describe('insightSeries', () => {
  const series = insightSeries({ from: '2026-11-01', to: '2026-11-03' }, [
    count('2026-11-01', 'conversation.started', '', 7),
    count('2026-11-02', 'conversation.started', '', 3),
    count('2026-11-01', 'language.used', 'ne', 9),
    count('2026-11-02', 'language.used', 'ne', 2),
    count('2026-11-02', 'language.used', 'km', 1),
    count('2026-11-03', 'language.used', 'en', 6),
  ]);

  test('one total per day of the range, a small one hidden', () => {
    expect(series.days).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(series.metrics['conversation.started'].byDay).toEqual([
      { shown: 7, hidden: 0 },
      { shown: 0, hidden: 1 },
      { shown: 0, hidden: 0 },
    ]);
  });

  test('totals over days or dimensions add only what is shown', () => {
    expect(series.metrics['language.used'].byDimension).toEqual([
      { dimension: 'ne', total: { shown: 9, hidden: 1 } },
      { dimension: 'en', total: { shown: 6, hidden: 0 } },
      { dimension: 'km', total: { shown: 0, hidden: 1 } },
    ]);
    expect(series.metrics['language.used'].byDay).toEqual([
      { shown: 9, hidden: 0 },
      { shown: 0, hidden: 2 },
      { shown: 6, hidden: 0 },
    ]);
  });

  test('no number anywhere in the answer is a hidden count', () => {
    // `hidden` counts parts (days, kinds), never people: only `shown` and `count` carry counts of people.
    expect(JSON.stringify(series.metrics)).not.toMatch(/"(shown|count)":[1-4]\b/);
    expect(series.metrics['language.used'].rows).toContainEqual({ day: '2026-11-02', dimension: 'km', count: { fewerThan: 5 } });
  });

  test('a metric nobody used is all zeros and empty lists', () => {
    expect(series.metrics['sos.raised']).toEqual({ byDay: [{ shown: 0, hidden: 0 }, { shown: 0, hidden: 0 }, { shown: 0, hidden: 0 }], byDimension: [], rows: [] });
  });
});
