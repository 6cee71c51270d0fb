import { DAY_MS } from '../util/time';
import type { Day } from './store';

/** Upper bounds (exclusive), in minutes, of the first-reply buckets; past the last: `1440+`. */
const REPLY_BOUNDS = [5, 15, 60, 240, 1440] as const;

/**
 * The bucket of minutes from a case's opening to its first caseworker reply:
 * `0-5`, `5-15`, `15-60`, `60-240`, `240-1440` or `1440+`, each including its
 * lower bound. Buckets, not minutes: an exact time could pick out one case.
 */
export function replyBucket(ms: number): string {
  // A clock stepped back between the two writes is "at once", not a negative time.
  const minutes = Math.max(0, ms) / 60_000;
  let lower = 0;
  for (const upper of REPLY_BOUNDS) {
    if (minutes < upper) return `${lower}-${upper}`;
    lower = upper;
  }
  return `${lower}+`;
}

// The day asked last: every turn asks, and nearly always for the same day: [n·DAY_MS, (n+1)·DAY_MS).
let last = { from: 0, to: 0, day: '' };

/** The UTC day of a time (ms since the epoch), as `YYYY-MM-DD`. */
export function utcDay(ms: number): Day {
  if (ms >= last.from && ms < last.to) return last.day;
  const day = new Date(ms).toISOString().slice(0, 10);
  const from = Math.floor(ms / DAY_MS) * DAY_MS;
  last = { from, to: from + DAY_MS, day };
  return day;
}

/** A `YYYY-MM-DD` day that exists on the calendar. */
export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && utcDay(Date.parse(`${value}T00:00:00Z`) || 0) === value;
}
