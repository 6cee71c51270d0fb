import { FailureLimiter } from './rate-limit';

test('allows max failures in the window, then says how long to wait, then lets the key try again', () => {
  let now = 1_000_000;
  const limiter = new FailureLimiter({ max: 3, windowMs: 60_000 }, () => now);
  for (let i = 0; i < 3; i++) {
    expect(limiter.retryAfter('k')).toBe(0);
    limiter.fail('k');
    now += 1000;
  }
  // Failures at 0 s, 1 s and 2 s; now 3 s: the first drops out at 60 s.
  expect(limiter.retryAfter('k')).toBe(57);
  expect(limiter.retryAfter('other')).toBe(0);
  now += 56_000;
  expect(limiter.retryAfter('k')).toBe(1);
  now += 1000;
  expect(limiter.retryAfter('k')).toBe(0);
});

test('forget clears a key; old failures slide out of the window', () => {
  let now = 0;
  const limiter = new FailureLimiter({ max: 2, windowMs: 10_000 }, () => now);
  limiter.fail('a');
  limiter.fail('a');
  expect(limiter.retryAfter('a')).toBeGreaterThan(0);
  limiter.forget('a');
  expect(limiter.retryAfter('a')).toBe(0);

  limiter.fail('b');
  now = 9_000;
  limiter.fail('b');
  expect(limiter.retryAfter('b')).toBe(1);
  now = 10_001;
  expect(limiter.retryAfter('b')).toBe(0);
});
