import type { InsightCount } from './store';
import { shownCountText, suppress } from './suppress';

export const CSV_HEADER = 'day,metric,dimension,count';

/**
 * A spreadsheet runs a cell that starts with one of these as a formula; a
 * dimension is a flow id, locale or country code today, but the export must
 * stay safe whatever a future metric puts there.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The counts as CSV (RFC 4180 line ends), one line per day, metric and dimension, small counts suppressed. */
export function insightCsv(counts: readonly InsightCount[]): string {
  const lines = [CSV_HEADER];
  for (const c of counts) {
    lines.push([c.day, c.metric, c.dimension, shownCountText(suppress(c.count))].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
