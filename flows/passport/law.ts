import type { Whereabouts } from '../danger/env';
import type { CountryLookup } from '../directory';
import { countryName } from '../shared/numbers';
import type { Output } from '../types';

/**
 * What the law says about an employer keeping a worker's passport where the
 * person is, only as sure as the directory is: a verified ban with the laws
 * named, an unverified one with "please check", and otherwise the general
 * rule from Australian, New Zealand and Singapore guidance (facts.md §4
 * tip 9). "Against your will" holds in every country with a ban, including
 * those that allow safe-keeping the worker agreed to in writing.
 */
export function lawOutput(countries: CountryLookup, where: Whereabouts): Output {
  const here = countries.get(where.country);
  if (!here) return { key: 'passport:law.unknown' };
  const country = countryName(here.code);
  const law = here.passportLaw;
  if (!law) return { key: 'passport:law.unknownIn', params: { country } };
  if (!law.forbidden) return { key: 'passport:law.notFound', params: { country } };
  if (!law.verified) return { key: 'passport:law.mayForbid', params: { country } };
  if (law.laws.length === 0) return { key: 'passport:law.forbidden', params: { country } };
  return {
    key: 'passport:law.forbiddenBy',
    params: { country, laws: law.laws.map((name) => ({ key: 'passport:law.name', params: { name } })) },
  };
}
