/**
 * When a reply a channel did not take is tried again: after `baseMs`, then
 * twice as long each time up to `maxMs`, and never after `maxAttempts`
 * failed attempts in all. Deterministic (no jitter): the per-channel pacing
 * already spreads a burst of retries after an outage.
 */
export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

/**
 * 1 s, 2 s, 4 s … 5 minutes, 20 attempts: about an hour of trying, long
 * enough for a platform's outage or a bad deploy of a token, short enough
 * that a reply a channel will never take (a person who blocked the bot)
 * stops holding up the conversation's later replies.
 */
export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, maxMs: 5 * 60_000, maxAttempts: 20 };

/** The time of the next attempt after `failed` failed attempts (1 after the first), or null to give up. */
export function nextAttemptAt(policy: RetryPolicy, failed: number, now: number): number | null {
  if (failed >= policy.maxAttempts) return null;
  return now + Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failed - 1, 30));
}

/** Checks a policy built from settings: counts and delays that mean something. */
export function checkRetryPolicy(policy: RetryPolicy): RetryPolicy {
  const { baseMs, maxMs, maxAttempts } = policy;
  if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1 && baseMs > 0 && maxMs >= baseMs)) {
    throw new RangeError('a retry policy needs at least 1 attempt and 0 < baseMs <= maxMs');
  }
  return policy;
}
