/**
 * Small-count suppression for everything the insight dashboard and its CSV
 * show. A count of 1 to 4 could point at one person (the only Khmer speaker
 * of the week, the one SOS of a day), so it is never shown: it becomes
 * "fewer than 5". Zero stays 0: that nobody did something points at no one.
 *
 * Totals are where suppression usually leaks: a total of 23 beside shown
 * parts 9 and 11 gives away the hidden third part (3). So a total here is
 * never computed from the real counts: it is the sum of the parts that are
 * shown (each 0 or at least 5), plus how many parts were hidden. Anyone can
 * add up the shown parts themselves, so the total tells nothing the parts
 * did not, and "9 + 11 + 1 × fewer than 5" hides the third part as well as
 * the part itself does.
 */

export const FEWER_THAN = 5;

export interface FewerThan {
  fewerThan: typeof FEWER_THAN;
}

/** A count as shown: exact when 0 or at least FEWER_THAN, else only "fewer than 5". */
export type ShownCount = number | FewerThan;

/** A total over several counts: the sum of the shown ones, and how many were hidden. */
export interface ShownTotal {
  /** The sum of the parts that are shown (each 0 or at least FEWER_THAN). */
  shown: number;
  /** How many parts were fewer than FEWER_THAN and are left out of `shown`. */
  hidden: number;
}

export const CSV_FEWER_THAN = `fewer than ${FEWER_THAN}`;

export function isHidden(count: number): boolean {
  return count > 0 && count < FEWER_THAN;
}

export function suppress(count: number): ShownCount {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`not a count: ${count}`);
  return isHidden(count) ? { fewerThan: FEWER_THAN } : count;
}

/** The total of some counts as the rule above allows it to be shown. */
export function suppressedTotal(counts: Iterable<number>): ShownTotal {
  const total: ShownTotal = { shown: 0, hidden: 0 };
  for (const count of counts) {
    const shown = suppress(count);
    if (typeof shown === 'number') total.shown += shown;
    else total.hidden += 1;
  }
  return total;
}

/** A shown count as a CSV cell: a number, or `fewer than 5`. */
export function shownCountText(count: ShownCount): string {
  return typeof count === 'number' ? String(count) : CSV_FEWER_THAN;
}
