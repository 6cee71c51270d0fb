import type { InsightIncrement, InsightMetric } from '../../src/insight/store';
import { useRunningApp } from '../support/server';
import { ConsoleClient, addOrganisation, addUser, loggedIn } from './console-support';

const DAY = 86_400_000;
const today = (): string => new Date().toISOString().slice(0, 10);
const daysAgo = (n: number): string => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);

/** `n` increments of one count: each adds one. */
function times(n: number, organisationId: string, day: string, metric: InsightMetric, dimension = ''): InsightIncrement[] {
  return Array.from({ length: n }, () => ({ day, organisationId, metric, dimension }));
}

interface Total {
  shown: number;
  hidden: number;
}
interface Series {
  from: string;
  to: string;
  fewerThan: number;
  days: string[];
  metrics: Record<string, { byDay: Total[]; byDimension: { dimension: string; total: Total }[]; rows: unknown[] }>;
}

describe('the insight API of the console', () => {
  const running = useRunningApp();
  let qatar: ConsoleClient;
  let qatarAdmin: ConsoleClient;
  let nepal: ConsoleClient;

  beforeAll(async () => {
    const { app, url } = running;
    const qrcs = await addOrganisation(app, 'Qatar Red Crescent', ['QA']);
    const nrcs = await addOrganisation(app, 'Nepal Red Cross', ['NP']);
    await addUser(app, qrcs, 'asha@qrcs.test');
    await addUser(app, qrcs, 'amira@qrcs.test', 'admin');
    await addUser(app, nrcs, 'bikash@nrcs.test');
    await app.insightStore.add([
      ...times(12, qrcs.id, '2026-01-10', 'conversation.started'),
      ...times(3, qrcs.id, '2026-01-11', 'conversation.started'),
      ...times(9, qrcs.id, '2026-01-10', 'language.used', 'ne'),
      ...times(3, qrcs.id, '2026-01-11', 'language.used', 'km'),
      ...times(6, qrcs.id, '2026-01-11', 'flow.left', '=HYPERLINK("x")/ask'),
      ...times(7, qrcs.id, today(), 'sos.raised'),
      // Another organisation's counts, on the same days: never in Qatar's answers.
      ...times(50, nrcs.id, '2026-01-10', 'conversation.started'),
      ...times(20, nrcs.id, '2026-01-11', 'language.used', 'vi'),
    ]);
    qatar = await loggedIn(url, 'asha@qrcs.test');
    qatarAdmin = await loggedIn(url, 'amira@qrcs.test');
    nepal = await loggedIn(url, 'bikash@nrcs.test');
  });

  test('series of the own organisation only, small counts hidden, for both roles', async () => {
    for (const client of [qatar, qatarAdmin]) {
      const res = await client.get<Series>('/insight?from=2026-01-10&to=2026-01-12');
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const series = res.body;
      expect(series).toMatchObject({ from: '2026-01-10', to: '2026-01-12', fewerThan: 5, days: ['2026-01-10', '2026-01-11', '2026-01-12'] });
      expect(series.metrics['conversation.started']!.byDay).toEqual([
        { shown: 12, hidden: 0 },
        { shown: 0, hidden: 1 },
        { shown: 0, hidden: 0 },
      ]);
      expect(series.metrics['conversation.started']!.rows).toEqual([
        { day: '2026-01-10', dimension: '', count: 12 },
        { day: '2026-01-11', dimension: '', count: { fewerThan: 5 } },
      ]);
      expect(series.metrics['language.used']!.byDimension).toEqual([
        { dimension: 'ne', total: { shown: 9, hidden: 0 } },
        { dimension: 'km', total: { shown: 0, hidden: 1 } },
      ]);
      expect(JSON.stringify(series)).not.toContain('"vi"');
      expect(JSON.stringify(series)).not.toMatch(/"(shown|count)":[1-4]\b/);
    }
    const theirs = await nepal.get<Series>('/insight?from=2026-01-10&to=2026-01-12');
    expect(theirs.body.metrics['conversation.started']!.byDay[0]).toEqual({ shown: 50, hidden: 0 });
    expect(theirs.body.metrics['language.used']!.byDimension).toEqual([{ dimension: 'vi', total: { shown: 20, hidden: 0 } }]);
    expect(theirs.body.metrics['flow.left']!.rows).toEqual([]);
  });

  test('by default the last 30 days up to today', async () => {
    const res = await qatar.get<Series>('/insight');
    expect(res.status).toBe(200);
    expect(res.body.from).toBe(daysAgo(29));
    expect(res.body.to).toBe(today());
    expect(res.body.days).toHaveLength(30);
    expect(res.body.metrics['sos.raised']!.byDay.at(-1)).toEqual({ shown: 7, hidden: 0 });
  });

  test.each([
    ['from=2026-13-01', 'from: is not a date in the calendar'],
    ['from=2026-02-30&to=2026-03-01', 'from: is not a date in the calendar'],
    ['to=yesterday', 'to: must be a date as YYYY-MM-DD'],
    ['from=2026-01-01&from=2026-01-02', 'from: give it once, as YYYY-MM-DD'],
    ['from=2026-02-02&to=2026-02-01', 'from: must not be after to'],
    ['from=2024-01-01&to=2025-01-01', 'the range is 367 days; at most 366'],
  ])('400 for %s, in JSON and CSV alike', async (query, error) => {
    for (const path of ['/insight', '/insight.csv']) {
      const res = await qatar.get(`${path}?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: expect.stringContaining(error) });
    }
  });

  test('the CSV: exact lines, small counts as "fewer than 5", formulas defused, own organisation only', async () => {
    const res = await fetch(`${running.url}/console/api/insight.csv?from=2026-01-10&to=2026-01-11`, { headers: { cookie: qatar.cookie! } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="insight-2026-01-10-to-2026-01-11.csv"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe(
      [
        'day,metric,dimension,count',
        '2026-01-10,conversation.started,,12',
        '2026-01-10,language.used,ne,9',
        '2026-01-11,conversation.started,,fewer than 5',
        `2026-01-11,flow.left,"'=HYPERLINK(""x"")/ask",6`,
        '2026-01-11,language.used,km,fewer than 5',
        '',
      ].join('\r\n'),
    );
  });

  test('nothing without a session', async () => {
    const stranger = new ConsoleClient(running.url);
    expect((await stranger.get('/insight')).status).toBe(401);
    const csv = await fetch(`${running.url}/console/api/insight.csv`);
    expect(csv.status).toBe(401);
    expect(await csv.text()).not.toContain('conversation.started');
  });
});
