import { enqueueActions, setup } from 'xstate';
import type { CountryView, FlowDeps } from '../directory';
import { onwardChoice, openOnward, type Onward } from '../menu/onward';
import { societyLines } from '../services/society';
import { emergencyOutput } from '../shared/numbers';
import { flowActions, type FlowDefinition, type FlowEnv, type FlowEvent, type FlowInput, type Output } from '../types';
import { labourOutput, originOutput } from './lines';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const CONTACTS_VERSION = 1;

const ONWARD: readonly Onward[] = ['person'];

const closing: Output = {
  key: 'contacts:paper',
  choices: [...ONWARD.map(onwardChoice), { label: 'common:choice.menu', payload: 'cmd.menu' }],
};

type Situation = Pick<FlowEnv, 'country' | 'origin'>;

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

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput, context: {} as Situation },
    actions: flowActions,
  }).createMachine({
    id: 'contacts',
    initial: 'shown',
    context: ({ input }) => ({ country: input.env.country, origin: input.env.origin }),
    states: {
      // No `nav.back`: the engine answers `back` with the menu this topic came from.
      shown: {
        entry: [
          enqueueActions(({ context, enqueue }) => {
            for (const output of contactsFor(context)) enqueue({ type: 'say', params: output });
          }),
          { type: 'say', params: closing },
        ],
        on: {
          'topic.open': openOnward(ONWARD),
        },
      },
    },
  });

  return { id: 'contacts', version: CONTACTS_VERSION, machine };
}
