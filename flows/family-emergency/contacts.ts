import type { CountryLookup, CountryView, LineView } from '../directory';
import { numberPhrase } from '../shared/numbers';
import type { Output, Phrase } from '../types';

/**
 * The people to contact at home, each as one message with its numbers from
 * the directory: the country's Red Cross or Red Crescent, and its government
 * office for workers abroad. Undefined when the directory does not know it.
 */
export function societyOutput(home: CountryView): Output | undefined {
  const society = home.nationalSociety;
  if (!society) return undefined;
  return society.phone
    ? { key: 'familyEmergency:societyPhone', params: { name: society.name, phone: numberPhrase(society.phone) } }
    : { key: 'familyEmergency:society', params: { name: society.name } };
}

export function agencyOutput(home: CountryView): Output | undefined {
  const agency = home.origin;
  if (!agency) return undefined;
  // The society's own line is already shown with the society.
  const lines = agency.lines.filter((l) => l.number !== home.nationalSociety?.phone?.number).map(linePhrase);
  return lines.length > 0
    ? { key: 'familyEmergency:agency', params: { agency: agency.agency, lines } }
    : { key: 'familyEmergency:agencyNoLines', params: { agency: agency.agency } };
}

const linePhrase = (line: LineView): Phrase => ({
  key: 'familyEmergency:line',
  params: { label: line.label, number: numberPhrase(line) },
});

/** The home country of a worker abroad: where they are from, if the directory knows it. */
export function originOf(countries: CountryLookup, origin: string | undefined): CountryView | undefined {
  const home = countries.get(origin);
  return home && (home.nationalSociety || home.origin) ? home : undefined;
}

/**
 * The country of a family at home. The person may have said where they are
 * (at home) or where they are from; either names the same country when it is
 * a country people leave from.
 */
export function homeOf(countries: CountryLookup, env: { country?: string; origin?: string }): CountryView | undefined {
  const candidates = [env.origin, env.country].map((c) => countries.get(c));
  return candidates.find((c) => c?.origin) ?? originOf(countries, env.origin);
}
