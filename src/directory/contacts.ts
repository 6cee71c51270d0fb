import type { Agency, Country, Fact, Line, Source } from './schema';

/** A number ready to show, with what the bot needs to hedge it. */
export interface Dialled {
  number: string;
  verified: boolean;
  /** Why it is unverified, or a caveat such as "weekdays only". */
  note?: string;
  source: Source;
}

export interface ContactLine extends Dialled {
  label: string;
  kind: 'phone' | 'sms' | 'whatsapp';
  languages?: string[];
  availableIn?: string[];
  /** The agency or society that runs the line, when it belongs to one. */
  body?: string;
}

export interface EmergencyNumbers {
  police: Dialled;
  ambulance: Dialled;
  fire: Dialled;
  /** Set when one number serves police, ambulance and fire, so the bot can say it once. */
  single?: string;
  /** True only when all three numbers are verified. */
  verified: boolean;
  others: ContactLine[];
}

function dialled(fact: Fact<string>): Dialled {
  return { number: fact.value, verified: fact.verified, source: fact.source, ...(fact.note ? { note: fact.note } : {}) };
}

function contactLine(line: Line, body?: string): ContactLine {
  return {
    ...dialled(line),
    label: line.label,
    kind: line.kind ?? 'phone',
    ...(line.languages ? { languages: line.languages } : {}),
    ...(line.availableIn ? { availableIn: line.availableIn } : {}),
    ...(body ? { body } : {}),
  };
}

function agencyLines(agencies: readonly Agency[]): ContactLine[] {
  return agencies.flatMap((a) => (a.lines ?? []).map((l) => contactLine(l, a.name.value)));
}

export function emergencyNumbers(country: Country): EmergencyNumbers | undefined {
  const e = country.destination?.emergency;
  if (!e) return undefined;
  const [police, ambulance, fire] = [dialled(e.police), dialled(e.ambulance), dialled(e.fire)];
  const same = police.number === ambulance.number && police.number === fire.number;
  return {
    police,
    ambulance,
    fire,
    ...(same ? { single: police.number } : {}),
    verified: police.verified && ambulance.verified && fire.verified,
    others: (e.otherNumbers ?? []).map((l) => contactLine(l)),
  };
}

/** Where a worker in this country can complain about work: labour bodies first, then other hotlines. */
export function labourLines(country: Country): ContactLine[] {
  const d = country.destination;
  if (!d) return [];
  return [...agencyLines(d.labour), ...(d.otherHotlines ?? []).map((l) => contactLine(l))];
}

/** Lines a worker from this country, or the family at home, can call: agencies, help lines, the society. */
export function originLines(country: Country): ContactLine[] {
  const o = country.origin;
  if (!o) return [];
  const society = country.nationalSociety;
  return [
    ...agencyLines(o.agencies),
    ...(o.helpLines ?? []).map((l) => contactLine(l)),
    ...(society?.phone ? [contactLine(society.phone, society.name.value)] : []),
  ];
}
