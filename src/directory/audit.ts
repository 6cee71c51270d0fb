import type { Country, Fact } from './schema';

/** One fact that needs a reviewer's attention. */
export interface FactRow {
  code: string;
  field: string;
  value: string;
  reason: string;
}

/** An optional field with no data, and the reason the data file gives, if any. */
export interface MissingRow {
  code: string;
  field: string;
  reason?: string;
}

function isFact(node: unknown): node is Fact<unknown> {
  return typeof node === 'object' && node !== null && 'value' in node && 'source' in node && 'verified' in node;
}

function show(value: unknown): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Every fact in a country with its path, e.g. `destination.emergency.fire`. */
export function factsOf(country: Country): { field: string; fact: Fact<unknown> }[] {
  const out: { field: string; fact: Fact<unknown> }[] = [];
  const walk = (node: unknown, field: string): void => {
    if (isFact(node)) {
      out.push({ field, fact: node });
      return;
    }
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${field}[${i}]`));
    else if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node)) walk(v, field ? `${field}.${k}` : k);
    }
  };
  walk(country, '');
  return out;
}

export function unverifiedFacts(country: Country): FactRow[] {
  return factsOf(country)
    .filter(({ fact }) => !fact.verified)
    .map(({ field, fact }) => ({ code: country.code, field, value: show(fact.value), reason: fact.note ?? '' }));
}

/**
 * Facts counted as verified that rest on one third-party page. The facts file
 * does not flag them, but they are the first to re-check before release.
 */
export function gradeCOnlyFacts(country: Country): FactRow[] {
  return factsOf(country)
    .filter(({ fact }) => fact.verified && fact.source.grade === 'C')
    .map(({ field, fact }) => ({
      code: country.code,
      field,
      value: show(fact.value),
      reason: `grade C: ${fact.source.name ?? fact.source.url}`,
    }));
}

/** Optional fields a reviewer would expect for the country's roles, that the data leaves empty. */
export function missingFields(country: Country): MissingRow[] {
  const fields: string[] = [];
  const society = country.nationalSociety;
  if (!society) fields.push('nationalSociety');
  else {
    if (!society.website) fields.push('nationalSociety.website');
    if (!society.phone) fields.push('nationalSociety.phone');
  }
  const d = country.destination;
  if (d) {
    if (!d.passportLaw) fields.push('destination.passportLaw');
    else {
      if (!d.passportLaw.laws) fields.push('destination.passportLaw.laws');
      if (!d.passportLaw.penalty) fields.push('destination.passportLaw.penalty');
    }
    d.labour.forEach((a, i) => {
      if (!a.lines) fields.push(`destination.labour[${i}].lines`);
    });
  }
  const o = country.origin;
  if (o) {
    o.agencies.forEach((a, i) => {
      if (!a.website) fields.push(`origin.agencies[${i}].website`);
      if (!a.lines) fields.push(`origin.agencies[${i}].lines`);
    });
    if (!o.languages) fields.push('origin.languages');
  }
  return fields.map((field) => {
    const reason = country.gaps?.find((g) => g.field === field)?.reason;
    return { code: country.code, field, ...(reason ? { reason } : {}) };
  });
}

/** Things the facts file mentions that the data leaves out, as recorded in each file's `gaps`. */
export function leftOut(country: Country): MissingRow[] {
  return (country.gaps ?? []).map((g) => ({ code: country.code, field: g.field, reason: g.reason }));
}
