import type { CountryLookup, CountryView } from '../directory';
import { countryName, numberPhrase } from '../shared/numbers';
import type { Phrase } from '../types';

/**
 * The directory marks a body that is not a recognised member of the Red
 * Cross and Red Crescent Movement (Oman's charity, Taiwan's Red Cross) with
 * `movementMember: false`. Read as optional: a view without the flag shows
 * every body as a member.
 */
type SocietyView = NonNullable<CountryView['nationalSociety']>;

/** A country's Red Cross or Red Crescent society as lines: name, website, phone. */
export function societyLines(country: CountryView): Phrase[] {
  const society: SocietyView | undefined = country.nationalSociety;
  const place = countryName(country.code);
  if (!society) return [{ key: 'services:society.none', params: { country: place } }];
  const member = society.movementMember !== false;
  return [
    { key: member ? 'services:society.name' : 'services:society.notMember', params: { country: place, name: society.name } },
    ...(society.website ? [{ key: 'services:society.website', params: { website: society.website } }] : []),
    ...(society.phone ? [{ key: 'services:society.phone', params: { phone: numberPhrase(society.phone) } }] : []),
  ];
}

/** The countries that matter to the person, each once: where they are now, then where they are from. */
export function countriesOf(lookup: CountryLookup, env: { country?: string; origin?: string }): CountryView[] {
  const here = lookup.get(env.country);
  const home = lookup.get(env.origin);
  return [here, home?.code === here?.code ? undefined : home].filter((c): c is CountryView => c !== undefined);
}
