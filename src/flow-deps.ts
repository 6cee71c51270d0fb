import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowDeps } from '../flows/directory';
import type { Config } from './config/env';
import { countryLookup } from './directory/flow-view';
import { loadDirectory } from './directory/load';

const LOCALES_DIR = join(__dirname, '..', 'locales');

/** Every translation's name for each country (locales/<lang>/countries.json), for matching typed names. */
function localCountryNames(dir: string): Record<string, string[]> {
  const names: Record<string, string[]> = {};
  for (const lang of readdirSync(dir)) {
    const path = join(dir, lang, 'countries.json');
    if (!existsSync(path)) continue;
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    for (const [code, name] of Object.entries(file)) {
      if (typeof name === 'string') (names[code] ??= []).push(name);
    }
  }
  return names;
}

/** What flows are built from: the validated directory (read once) and the configured links. */
export function flowDeps(config: Pick<Config, 'FIRST_AID_URL' | 'FAMILY_LINKS_URL'>): FlowDeps {
  return {
    countries: countryLookup(loadDirectory(), localCountryNames(LOCALES_DIR)),
    links: { firstAidApp: config.FIRST_AID_URL, familyLinks: config.FAMILY_LINKS_URL },
  };
}
