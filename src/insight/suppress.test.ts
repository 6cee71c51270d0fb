import { CSV_FEWER_THAN, shownCountText, suppress, suppressedTotal } from './suppress';

describe('suppress', () => {
  test('1 to 4 become "fewer than 5"; 0 and 5 or more stay exact', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 120].map(suppress)).toEqual([
      0,
      { fewerThan: 5 },
      { fewerThan: 5 },
      { fewerThan: 5 },
      { fewerThan: 5 },
      5,
      6,
      120,
    ]);
  });

  test('only counts are accepted', () => {
    expect(() => suppress(-1)).toThrow(RangeError);
    expect(() => suppress(2.5)).toThrow(RangeError);
    expect(() => suppress(Number.NaN)).toThrow(RangeError);
  });

  test('in CSV a hidden count is the words "fewer than 5"', () => {
    expect(CSV_FEWER_THAN).toBe('fewer than 5');
    expect([0, 3, 7].map((n) => shownCountText(suppress(n)))).toEqual(['0', 'fewer than 5', '7']);
  });
});

describe('suppressedTotal', () => {
  test('adds only the shown parts and counts the hidden ones', () => {
    expect(suppressedTotal([9, 11, 3])).toEqual({ shown: 20, hidden: 1 });
    expect(suppressedTotal([4, 4, 4])).toEqual({ shown: 0, hidden: 3 });
    expect(suppressedTotal([0, 5, 0])).toEqual({ shown: 5, hidden: 0 });
    expect(suppressedTotal([])).toEqual({ shown: 0, hidden: 0 });
  });

  test('a total minus its shown parts never gives back a hidden count', () => {
    // Every way of splitting counts into parts: what the total shows is a function of what the parts show.
    for (let a = 0; a <= 8; a += 1) {
      for (let b = 0; b <= 8; b += 1) {
        for (let c = 0; c <= 8; c += 1) {
          const parts = [a, b, c];
          const total = suppressedTotal(parts);
          const shownParts = parts.map(suppress);
          const shownSum = shownParts.reduce<number>((sum, p) => sum + (typeof p === 'number' ? p : 0), 0);
          expect(total.shown - shownSum).toBe(0);
          expect(total.hidden).toBe(shownParts.filter((p) => typeof p !== 'number').length);
        }
      }
    }
  });

  test('two sets of parts that look the same have the same total, whatever the hidden counts were', () => {
    expect(suppressedTotal([9, 1])).toEqual(suppressedTotal([9, 4]));
    expect(suppressedTotal([2, 2, 12])).toEqual(suppressedTotal([4, 3, 12]));
  });
});
