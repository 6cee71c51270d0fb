import type { RecordedCall } from '../channels/telegram/fake-bot-api';

/**
 * Whether the calls a chat received are its outbox rows' texts, in order,
 * each once, but for the one gap no outbox closes: a message the platform
 * took just before the row could be marked delivered (the process died, or
 * the database went away) is sent again. `mayRepeat` says whether a call
 * that repeats the call before it could be such a resend. Gives the fewest
 * resends that explain the calls, or null when they do not match.
 */
export function alignSends<C extends RecordedCall>(
  calls: C[],
  expected: string[],
  mayRepeat: (previous: C, call: C) => boolean,
): number | null {
  const resend = (i: number) => {
    const previous = calls[i - 1];
    return previous !== undefined && previous.body.text === calls[i]!.body.text && mayRepeat(previous, calls[i]!);
  };
  // memo: the fewest resends for calls from i on against rows from j on.
  const memo = new Map<string, number | null>();
  const fewest = (i: number, j: number): number | null => {
    if (i === calls.length) return j === expected.length ? 0 : null;
    const key = `${i}:${j}`;
    if (memo.has(key)) return memo.get(key)!;
    let best: number | null = null;
    if (j < expected.length && calls[i]!.body.text === expected[j]) best = fewest(i + 1, j + 1);
    if (resend(i)) {
      const skipped = fewest(i + 1, j);
      if (skipped !== null && (best === null || skipped + 1 < best)) best = skipped + 1;
    }
    memo.set(key, best);
    return best;
  };
  return fewest(0, 0);
}
