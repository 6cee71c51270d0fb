import { MemoryRateLimiter, type RateVerdict } from './rate-limit';

const RULE = { burst: 3, perWindow: 3, windowMs: 9000 };
const T0 = 1_700_000_000_000;

async function takeMany(limiter: MemoryRateLimiter, key: string, times: number, now: number): Promise<RateVerdict[]> {
  const verdicts: RateVerdict[] = [];
  for (let i = 0; i < times; i++) verdicts.push(await limiter.take(key, now));
  return verdicts;
}

describe('MemoryRateLimiter (token bucket)', () => {
  it('allows the burst at once, then refuses, telling only the first refusal', async () => {
    const limiter = new MemoryRateLimiter(RULE);
    const verdicts = await takeMany(limiter, 'a', 6, T0);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false, false, false]);
    expect(verdicts.slice(3).map((v) => !v.allowed && v.notify)).toEqual([true, false, false]);
    // One token comes back every windowMs / perWindow = 3 s.
    expect(verdicts[3]).toEqual({ allowed: false, notify: true, retryAfterMs: 3000 });
  });

  it('refills at the rule’s rate, never above the burst', async () => {
    const limiter = new MemoryRateLimiter(RULE);
    await takeMany(limiter, 'a', 3, T0);
    expect((await limiter.take('a', T0 + 2999)).allowed).toBe(false);
    expect((await limiter.take('a', T0 + 3000)).allowed).toBe(true);
    expect((await limiter.take('a', T0 + 3000)).allowed).toBe(false);
    // A long silence refills the bucket to the burst, not beyond.
    const later = await takeMany(limiter, 'a', 4, T0 + 3_600_000);
    expect(later.map((v) => v.allowed)).toEqual([true, true, true, false]);
  });

  it('tells again only once a window has passed since it last told', async () => {
    const limiter = new MemoryRateLimiter(RULE);
    await takeMany(limiter, 'a', 3, T0);
    expect(await limiter.take('a', T0)).toMatchObject({ allowed: false, notify: true });
    // A flood that goes on: a token now and then is let through, but the warning is not repeated within the window.
    expect(await limiter.take('a', T0 + 3000)).toEqual({ allowed: true });
    expect(await limiter.take('a', T0 + 4000)).toMatchObject({ allowed: false, notify: false });
    expect(await limiter.take('a', T0 + 8500)).toMatchObject({ allowed: true });
    expect(await limiter.take('a', T0 + 8500)).toMatchObject({ allowed: false, notify: false });
    // A window after the warning, the next refusal is told again.
    expect(await limiter.take('a', T0 + 9400)).toMatchObject({ allowed: true });
    expect(await limiter.take('a', T0 + 9400)).toMatchObject({ allowed: false, notify: true });
  });

  it('keeps each key apart', async () => {
    const limiter = new MemoryRateLimiter(RULE);
    await takeMany(limiter, 'flood', 10, T0);
    expect((await takeMany(limiter, 'calm', 3, T0)).every((v) => v.allowed)).toBe(true);
  });

  it('neither refills nor drains when the clock steps back', async () => {
    const limiter = new MemoryRateLimiter(RULE);
    await takeMany(limiter, 'a', 2, T0);
    expect((await limiter.take('a', T0 - 60_000)).allowed).toBe(true);
    expect((await limiter.take('a', T0 - 60_000)).allowed).toBe(false);
    expect((await limiter.take('a', T0 + 3000)).allowed).toBe(true);
  });

  it('forgets a key: its next message starts a full bucket', async () => {
    const limiter = new MemoryRateLimiter(RULE);
    await takeMany(limiter, 'a', 5, T0);
    await limiter.forget('a');
    expect(limiter.size).toBe(0);
    expect((await takeMany(limiter, 'a', 3, T0)).every((v) => v.allowed)).toBe(true);
  });

  it('holds a bounded number of buckets, dropping the stalest', async () => {
    const limiter = new MemoryRateLimiter(RULE);
    for (let i = 0; i <= 100_000; i++) await limiter.take(`k${i}`, T0);
    expect(limiter.size).toBe(100_000);
    // k0 was the stalest: dropped, so it has a full bucket again; the newest still has its count.
    expect((await takeMany(limiter, 'k0', 3, T0)).every((v) => v.allowed)).toBe(true);
    expect((await takeMany(limiter, 'k100000', 3, T0)).map((v) => v.allowed)).toEqual([true, true, false]);
  });

  it.each([
    [{ burst: 0, perWindow: 1, windowMs: 1000 }],
    [{ burst: 1, perWindow: 0, windowMs: 1000 }],
    [{ burst: 1, perWindow: 1, windowMs: 0 }],
    [{ burst: Number.NaN, perWindow: 1, windowMs: 1000 }],
  ])('refuses a rule that cannot work: %j', (rule) => {
    expect(() => new MemoryRateLimiter(rule)).toThrow(RangeError);
  });
});
