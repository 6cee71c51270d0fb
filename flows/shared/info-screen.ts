import { enqueueActions, setup } from 'xstate';
import { openOnward, type Onward } from '../menu/onward';
import { flowActions, type FlowDefinition, type FlowEnv, type FlowEvent, type FlowInput, type Output } from '../types';

export type Situation = Pick<FlowEnv, 'country' | 'origin'>;

export interface InfoScreen {
  id: string;
  version: number;
  /** Said first, the same for everyone. */
  intro?: Output;
  /** What depends on where the person is and is from (numbers, societies). */
  body: (situation: Situation) => Output[];
  /** Said last, with the choices of where to go next. */
  closing: Output;
  /** The topics the closing offers, started by the flow itself. */
  onward: readonly Onward[];
}

/**
 * A topic that is one screen of information: intro, the facts for the
 * person's countries, then where to go next. No `nav.back`: the engine
 * answers `back` with the menu the topic came from.
 */
export function infoScreen(spec: InfoScreen): FlowDefinition {
  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput, context: {} as Situation },
    actions: flowActions,
  }).createMachine({
    id: spec.id,
    initial: 'shown',
    context: ({ input }) => ({ country: input.env.country, origin: input.env.origin }),
    states: {
      shown: {
        entry: [
          ...(spec.intro ? [{ type: 'say' as const, params: spec.intro }] : []),
          enqueueActions(({ context, enqueue }) => {
            for (const output of spec.body(context)) enqueue({ type: 'say', params: output });
          }),
          { type: 'say', params: spec.closing },
        ],
        on: { 'topic.open': openOnward(spec.onward) },
      },
    },
  });
  return { id: spec.id, version: spec.version, machine };
}
