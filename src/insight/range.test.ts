import { RangeQuery, daysOf, resolveRange } from './range';

const NOW = Date.parse('2026-11-30T15:00:00Z');

describe('resolveRange', () => {
  test('by default the last 30 days up to today', () => {
    expect(resolveRange({}, NOW)).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });

  test('one end alone reaches 30 days from it, never past today', () => {
    expect(resolveRange({ to: '2026-03-01' }, NOW)).toEqual({ from: '2026-01-31', to: '2026-03-01' });
    expect(resolveRange({ from: '2026-01-01' }, NOW)).toEqual({ from: '2026-01-01', to: '2026-01-30' });
    expect(resolveRange({ from: '2026-11-20' }, NOW)).toEqual({ from: '2026-11-20', to: '2026-11-30' });
  });

  test('366 days at most, and never backwards', () => {
    expect(resolveRange({ from: '2024-01-01', to: '2024-12-31' }, NOW)).toEqual({ from: '2024-01-01', to: '2024-12-31' });
    expect(resolveRange({ from: '2024-01-01', to: '2025-01-01' }, NOW)).toBe('the range is 367 days; at most 366');
    expect(resolveRange({ from: '2026-02-02', to: '2026-02-01' }, NOW)).toBe('from: must not be after to');
    expect(resolveRange({ from: '2026-02-02', to: '2026-02-02' }, NOW)).toEqual({ from: '2026-02-02', to: '2026-02-02' });
  });
});

describe('RangeQuery', () => {
  test('only real calendar days as YYYY-MM-DD, each given once', () => {
    expect(RangeQuery.safeParse({ from: '2024-02-29' }).success).toBe(true);
    for (const bad of ['2026-02-29', '2026-13-01', '26-01-01', '2026-1-1', '2026-01-01T00:00:00Z', ['2026-01-01', '2026-01-02']]) {
      expect(RangeQuery.safeParse({ from: bad }).success).toBe(false);
    }
  });
});

describe('daysOf', () => {
  test('every day of the range, both ends included, across a month end', () => {
    expect(daysOf({ from: '2024-02-27', to: '2024-03-01' })).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  });
});
