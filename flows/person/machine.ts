import { labourOutput, originOutput } from '../contacts/lines';
import type { FlowDeps } from '../directory';
import { onwardChoice, type Onward } from '../menu/onward';
import { infoScreen, type Situation } from '../shared/info-screen';
import { countriesOf, societyLines } from '../services/society';
import type { FlowDefinition, Output } from '../types';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const PERSON_VERSION = 1;

const intro: Output = { key: 'person:intro' };
const noCountry: Output = {
  key: 'person:noCountry',
  choices: [{ label: 'common:choice.country', payload: 'cmd.country' }],
};
const ONWARD: readonly Onward[] = ['services'];

const yourChoice: Output = {
  key: 'person:yourChoice',
  choices: [...ONWARD.map(onwardChoice), { label: 'common:choice.menu', payload: 'cmd.menu' }],
};


/**
 * "Talk to a person": the bot says it is a program and shows how to reach
 * people now, with numbers from the directory: the Red Cross or Red Crescent
 * where the person is and where they are from, the government lines for work
 * problems, and the home country's lines for workers abroad. It ends on what
 * the person shares being their choice, and on the Red Cross and Red
 * Crescent's distance from police, immigration and employers (facts.md §7).
 */
export function createPersonFlow(deps: FlowDeps): FlowDefinition {
  const { countries } = deps;

  const peopleFor = (env: Situation): Output[] => {
    const known = countriesOf(countries, env);
    if (known.length === 0) return [noCountry];
    const here = countries.get(env.country);
    const home = countries.get(env.origin);
    const agency = home && originOutput(home);
    return [
      { key: 'person:societies', params: { lines: known.flatMap(societyLines) } },
      ...(here ? [labourOutput(here)] : []),
      ...(agency ? [agency] : []),
    ];
  };

  return infoScreen({ id: 'person', version: PERSON_VERSION, intro, body: peopleFor, closing: yourChoice, onward: ONWARD });
}
