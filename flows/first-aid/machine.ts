import { enqueueActions, setup } from 'xstate';
import type { FlowDeps } from '../directory';
import { onwardChoice, openOnward, type Onward } from '../menu/onward';
import { emergencyOutput } from '../shared/numbers';
import { flowActions, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const FIRST_AID_VERSION = 1;

const ONWARD: readonly Onward[] = ['services'];

const callFirst: Output = { key: 'firstAid:callFirst' };
const noCountry: Output = {
  key: 'firstAid:noCountry',
  choices: [{ label: 'common:choice.country', payload: 'cmd.country' }],
};

/**
 * First aid: call for help and stay with the person, with the number to call
 * where they are, then the First Aid app that a National Society configures.
 * No medical advice beyond that: the app and trained people give it.
 */
export function createFirstAidFlow(deps: FlowDeps): FlowDefinition {
  const app: Output = {
    key: 'firstAid:app',
    links: [{ label: 'firstAid:appLink', url: deps.links.firstAidApp }],
    choices: [...ONWARD.map(onwardChoice), { label: 'common:choice.menu', payload: 'cmd.menu' }],
  };

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput, context: {} as { country?: string } },
    actions: flowActions,
  }).createMachine({
    id: 'firstAid',
    initial: 'shown',
    context: ({ input }) => ({ country: input.env.country }),
    states: {
      // No `nav.back`: the engine answers `back` with the menu this topic came from.
      shown: {
        entry: [
          { type: 'say', params: callFirst },
          enqueueActions(({ context, enqueue }) => {
            const here = deps.countries.get(context.country);
            enqueue({ type: 'say', params: emergencyOutput(deps.countries, here?.code) });
            // The question is offered after the numbers, never before them.
            if (!here) enqueue({ type: 'say', params: noCountry });
          }),
          { type: 'say', params: app },
        ],
        on: {
          'topic.open': openOnward(ONWARD),
        },
      },
    },
  });

  return { id: 'firstAid', version: FIRST_AID_VERSION, machine };
}
