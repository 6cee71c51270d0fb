import type { FlowDeps } from '../flows/directory';
import type { Config } from './config/env';
import { countryLookup } from './directory/flow-view';
import { loadDirectory } from './directory/load';

/** What flows are built from: the validated directory (read once) and the configured links. */
export function flowDeps(config: Pick<Config, 'FIRST_AID_URL' | 'FAMILY_LINKS_URL'>): FlowDeps {
  return {
    countries: countryLookup(loadDirectory()),
    links: { firstAidApp: config.FIRST_AID_URL, familyLinks: config.FAMILY_LINKS_URL },
  };
}
