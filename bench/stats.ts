/** Several repetitions of one figure, summarised. */
export interface Spread {
  min: number;
  median: number;
  max: number;
  /** Every repetition's value, in run order. */
  values: number[];
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { min: NaN, median: NaN, max: NaN, values: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, median, max: sorted.at(-1)!, values: [...values] };
}

/** Ratios of two figures measured in the same repetitions, one per repetition. */
export function ratios(numerators: readonly number[], denominators: readonly number[]): Spread {
  const n = Math.min(numerators.length, denominators.length);
  return spread(Array.from({ length: n }, (_, i) => numerators[i]! / denominators[i]!));
}

/** A figure for tables: 3 significant digits, thousands grouped. */
export function fmt(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 10 ** digits) return Math.round(value).toLocaleString('en-GB');
  return Number(value.toPrecision(digits)).toLocaleString('en-GB', { maximumFractionDigits: 6 });
}

export function fmtSpread(s: Spread, digits = 3): string {
  return `${fmt(s.min, digits)} / ${fmt(s.median, digits)} / ${fmt(s.max, digits)}`;
}

/** The value below which a share `q` (0.5, 0.99) of the values lie (nearest rank); NaN for none. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
