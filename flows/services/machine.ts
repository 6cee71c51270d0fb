import type { FlowDeps } from '../directory';
import { onwardChoice, type Onward } from '../menu/onward';
import { alertsChoice } from '../shared/alerts';
import { infoScreen } from '../shared/info-screen';
import { countryName } from '../shared/numbers';
import type { FlowDefinition, FlowEnv, Output } from '../types';
import { SOCIETY_NOTES } from './notes';
import { countriesOf, societyLines } from './society';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const SERVICES_VERSION = 1;

const ONWARD: readonly Onward[] = ['rfl', 'wellbeing', 'firstAid'];

const intro: Output = { key: 'services:intro' };
/**
 * Alerts are offered here, among what the Red Cross and Red Crescent do, and
 * not on the first screen: that one already holds six choices, the most
 * Teams shows as buttons.
 */
const next: Output = {
  key: 'services:next',
  choices: [...ONWARD.map(onwardChoice), alertsChoice(), { label: 'common:choice.menu', payload: 'cmd.menu' }],
};

/**
 * What the Red Cross and Red Crescent offer migrants and their families, then
 * the societies where the person is and where they are from, with what is
 * known about each. Without a country, the person is asked to say where they
 * are, since the contacts depend on it.
 */
export function createServicesFlow(deps: FlowDeps): FlowDefinition {
  const aboutCountries = (env: Pick<FlowEnv, 'country' | 'origin'>): Output[] => {
    const countries = countriesOf(deps.countries, env);
    if (countries.length === 0) {
      return [{ key: 'services:noCountry', choices: [{ label: 'common:choice.country', payload: 'cmd.country' }] }];
    }
    const notes = countries
      .filter((c) => SOCIETY_NOTES.has(c.code))
      .map((c): Output => ({
        key: `services:notes.${c.code}`,
        params: { country: countryName(c.code), society: c.nationalSociety?.name ?? '' },
      }));
    return [...notes, { key: 'services:societies', params: { lines: countries.flatMap(societyLines) } }];
  };

  return infoScreen({ id: 'services', version: SERVICES_VERSION, intro, body: aboutCountries, closing: next, onward: ONWARD });
}
