import type { CountryLookup, CountryView, LineView } from '../directory';
import { tellCountry } from '../danger/choices';
import type { Whereabouts } from '../danger/env';
import { countryName, numberPhrase } from '../shared/numbers';
import type { Output, Phrase } from '../types';

/**
 * Where to check and where to complain, shared by the recruitment and
 * passport flows: the labour lines where the person works and the agency of
 * the country they come from. Numbers come only from the directory, and an
 * unverified one always says "please check".
 */

type OriginAgency = NonNullable<CountryView['origin']>;

/** One line, named as its source names it (a proper name, left untranslated). */
export function linePhrase(line: LineView): Phrase {
  return { key: 'recruitment:lines.line', params: { label: line.label, number: numberPhrase(line) } };
}

/**
 * The agency's own lines and website. A country's other lines (its Red Cross,
 * its emergency number at home) answer other needs, so they are left out.
 */
function agencyContacts(agency: OriginAgency): Phrase[] {
  const lines = agency.lines.filter((l) => l.body === agency.agency).map(linePhrase);
  const site: Phrase[] = agency.website ? [{ key: 'recruitment:lines.website', params: { url: agency.website } }] : [];
  const contacts = [...lines, ...site];
  return contacts.length > 0 ? contacts : [{ key: 'recruitment:lines.none' }];
}

/** The country the person is in, if people go there to work: only then has it labour lines to offer. */
function workCountry(countries: CountryLookup, code: string | undefined): CountryView | undefined {
  const here = countries.get(code);
  return here && countries.destinations().some((c) => c.code === here.code) ? here : undefined;
}

/**
 * Where to report a problem at work in the person's country. Nothing when
 * they are in a country people do not go to for work (at home, before
 * leaving): the origin agency is their place to ask.
 */
export function labourOutput(countries: CountryLookup, where: Whereabouts): Output | undefined {
  if (where.country === undefined) return { key: 'recruitment:lines.labourUnknown' };
  const here = workCountry(countries, where.country);
  if (!here) return countries.get(where.country) ? undefined : { key: 'recruitment:lines.labourUnknown' };
  const country = countryName(here.code);
  if (here.labourLines.length === 0) return { key: 'recruitment:lines.labourNone', params: { country } };
  return { key: 'recruitment:lines.labour', params: { country, lines: here.labourLines.map(linePhrase) } };
}

/**
 * The agency for overseas workers of the person's country of origin, said
 * with the flow's own words (`<prefix>.origin`, `.originNone` when the
 * directory has no agency for that country, `.originUnknown` when the bot
 * does not know where the person is from).
 */
export function originOutput(countries: CountryLookup, where: Whereabouts, prefix: string): Output {
  const home = countries.get(where.origin);
  if (!home) return { key: `${prefix}.originUnknown` };
  const country = countryName(home.code);
  if (!home.origin) return { key: `${prefix}.originNone`, params: { country } };
  return {
    key: `${prefix}.origin`,
    params: { country, agency: home.origin.agency, contacts: agencyContacts(home.origin) },
  };
}

/**
 * Offers "tell me where you are" once, on the last message, when either
 * country is unknown: the numbers depend on both.
 */
export function offerCountryIfUnknown(outputs: Output[], countries: CountryLookup, where: Whereabouts): Output[] {
  const known = countries.get(where.country) !== undefined && countries.get(where.origin) !== undefined;
  const last = outputs[outputs.length - 1];
  if (known || !last) return outputs;
  return [...outputs.slice(0, -1), { ...last, choices: [...(last.choices ?? []), tellCountry] }];
}
