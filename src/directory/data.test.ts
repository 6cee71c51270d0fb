import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unverifiedFacts } from './audit';
import { DEFAULT_DATA_DIR, loadDirectory } from './load';

const directory = loadDirectory();

function emergency(code: string): { police: string; ambulance: string; fire: string } {
  const e = directory.emergencyNumbersFor(code);
  if (!e) throw new Error(`${code} has no emergency numbers`);
  return { police: e.police.number, ambulance: e.ambulance.number, fire: e.fire.number };
}

describe('country data', () => {
  it.each(directory.destinations().map((c) => c.code))('%s has police, ambulance and fire numbers', (code) => {
    const e = emergency(code);
    for (const n of [e.police, e.ambulance, e.fire]) expect(n).toMatch(/^\d{3,4}$/);
  });

  it('gives every fact in every file a source address and a date', () => {
    // Walks the raw files, not the parsed data, so that it does not depend on the schema.
    const facts: { file: string; field: string; node: Record<string, unknown> }[] = [];
    const walk = (file: string, node: unknown, field: string): void => {
      if (typeof node !== 'object' || node === null) return;
      if ('value' in node) facts.push({ file, field, node: node as Record<string, unknown> });
      for (const [k, v] of Object.entries(node)) walk(file, v, `${field}.${k}`);
    };
    for (const file of readdirSync(DEFAULT_DATA_DIR)) {
      walk(file, JSON.parse(readFileSync(join(DEFAULT_DATA_DIR, file), 'utf8')), '');
    }
    expect(facts.length).toBeGreaterThan(250);
    for (const { file, field, node } of facts) {
      const source = node.source as { url?: unknown; date?: unknown } | undefined;
      expect({ file, field, url: source?.url, date: source?.date }).toEqual({
        file,
        field,
        url: expect.stringMatching(/^https?:\/\/\S+$/),
        date: expect.stringMatching(/^(\d{4}(-\d{2}){0,2}|undated)$/),
      });
    }
  });

  it('says why each unverified value is unverified', () => {
    const rows = directory.all().flatMap(unverifiedFacts);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.reason.length).toBeGreaterThan(10);
  });

  it('gives each origin an agency', () => {
    for (const c of directory.origins()) expect(c.origin?.agencies[0]?.name.value).toBeTruthy();
  });

  it('gives each destination its Red Cross / Red Crescent society or its substitute', () => {
    for (const c of directory.destinations()) expect(c.nationalSociety?.name.value).toBeTruthy();
  });
});

describe('spot checks against the facts file', () => {
  it.each([
    ['QA', '999', '999', '999'],
    ['KW', '112', '112', '112'],
    ['OM', '9999', '9999', '9999'],
    ['BH', '999', '999', '999'],
    ['MY', '999', '999', '999'],
    ['SG', '999', '995', '995'],
    ['TH', '191', '1669', '199'],
    ['HK', '999', '999', '999'],
    ['TW', '110', '119', '119'],
    ['KR', '112', '119', '119'],
    ['JP', '110', '119', '119'],
    ['AU', '000', '000', '000'],
    ['NZ', '111', '111', '111'],
    ['BN', '993', '991', '995'],
    ['SA', '911', '997', '998'],
    ['AE', '999', '998', '997'],
  ])('%s: police %s, ambulance %s, fire %s', (code, police, ambulance, fire) => {
    expect(emergency(code)).toEqual({ police, ambulance, fire });
  });

  it('marks UAE ambulance 998 and fire 997 unverified, and police 999 verified', () => {
    const e = directory.emergencyNumbersFor('AE');
    expect(e?.police.verified).toBe(true);
    expect(e?.ambulance).toMatchObject({ number: '998', verified: false });
    expect(e?.fire).toMatchObject({ number: '997', verified: false });
    expect(e?.verified).toBe(false);
  });

  it('marks the Maldives 911 unverified', () => {
    expect(directory.emergencyNumbersFor('MV')?.police).toMatchObject({ number: '911', verified: false });
  });

  it('has the labour hotlines named in the facts file', () => {
    const numbers = (code: string) => directory.labourLinesFor(code).map((l) => l.number);
    expect(numbers('AE')).toContain('80060');
    expect(numbers('SA')).toContain('19911');
    expect(numbers('QA')).toEqual(expect.arrayContaining(['16008', '92727']));
    expect(numbers('HK')).toContain('2157 9537');
    expect(numbers('TW')).toContain('1955');
    expect(numbers('TH')).toEqual(expect.arrayContaining(['1506', '1694']));
    expect(numbers('SG')).toEqual(expect.arrayContaining(['6438 5122', '6536 2692']));
    expect(numbers('AU')).toContain('13 13 94');
  });

  it('has the origin hotlines named in the facts file', () => {
    const numbers = (code: string) => directory.originLinesFor(code).map((l) => l.number);
    expect(numbers('PH')).toEqual(expect.arrayContaining(['1348', '143']));
    expect(numbers('LK')).toContain('1989');
    expect(numbers('ID')).toEqual(expect.arrayContaining(['0-800-1000', '+62 21 2924 4800']));
    expect(numbers('KH')).toContain('1297');
    expect(numbers('PK')).toContain('1030');
  });

  it('records which employers may not hold passports, and the unknown Korean law as missing', () => {
    expect(directory.passportLawFor('QA')?.forbidden.value).toBe(true);
    expect(directory.passportLawFor('TW')?.laws?.[0]?.value).toMatch(/Employment Service Act/);
    expect(directory.passportLawFor('KR')).toBeUndefined();
    expect(directory.get('KR')?.gaps?.map((g) => g.field)).toContain('destination.passportLaw');
  });

  it('records that the Taiwan Red Cross is not a Movement member', () => {
    expect(directory.nationalSocietyFor('TW')?.movementMember).toMatchObject({ value: false, verified: true });
  });

  it('gives origin languages as ISO 639-1 codes', () => {
    expect(directory.get('PH')?.origin?.languages?.value).toEqual(['tl', 'en']);
    expect(directory.get('LK')?.origin?.languages?.value).toEqual(['si', 'ta']);
    expect(directory.get('MM')?.origin?.languages?.value).toEqual(['my']);
  });
});
