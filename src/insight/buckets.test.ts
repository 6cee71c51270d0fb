import { isDay, replyBucket, utcDay } from './buckets';

const MINUTE = 60_000;

describe('replyBucket', () => {
  it.each([
    [0, '0-5'],
    [4.99, '0-5'],
    [5, '5-15'],
    [14.99, '5-15'],
    [15, '15-60'],
    [59, '15-60'],
    [60, '60-240'],
    [239.9, '60-240'],
    [240, '240-1440'],
    [1439, '240-1440'],
    [1440, '1440+'],
    [10 * 1440, '1440+'],
  ])('puts %p minutes in %s (lower bound included)', (minutes, bucket) => {
    expect(replyBucket(minutes * MINUTE)).toBe(bucket);
  });

  it('takes a clock stepped back as an answer at once', () => {
    expect(replyBucket(-3 * MINUTE)).toBe('0-5');
  });
});

describe('utcDay', () => {
  it('is the UTC date, whatever the local time zone says', () => {
    expect(utcDay(Date.parse('2026-03-14T23:59:59.999Z'))).toBe('2026-03-14');
    expect(utcDay(Date.parse('2026-03-15T00:00:00Z'))).toBe('2026-03-15');
    // 01:00 in Kathmandu is still the day before in UTC.
    expect(utcDay(Date.parse('2026-03-15T01:00:00+05:45'))).toBe('2026-03-14');
  });

  it('gives each time its own day when asked back and forth across midnight, before 1970 too', () => {
    const times = ['2026-03-14T12:00:00Z', '2026-03-14T23:59:59.999Z', '2026-03-15T00:00:00Z', '2026-03-14T00:00:00Z', '2026-03-13T23:59:59.999Z', '1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '1969-12-31T00:00:00Z'];
    for (const t of [...times, ...[...times].reverse()]) expect(utcDay(Date.parse(t))).toBe(t.slice(0, 10));
  });

  it('refuses a time that is not one, as Date does', () => {
    expect(() => utcDay(NaN)).toThrow(RangeError);
  });
});

describe('isDay', () => {
  it('takes calendar days as YYYY-MM-DD only', () => {
    expect(isDay('2026-03-14')).toBe(true);
    expect(isDay('2028-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('2026-3-14')).toBe(false);
    expect(isDay('14/03/2026')).toBe(false);
    expect(isDay('')).toBe(false);
  });
});
