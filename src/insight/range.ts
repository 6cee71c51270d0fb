import { z } from 'zod';
import { DAY_MS } from '../util/time';
import type { Day } from './store';

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day that exists (no 2026-02-30), as `YYYY-MM-DD`. */
const DaySchema = z
  .string({ error: 'give it once, as YYYY-MM-DD' })
  .regex(DAY, 'must be a date as YYYY-MM-DD')
  .refine((day) => dayStart(day) !== null, 'is not a date in the calendar');

export const RangeQuery = z.object({ from: DaySchema.optional(), to: DaySchema.optional() });

export interface DayRange {
  from: Day;
  to: Day;
}

function dayStart(day: Day): number | null {
  const at = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== day ? null : at;
}

export function dayOf(at: number): Day {
  return new Date(at).toISOString().slice(0, 10);
}

/** Every day from `from` to `to`, both included. */
export function daysOf({ from, to }: DayRange): Day[] {
  const days: Day[] = [];
  const end = dayStart(to) ?? 0;
  for (let at = dayStart(from) ?? end + 1; at <= end; at += DAY_MS) days.push(dayOf(at));
  return days;
}

/**
 * The range a query asks for: by default the last 30 days up to today (UTC);
 * `from` alone reaches 30 days on (but not past today), `to` alone 30 days back. Returns a sentence for the 400
 * answer when the range is backwards or longer than MAX_RANGE_DAYS.
 */
export function resolveRange(query: z.output<typeof RangeQuery>, now: number): DayRange | string {
  const span = (DEFAULT_RANGE_DAYS - 1) * DAY_MS;
  const start = query.from === undefined ? null : dayStart(query.from)!;
  const to = query.to ?? dayOf(start === null ? now : Math.max(start, Math.min(start + span, now)));
  const from = query.from ?? dayOf(dayStart(to)! - span);
  const length = (dayStart(to)! - dayStart(from)!) / DAY_MS + 1;
  if (length < 1) return 'from: must not be after to';
  if (length > MAX_RANGE_DAYS) return `the range is ${length} days; at most ${MAX_RANGE_DAYS}`;
  return { from, to };
}
