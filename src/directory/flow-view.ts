import type { CountryLookup, CountryView, LineView, NumberView } from '../../flows/directory';
import type { ContactLine, Dialled } from './contacts';
import type { Directory } from './directory';
import { matchCountry } from './match';
import type { Country } from './schema';

const number = (d: Dialled): NumberView => ({ number: d.number, verified: d.verified });
const line = (l: ContactLine): LineView => ({
  number: l.number,
  verified: l.verified,
  label: l.label,
  ...(l.body ? { body: l.body } : {}),
});

function view(directory: Directory, c: Country): CountryView {
  const emergency = directory.emergencyNumbersFor(c.code);
  const society = c.nationalSociety;
  const law = c.destination?.passportLaw;
  const agency = c.origin?.agencies[0];
  return {
    code: c.code,
    name: c.names[0] ?? c.code,
    ...(emergency && {
      emergency: {
        police: number(emergency.police),
        ambulance: number(emergency.ambulance),
        fire: number(emergency.fire),
        ...(emergency.single && { single: emergency.single }),
        others: emergency.others.map(line),
      },
    }),
    ...(society && {
      nationalSociety: {
        name: society.name.value,
        ...(society.website?.verified && { website: society.website.value }),
        ...(society.movementMember && { movementMember: society.movementMember.value }),
        ...(society.phone && { phone: { number: society.phone.value, verified: society.phone.verified } }),
      },
    }),
    ...(law && {
      passportLaw: {
        forbidden: law.forbidden.value,
        verified: law.forbidden.verified,
        laws: (law.laws ?? []).filter((l) => l.verified).map((l) => l.value),
      },
    }),
    labourLines: directory.labourLinesFor(c.code).map(line),
    ...(agency && {
      origin: {
        agency: agency.name.value,
        ...(agency.website?.verified && { website: agency.website.value }),
        lines: directory.originLinesFor(c.code).map(line),
      },
    }),
  };
}

const fold = (text: string) =>
  text
    .normalize('NFKC')
    .toLocaleLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();

/**
 * The directory as flows see it: display-ready, computed once at start-up.
 * `localNames` are the country names of every translation (countries.json),
 * so that a name typed in the person's language is found too.
 */
export function countryLookup(directory: Directory, localNames: Record<string, string[]> = {}): CountryLookup {
  const byLocalName = new Map<string, string>();
  for (const [code, names] of Object.entries(localNames)) {
    for (const name of names) if (fold(name) !== '' && directory.get(code)) byLocalName.set(fold(name), code);
  }
  const views = new Map(directory.all().map((c) => [c.code, view(directory, c)]));
  // In menus by English name, the order people scan a list in.
  const pick = (countries: Country[]) =>
    countries.map((c) => views.get(c.code)!).sort((a, b) => a.name.localeCompare(b.name, 'en'));
  const destinations = pick(directory.destinations());
  const origins = pick(directory.origins());
  return {
    get: (code) => (code ? views.get(code.toUpperCase()) : undefined),
    destinations: () => destinations,
    origins: () => origins,
    match: (text) => matchCountry(text, directory) ?? byLocalName.get(fold(text)),
  };
}
