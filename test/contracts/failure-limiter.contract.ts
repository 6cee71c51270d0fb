import type { FailureLimiter, LimitRule } from '../../src/handoff/inbox/rate-limit';

export interface FailureLimiterHarness {
  /** A limiter of the named limit, reading the given clock. */
  make(name: string, rule: LimitRule, clock: () => number): FailureLimiter;
  cleanup(): Promise<void>;
}

/**
 * What every FailureLimiter must do (in memory, in Redis), so that the
 * console's login limits hold whichever one the composition root picks.
 */
export function failureLimiterContract(name: string, open: () => Promise<FailureLimiterHarness>): void {
  describe(`${name}: failure limiter contract`, () => {
    let harness: FailureLimiterHarness;
    let now: number;
    const clock = () => now;

    beforeEach(async () => {
      harness = await open();
      now = 1_000_000;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    test('allows max failures in the window, then says how long to wait, then lets the key try again', async () => {
      const limiter = harness.make('login-email', { max: 3, windowMs: 60_000 }, clock);
      for (let i = 0; i < 3; i++) {
        expect(await limiter.retryAfter('k')).toBe(0);
        await limiter.fail('k');
        now += 1000;
      }
      // Failures at 0 s, 1 s and 2 s; now 3 s: the first drops out at 60 s.
      expect(await limiter.retryAfter('k')).toBe(57);
      expect(await limiter.retryAfter('other')).toBe(0);
      now += 56_000;
      expect(await limiter.retryAfter('k')).toBe(1);
      now += 1000;
      expect(await limiter.retryAfter('k')).toBe(0);
    });

    test('forget clears a key; old failures slide out of the window', async () => {
      now = 0;
      const limiter = harness.make('login-email', { max: 2, windowMs: 10_000 }, clock);
      await limiter.fail('a');
      await limiter.fail('a');
      expect(await limiter.retryAfter('a')).toBeGreaterThan(0);
      await limiter.forget('a');
      expect(await limiter.retryAfter('a')).toBe(0);

      await limiter.fail('b');
      now = 9_000;
      await limiter.fail('b');
      expect(await limiter.retryAfter('b')).toBe(1);
      now = 10_001;
      expect(await limiter.retryAfter('b')).toBe(0);
    });

    test('failures beyond max keep the wait counted from the newest max of them', async () => {
      const limiter = harness.make('login-email', { max: 2, windowMs: 60_000 }, clock);
      for (let i = 0; i < 5; i++) {
        await limiter.fail('k');
        now += 10_000;
      }
      // Failures at 0, 10, 20, 30, 40 s; now 50 s: the newest two (30 s, 40 s) count, so 30 s + 60 s − 50 s.
      expect(await limiter.retryAfter('k')).toBe(40);
    });

    test('two limits with different names count apart, even for one key', async () => {
      const byEmail = harness.make('login-email', { max: 1, windowMs: 60_000 }, clock);
      const byAddress = harness.make('login-address', { max: 1, windowMs: 60_000 }, clock);
      await byEmail.fail('same');
      expect(await byEmail.retryAfter('same')).toBe(60);
      expect(await byAddress.retryAfter('same')).toBe(0);
    });
  });
}
