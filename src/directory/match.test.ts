import { loadDirectory } from './load';
import { matchCountries, matchCountry } from './match';

const directory = loadDirectory();

describe('matchCountry', () => {
  it.each([
    ['dubai', 'AE'],
    ['ksa', 'SA'],
    ['Phillipines', 'PH'],
    ['south korea', 'KR'],
    ['burma', 'MM'],
    ['hongkong', 'HK'],
    ['Hong-Kong', 'HK'],
    ['I work in Dubai, U.A.E.', 'AE'],
    ['The Philippines!!!', 'PH'],
    ['Pinas', 'PH'],
    ['Abu Dhabi', 'AE'],
    ['sri-lanka', 'LK'],
    ['Viet Nam', 'VN'],
    ['VIỆT NAM', 'VN'],
    ['Korea Selatan', 'KR'],
  ])('%s → %s', (text, code) => {
    expect(matchCountry(text, directory)).toBe(code);
  });

  it.each([
    ['Malaysa', 'MY'],
    ['Japn', 'JP'],
    ['Taiwn', 'TW'],
    ['new zeland', 'NZ'],
    ['Bangaldesh', 'BD'],
  ])('tolerates one typo: %s → %s', (text, code) => {
    expect(matchCountry(text, directory)).toBe(code);
  });

  it('does not take a common word one letter away from a five-letter name', () => {
    expect(matchCountry('saya mau jalan', directory)).toBeUndefined();
    expect(matchCountry('studi', directory)).toBeUndefined();
    expect(matchCountry('magandang hapon po', directory)).toBeUndefined();
    expect(matchCountry('Jpaan', directory)).toBe('JP');
    expect(matchCountry('Malyasia', directory)).toBe('MY');
    expect(matchCountry('Thailamd', directory)).toBe('TH');
  });

  it('does not guess at typos in short names', () => {
    expect(matchCountry('Omen', directory)).toBeUndefined();
    expect(matchCountry('Oman', directory)).toBe('OM');
  });

  it('does not match cities with a typo, since many are also personal names', () => {
    expect(matchCountry('my name is Sarah', directory)).toBeUndefined();
    expect(matchCountry('Sabah', directory)).toBe('MY');
  });

  it.each([
    ['香港', 'HK'],
    ['我在香港工作', 'HK'],
    ['ประเทศไทย', 'TH'],
    ['대한민국', 'KR'],
    ['नेपाल', 'NP'],
    ['বাংলাদেশ', 'BD'],
    ['السعودية', 'SA'],
  ])('matches local names: %s → %s', (text, code) => {
    expect(matchCountry(text, directory)).toBe(code);
  });

  it('matches a message that is only an ISO code', () => {
    expect(matchCountry('ph', directory)).toBe('PH');
    expect(matchCountry('AE', directory)).toBe('AE');
    expect(matchCountry('MY passport was taken', directory)).toBeUndefined();
    expect(matchCountry('xx', directory)).toBeUndefined();
  });

  it('matches nothing in text that names no country', () => {
    expect(matchCountry('nothing-here', directory)).toBeUndefined();
    expect(matchCountry('', directory)).toBeUndefined();
    expect(matchCountry('my employer took my passport', directory)).toBeUndefined();
  });

  it('prefers the longer name: Little India is in Singapore, North Korea is not South Korea', () => {
    expect(matchCountry('Little India', directory)).toBe('SG');
    expect(matchCountry('north korea', directory)).toBeUndefined();
  });

  it('is undefined when two countries are named, and matchCountries lists both in order', () => {
    expect(matchCountry('from Nepal, working in Qatar', directory)).toBeUndefined();
    expect(matchCountries('from Nepal, working in Qatar', directory)).toEqual(['NP', 'QA']);
    expect(matchCountries('Doha, Qatar', directory)).toEqual(['QA']);
  });

  it('prefers an exact name to a near one', () => {
    expect(matchCountries('I drive an Audi in Oman', directory)).toEqual(['OM']);
  });
});
