import type { CountryView, FlowDeps } from '../directory';
import { onwardChoice, type Onward } from '../menu/onward';
import { infoScreen, type Situation } from '../shared/info-screen';
import { societyLines } from '../services/society';
import { emergencyOutput } from '../shared/numbers';
import { talkToPerson } from '../shared/person';
import type { FlowDefinition, Output } from '../types';
import { labourOutput, originOutput } from './lines';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const CONTACTS_VERSION = 1;

const ONWARD: readonly Onward[] = ['services'];

/** A caseworker (consent first), what the Red Cross or Red Crescent offers, or the menu. */
const closing: Output = {
  key: 'contacts:paper',
  choices: [talkToPerson('other'), ...ONWARD.map(onwardChoice), { label: 'common:choice.menu', payload: 'cmd.menu' }],
};


/** A country people leave from has lines for its workers abroad; an unknown one gets a hint. */
function homeOutputs(home: CountryView | undefined): Output[] {
  if (!home) return [{ key: 'contacts:noOrigin' }];
  const output = originOutput(home);
  return output ? [output] : [];
}

/**
 * The numbers a person needs where they are (emergency, Red Cross or Red
 * Crescent, work problems), then their home country's lines for workers
 * abroad. Emergency numbers come first and never wait for a question: without
 * a country, every destination's number is listed.
 */
export function createContactsFlow(deps: FlowDeps): FlowDefinition {
  const { countries } = deps;

  const contactsFor = ({ country, origin }: Situation): Output[] => {
    const here = countries.get(country);
    const home = countries.get(origin);
    const hereOutputs: Output[] = here
      ? [{ key: 'contacts:society', params: { lines: societyLines(here) } }, labourOutput(here)]
      : [{ key: 'contacts:noCountry', choices: [{ label: 'common:choice.country', payload: 'cmd.country' }] }];
    return [emergencyOutput(countries, here?.code), ...hereOutputs, ...homeOutputs(home)];
  };

  return infoScreen({ id: 'contacts', version: CONTACTS_VERSION, body: contactsFor, closing: closing, onward: ONWARD });
}
