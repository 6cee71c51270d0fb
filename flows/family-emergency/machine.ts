import { enqueueActions, setup } from 'xstate';
import type { FlowDeps } from '../directory';
import { countryName } from '../shared/numbers';
import { talkToPerson } from '../shared/person';
import { flowActions, type Choice, type FlowDefinition, type FlowEnv, type FlowEvent, type FlowInput, type Output } from '../types';
import { agencyOutput, homeOf, originOf, societyOutput } from './contacts';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const FAMILY_EMERGENCY_VERSION = 1;

const back: Choice = { label: 'common:choice.back', payload: 'nav.back' };
const mainMenu: Choice = { label: 'common:choice.menu', payload: 'cmd.menu' };
const person = talkToPerson('familyEmergency');
const country: Choice = { label: 'common:choice.country', payload: 'cmd.country' };
const findFamily: Choice = { label: 'familyEmergency:choice.rfl', payload: 'flow.start:rfl' };

const who: Output = {
  key: 'familyEmergency:who',
  choices: [
    { label: 'familyEmergency:choice.abroad', payload: 'family.abroad' },
    { label: 'familyEmergency:choice.home', payload: 'family.home' },
    mainMenu,
  ],
};

const present = (...outputs: (Output | undefined)[]): Output[] => outputs.filter((o): o is Output => o !== undefined);

const envOf = (event: FlowEvent): FlowEnv => (event as { env?: FlowEnv }).env ?? { locale: 'en' };

/** The closing message of each side, with its way on; a country is asked for only when numbers were missing. */
const closing = (key: string, known: boolean): Output => ({
  key,
  choices: [findFamily, person, ...(known ? [] : [country]), back, mainMenu],
});

/**
 * "Family emergency", from either side: a worker abroad whose family at home
 * has an emergency, or a family at home who needs to reach a relative
 * abroad. Both get the home country's Red Cross or Red Crescent and its
 * office for workers abroad, and the way into Restoring Family Links when
 * someone cannot be reached.
 */
export function createFamilyEmergencyFlow(deps: FlowDeps): FlowDefinition {
  const { countries } = deps;

  function abroad(env: FlowEnv): Output[] {
    const home = originOf(countries, env.origin);
    if (!home) return [{ key: 'familyEmergency:abroad.unknown' }, closing('familyEmergency:abroad.more', false)];
    return [
      { key: 'familyEmergency:abroad.intro', params: { country: countryName(home.code) } },
      ...present(societyOutput(home), agencyOutput(home)),
      closing('familyEmergency:abroad.more', true),
    ];
  }

  function atHome(env: FlowEnv): Output[] {
    const home = homeOf(countries, env);
    if (!home) return [{ key: 'familyEmergency:home.unknown' }, closing('familyEmergency:home.more', false)];
    return [
      { key: 'familyEmergency:home.intro', params: { country: countryName(home.code) } },
      // The office for workers abroad first: it deals with the relative's side.
      ...present(agencyOutput(home), societyOutput(home)),
      closing('familyEmergency:home.more', true),
    ];
  }

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput },
    actions: flowActions,
  }).createMachine({
    id: 'familyEmergency',
    initial: 'who',
    states: {
      // No `nav.back` here: the engine answers `back` with the main menu.
      who: {
        entry: { type: 'say', params: who },
        on: { 'family.abroad': { target: 'abroad' }, 'family.home': { target: 'home' } },
      },
      abroad: {
        entry: enqueueActions(({ enqueue, event }) => {
          for (const output of abroad(envOf(event))) enqueue({ type: 'say', params: output });
        }),
        on: { 'nav.back': { target: 'who' } },
      },
      home: {
        entry: enqueueActions(({ enqueue, event }) => {
          for (const output of atHome(envOf(event))) enqueue({ type: 'say', params: output });
        }),
        on: { 'nav.back': { target: 'who' } },
      },
    },
  });
  return { id: 'familyEmergency', version: FAMILY_EMERGENCY_VERSION, machine };
}
