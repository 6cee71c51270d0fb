import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { english } from '../../test/support/english';
import type { CountryLookup, CountryView } from '../directory';
import { lawOutput } from './law';

const { countries } = flowDeps(loadConfig({}));

/** The real directory, with one country's passport law replaced. */
function withLaw(code: string, passportLaw: CountryView['passportLaw']): CountryLookup {
  return {
    ...countries,
    get: (c) => (c === code ? { ...countries.get(code)!, passportLaw } : countries.get(c)),
  };
}

const said = (lookup: CountryLookup, country?: string) => {
  const o = lawOutput(lookup, country ? { country } : {});
  return { key: o.key, text: english(o.key, o.params) };
};

describe('what the law says about an employer keeping a passport', () => {
  it.each([
    ['QA', 'Law No. 21 of 2015'],
    ['AE', 'Federal Decree-Law No. 33 of 2021'],
    ['MY', 'Passports Act 1966'],
    ['TW', 'Employment Service Act'],
  ])('in %s, says it is forbidden and names the law', (code, law) => {
    const { key, text } = said(countries, code);
    expect(key).toBe('passport:law.forbiddenBy');
    expect(text).toContain(english(`countries:${code}`));
    expect(text).toContain(law);
  });

  it('says it is forbidden without naming a law when the directory names none it has verified', () => {
    expect(countries.get('SG')?.passportLaw?.laws).toEqual([]);
    expect(said(countries, 'SG')).toEqual({
      key: 'passport:law.forbidden',
      text: english('passport:law.forbidden', { country: { key: 'countries:SG' } }),
    });
  });

  it('says the law may forbid it, and asks to check, when the ban is not verified', () => {
    const lookup = withLaw('SG', { forbidden: true, verified: false, laws: [] });
    const { key, text } = said(lookup, 'SG');
    expect(key).toBe('passport:law.mayForbid');
    expect(text).toMatch(/may forbid/);
    expect(text).toMatch(/please check/);
  });

  it('does not claim a ban where the directory found none', () => {
    const { key, text } = said(withLaw('SG', { forbidden: false, verified: true, laws: [] }), 'SG');
    expect(key).toBe('passport:law.notFound');
    expect(text).not.toMatch(/does not allow/);
  });

  it('gives the general rule for a country without the law in the directory, naming it', () => {
    expect(countries.get('KR')?.passportLaw).toBeUndefined();
    const { key, text } = said(countries, 'KR');
    expect(key).toBe('passport:law.unknownIn');
    expect(text).toContain('Republic of Korea');
    expect(text).toContain('may look at your passport but may not keep it');
  });

  it('gives the general rule when the country is unknown', () => {
    expect(said(countries).key).toBe('passport:law.unknown');
    expect(said(countries, 'ZZ').key).toBe('passport:law.unknown');
  });
});
