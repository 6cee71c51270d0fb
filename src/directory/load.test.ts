import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_DATA_DIR, DirectoryError, loadDirectory } from './load';

const DESTINATIONS = ['AE', 'SA', 'QA', 'KW', 'OM', 'BH', 'MY', 'SG', 'TH', 'HK', 'TW', 'KR', 'JP', 'AU', 'NZ', 'MV', 'BN'];
const ORIGINS = ['PH', 'ID', 'NP', 'BD', 'IN', 'LK', 'PK', 'VN', 'KH', 'MM'];

const dirs: string[] = [];
function copyOfData(): string {
  const dir = mkdtempSync(join(tmpdir(), 'directory-'));
  cpSync(DEFAULT_DATA_DIR, dir, { recursive: true });
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Sets a value deep inside a parsed file, creating nothing: the path must exist. */
function editFile(dir: string, code: string, path: (string | number)[], value: unknown): void {
  const file = join(dir, `${code}.json`);
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  let node = json as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  writeFileSync(file, JSON.stringify(json));
}

function loadError(dir: string): DirectoryError {
  try {
    loadDirectory(dir);
  } catch (err) {
    if (err instanceof DirectoryError) return err;
    throw err;
  }
  throw new Error('expected the directory not to load');
}

describe('loadDirectory on the shipped data', () => {
  const directory = loadDirectory();

  it('loads all 27 countries', () => {
    expect(directory.all().map((c) => c.code).sort()).toEqual([...DESTINATIONS, ...ORIGINS].sort());
  });

  it('has the 17 destinations and the 10 origins', () => {
    expect(directory.destinations().map((c) => c.code).sort()).toEqual([...DESTINATIONS].sort());
    expect(directory.origins().map((c) => c.code).sort()).toEqual([...ORIGINS].sort());
  });

  it('finds a country by code in any case', () => {
    expect(directory.get('hk')?.names[0]).toBe('Hong Kong');
    expect(directory.get(' KR ')?.code).toBe('KR');
    expect(directory.get('XX')).toBeUndefined();
  });
});

describe('loadDirectory on broken data', () => {
  it('names the file and field of an invalid phone number', () => {
    const dir = copyOfData();
    editFile(dir, 'QA', ['destination', 'emergency', 'police', 'value'], 'nine-nine-nine');
    const err = loadError(dir);
    expect(err.file).toBe('QA.json');
    expect(err.field).toBe('destination.emergency.police.value');
    expect(err.message).toMatch(/^QA\.json \(destination\.emergency\.police\.value\): /);
  });

  it('names the file of a source without a date', () => {
    const dir = copyOfData();
    editFile(dir, 'KW', ['destination', 'emergency', 'fire', 'source', 'date'], '2018/10/22');
    const err = loadError(dir);
    expect(err.file).toBe('KW.json');
    expect(err.field).toBe('destination.emergency.fire.source.date');
  });

  it('rejects a misspelt field instead of ignoring it', () => {
    const dir = copyOfData();
    editFile(dir, 'NZ', ['destination', 'emergency', 'polise'], { value: '111' });
    expect(loadError(dir).message).toMatch(/NZ\.json.*polise/);
  });

  it('rejects an unverified fact that does not say why', () => {
    const dir = copyOfData();
    editFile(dir, 'AE', ['destination', 'emergency', 'fire', 'note'], undefined);
    const err = loadError(dir);
    expect(err.file).toBe('AE.json');
    expect(err.field).toBe('destination.emergency.fire.note');
  });

  it('rejects a destination without emergency numbers', () => {
    const dir = copyOfData();
    editFile(dir, 'JP', ['destination', 'emergency'], undefined);
    expect(loadError(dir).field).toBe('destination.emergency');
  });

  it('rejects a file whose name is not its code', () => {
    const dir = copyOfData();
    writeFileSync(join(dir, 'XK.json'), readFileSync(join(dir, 'BN.json')));
    const err = loadError(dir);
    expect(err.file).toBe('XK.json');
    expect(err.field).toBe('code');
  });

  it('names a file that is not JSON', () => {
    const dir = copyOfData();
    writeFileSync(join(dir, 'MV.json'), '{ "code": "MV", ');
    expect(loadError(dir).message).toMatch(/^MV\.json: not valid JSON/);
  });

  it('rejects a name claimed by two countries', () => {
    const dir = copyOfData();
    editFile(dir, 'IN', ['places'], ['Kerala', 'Lahore']);
    expect(loadError(dir).message).toMatch(/^PK\.json \(places\): 'Lahore' is also a name of IN/);
  });

  it('loads a country added as a new file, with no code change', () => {
    const dir = copyOfData();
    const bn = JSON.parse(readFileSync(join(dir, 'BN.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'XK.json'), JSON.stringify({ ...bn, code: 'XK', names: ['Testland'], places: [] }));
    unlinkSync(join(dir, 'BN.json'));
    const directory = loadDirectory(dir);
    expect(directory.get('XK')?.names).toEqual(['Testland']);
    expect(directory.destinations()).toHaveLength(17);
  });
});
