import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCheck } from './check';
import { DEFAULT_DATA_DIR } from './load';

const ROOT = resolve(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

function cli(dir: string): { status: number | null; stdout: string } {
  const run = spawnSync(TSX, ['src/directory/check.ts', dir], { cwd: ROOT, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout };
}

let broken: string;
beforeAll(() => {
  broken = mkdtempSync(join(tmpdir(), 'directory-'));
  cpSync(DEFAULT_DATA_DIR, broken, { recursive: true });
  const file = join(broken, 'TH.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { destination: { emergency: { police: { source: { grade: string } } } } };
  json.destination.emergency.police.source.grade = 'D';
  writeFileSync(file, JSON.stringify(json));
});
afterAll(() => rmSync(broken, { recursive: true, force: true }));

describe('check CLI', () => {
  it('exits 1 and names the file and field on invalid data', () => {
    const { status, stdout } = cli(broken);
    expect(status).toBe(1);
    expect(stdout).toMatch(/^INVALID TH\.json \(destination\.emergency\.police\.source\.grade\)/);
  });

  it('exits 0 on the shipped data and prints the summary', () => {
    const { status, stdout } = cli(DEFAULT_DATA_DIR);
    expect(status).toBe(0);
    expect(stdout).toContain('27 countries: 17 destinations, 10 origins');
  });
});

describe('runCheck report', () => {
  const lines: string[] = [];
  const status = runCheck(DEFAULT_DATA_DIR, (l) => lines.push(l));
  const text = lines.join('\n');

  it('succeeds', () => expect(status).toBe(0));

  it('lists each unverified value with country, field, value and reason', () => {
    expect(text).toMatch(/^ {2}AE {2}destination\.emergency\.ambulance = 998 {2}-- Third-party source only/m);
    expect(text).toMatch(/^ {2}AE {2}destination\.emergency\.fire = 997 {2}-- /m);
    expect(text).not.toMatch(/^ {2}AE {2}destination\.emergency\.police = /m);
  });

  it('lists facts resting on one grade C page apart from the unverified ones', () => {
    expect(text).toMatch(/resting on one grade C source[^]*TH {2}destination\.emergency\.police = 191 {2}-- grade C: thailandsimple/);
  });

  it('lists missing optional fields with the reason recorded in the data', () => {
    expect(text).toMatch(/^ {2}KR {2}destination\.passportLaw {2}-- .*Art\. 33-3/m);
    expect(text).toMatch(/^ {2}MV {2}nationalSociety\.website {2}-- /m);
  });

  it('lists facts left out inside fields that are present', () => {
    expect(text).toMatch(/Other facts left out[^]*KR {2}destination\.labour\[0\]\.lines {2}-- MOEL 1350/);
  });
});
