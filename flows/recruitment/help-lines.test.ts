import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { english } from '../../test/support/english';
import type { Output } from '../types';
import { labourOutput, linePhrase, offerCountryIfUnknown, originOutput } from './help-lines';

const { countries } = flowDeps(loadConfig({}));
const text = (o: Output | undefined) => (o ? english(o.key, o.params) : undefined);

describe('where to report', () => {
  it('names a line as its source does, and asks to check a number that is not verified', () => {
    const said = (verified: boolean) => {
      const phrase = linePhrase({ label: 'Hotline', number: '1234', verified });
      return english(phrase.key, phrase.params);
    };
    expect(said(true)).toBe('Hotline: 1234');
    expect(said(false)).toBe('Hotline: 1234 (please check this number)');
  });

  it.each([
    ['QA', ['16008', '92727', '40280660']],
    ['AE', ['80060', '80084']],
    ['TH', ['1506', '1694']],
    ['HK', ['2157 9537', '2115 3667']],
  ])('gives the labour lines of %s, from the directory', (code, numbers) => {
    const output = labourOutput(countries, { country: code });
    expect(output?.key).toBe('recruitment:lines.labour');
    for (const n of numbers) expect(text(output)).toContain(n);
  });

  it('says so when the directory has no labour line for the country', () => {
    expect(labourOutput(countries, { country: 'JP' })).toEqual({
      key: 'recruitment:lines.labourNone',
      params: { country: { key: 'countries:JP' } },
    });
  });

  it('gives general advice when the country is unknown, and nothing for a country people leave from', () => {
    expect(labourOutput(countries, {})?.key).toBe('recruitment:lines.labourUnknown');
    expect(labourOutput(countries, { country: 'ZZ' })?.key).toBe('recruitment:lines.labourUnknown');
    expect(labourOutput(countries, { country: 'PH' })).toBeUndefined();
  });

  it("gives the origin agency's own lines and website, not the country's other lines", () => {
    const output = originOutput(countries, { origin: 'PH' }, 'recruitment:report');
    expect(output.key).toBe('recruitment:report.origin');
    const said = text(output)!;
    for (const n of ['Department of Migrant Workers (DMW)', '1348', '8722-1144', '8722-1155', 'www.dmw.gov.ph']) {
      expect(said).toContain(n);
    }
    expect(said).not.toMatch(/\b911\b|\b143\b/);
  });

  it('asks to check an unverified agency number', () => {
    expect(text(originOutput(countries, { origin: 'NP' }, 'recruitment:report'))).toContain('1141 (please check this number)');
  });

  it('names the agency even when the directory has no way to reach it', () => {
    const said = text(originOutput(countries, { origin: 'PK' }, 'recruitment:report'))!;
    expect(said).toContain('Bureau of Emigration & Overseas Employment (BE&OE)');
    expect(said).toContain(english('recruitment:lines.none'));
    expect(said).not.toContain('1030');
  });

  it('says which country it has no agency for, and gives general advice for an unknown one', () => {
    expect(originOutput(countries, { origin: 'TH' }, 'passport:help')).toEqual({
      key: 'passport:help.originNone',
      params: { country: { key: 'countries:TH' } },
    });
    expect(originOutput(countries, {}, 'passport:help')).toEqual({ key: 'passport:help.originUnknown' });
  });

  describe('the offer to say where the person is', () => {
    const outputs: Output[] = [{ key: 'a' }, { key: 'b', choices: [{ label: 'x', payload: 'y.z' }] }];
    const country = { label: 'common:choice.country', payload: 'cmd.country' };

    it('is added once, to the last message, when either country is unknown', () => {
      for (const where of [{}, { country: 'QA' }, { origin: 'PH' }]) {
        const offered = offerCountryIfUnknown(outputs, countries, where);
        expect(offered[0]).toEqual({ key: 'a' });
        expect(offered[1]?.choices).toEqual([{ label: 'x', payload: 'y.z' }, country]);
      }
    });

    it('is left out when both are known', () => {
      expect(offerCountryIfUnknown(outputs, countries, { country: 'QA', origin: 'PH' })).toEqual(outputs);
    });
  });
});
