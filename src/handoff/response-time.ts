import type { Phrase } from '../../flows/types';

const HOUR = 60;
const DAY = 24 * HOUR;

/**
 * How soon a caseworker usually answers, in the largest whole unit: "an
 * hour", "2 hours", "45 minutes". Singular forms are their own keys, so no
 * language needs plural rules for it.
 */
export function responseTime(minutes: number): Phrase {
  if (minutes >= DAY && minutes % DAY === 0) {
    return minutes === DAY ? { key: 'handoff:time.day' } : { key: 'handoff:time.days', params: { days: minutes / DAY } };
  }
  if (minutes >= HOUR && minutes % HOUR === 0) {
    return minutes === HOUR ? { key: 'handoff:time.hour' } : { key: 'handoff:time.hours', params: { hours: minutes / HOUR } };
  }
  return { key: 'handoff:time.minutes', params: { minutes } };
}
