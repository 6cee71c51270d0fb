import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Directory } from './directory';
import { normalise } from './normalise';
import { CountrySchema, type Country } from './schema';

/** The data files shipped with the code. Built copies must be given the folder explicitly. */
export const DEFAULT_DATA_DIR = join(__dirname, 'data');

/** Invalid data: names the file and, when the schema rejected it, the field. */
export class DirectoryError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    detail: string,
  ) {
    super(`${file}${field ? ` (${field})` : ''}: ${detail}`);
    this.name = 'DirectoryError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)';
}

/** Reads and validates one country file; throws DirectoryError on the first problem. */
export function parseCountryFile(path: string): Country {
  const file = basename(path);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DirectoryError(file, undefined, `not valid JSON (${(err as Error).message})`);
  }
  const parsed = CountrySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DirectoryError(file, issue ? fieldPath(issue.path) : undefined, issue?.message ?? 'invalid');
  }
  if (`${parsed.data.code}.json` !== file) {
    throw new DirectoryError(file, 'code', `code ${parsed.data.code} does not match the file name`);
  }
  return parsed.data;
}

/** A name claimed by two countries would make matching depend on file order. */
function checkNamesUnique(countries: readonly Country[]): void {
  const owner = new Map<string, string>();
  for (const c of countries) {
    const named: [string, string][] = [
      ...c.names.map((n): [string, string] => ['names', n]),
      ...(c.places ?? []).map((n): [string, string] => ['places', n]),
    ];
    for (const [field, name] of named) {
      const key = normalise(name).replace(/ /g, '');
      const other = owner.get(key);
      if (other !== undefined && other !== c.code) {
        throw new DirectoryError(`${c.code}.json`, field, `'${name}' is also a name of ${other} (${other}.json)`);
      }
      owner.set(key, c.code);
    }
  }
}

/**
 * Reads every `<CODE>.json` in the folder at start-up. Adding a country is
 * adding a file; a bad file stops start-up with its name and field.
 */
export function loadDirectory(dir: string = DEFAULT_DATA_DIR): Directory {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new DirectoryError(dir, undefined, 'no country files');
  const countries = files.map((f) => parseCountryFile(join(dir, f)));
  checkNamesUnique(countries);
  return new Directory(countries);
}
