import type { CountryView, LineView } from '../directory';
import { countryName, numberPhrase } from '../shared/numbers';
import type { Output, Phrase } from '../types';

/**
 * A help line as the directory names it: label, the body that runs it, and
 * its number. Labels and bodies stay in English for now, like proper names.
 * The body is left out where the message already names it.
 */
export function linePhrase(line: LineView, namedAbove?: string): Phrase {
  const number = numberPhrase(line);
  return line.body && line.body !== namedAbove
    ? { key: 'contacts:line.withBody', params: { label: line.label, body: line.body, number } }
    : { key: 'contacts:line.plain', params: { label: line.label, number } };
}

/** Where a worker in this country can turn with a problem at work: government lines. */
export function labourOutput(country: CountryView): Output {
  const place = countryName(country.code);
  if (country.labourLines.length === 0) return { key: 'contacts:labour.none', params: { country: place } };
  return { key: 'contacts:labour.lines', params: { country: place, lines: country.labourLines.map((l) => linePhrase(l)) } };
}

/** The home country's agency for its workers abroad, with its lines; undefined for a country people do not leave from. */
export function originOutput(country: CountryView): Output | undefined {
  const agency = country.origin;
  if (!agency) return undefined;
  const lines: Phrase[] = [
    { key: 'contacts:agency.name', params: { agency: agency.agency } },
    ...(agency.website ? [{ key: 'contacts:agency.website', params: { website: agency.website } }] : []),
    ...agency.lines.map((l) => linePhrase(l, agency.agency)),
  ];
  return { key: 'contacts:agency.lines', params: { country: countryName(country.code), lines } };
}
