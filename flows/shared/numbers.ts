import type { CountryLookup, CountryView, NumberView } from '../directory';
import type { Output, Phrase } from '../types';

/** A number as said to a person: an unverified one always carries "please check". */
export function numberPhrase(n: NumberView): string | Phrase {
  return n.verified ? n.number : { key: 'common:checkNumber', params: { number: n.number } };
}

export function countryName(code: string): Phrase {
  return { key: `countries:${code}` };
}

/** The one number to call first in a country: the single number, or the police. */
function firstNumber(c: CountryView): NumberView | undefined {
  const e = c.emergency;
  if (!e) return undefined;
  return e.single ? { number: e.single, verified: e.police.verified } : e.police;
}

/**
 * The emergency numbers where the person is. When the bot does not know the
 * country, it lists every destination's number rather than asking first:
 * someone in danger must not have to answer a question to get a number.
 */
export function emergencyOutput(countries: CountryLookup, code: string | undefined): Output {
  const here = countries.get(code);
  const e = here?.emergency;
  if (here && e?.single) {
    return { key: 'common:emergency.single', params: { country: countryName(here.code), number: numberPhrase(e.police) } };
  }
  if (here && e) {
    return {
      key: 'common:emergency.split',
      params: {
        country: countryName(here.code),
        police: numberPhrase(e.police),
        ambulance: numberPhrase(e.ambulance),
        fire: numberPhrase(e.fire),
      },
    };
  }
  const lines = countries.destinations().flatMap((c): Phrase[] => {
    const n = firstNumber(c);
    return n ? [{ key: 'common:emergency.line', params: { country: countryName(c.code), number: numberPhrase(n) } }] : [];
  });
  return { key: 'common:emergency.unknown', params: { lines } };
}
