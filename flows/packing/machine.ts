import { setup } from 'xstate';
import { flowActions, type Choice, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';
import { PACKING_STEPS, type PackingStep } from './steps';

/** Bump when a change would break stored snapshots (a step renamed or removed). */
export const PACKING_VERSION = 1;

const TOTAL = PACKING_STEPS.length;

const next: Choice = { label: 'common:choice.next', payload: 'nav.next' };
const back: Choice = { label: 'common:choice.back', payload: 'nav.back' };
// A command rather than a flow event: the engine's `menu` works the same from any flow.
const mainMenu: Choice = { label: 'common:choice.menu', payload: 'cmd.menu' };

const intro: Output = {
  key: 'packing:intro',
  params: { total: TOTAL },
  choices: [{ label: 'common:choice.yes', payload: 'answer.yes' }, mainMenu],
};

const stepOutput = (step: PackingStep, index: number): Output => ({
  key: `packing:${step}`,
  params: { step: index + 1, total: TOTAL },
  choices: [next, back, mainMenu],
});

/**
 * The steps form one chain: `nav.next` moves forward, `nav.back` moves back,
 * the first step goes back to the intro and the last one forward to `done`.
 * Built from PACKING_STEPS so that the order is written down once.
 */
const stepStates = Object.fromEntries(
  PACKING_STEPS.map((step, i) => [
    step,
    {
      entry: { type: 'say' as const, params: stepOutput(step, i) },
      on: {
        'nav.next': { target: PACKING_STEPS[i + 1] ?? 'done' },
        'nav.back': { target: PACKING_STEPS[i - 1] ?? 'intro' },
      },
    },
  ]),
);

export const packingMachine = setup({
  types: { events: {} as FlowEvent, input: {} as FlowInput },
  actions: flowActions,
}).createMachine({
  id: 'packing',
  initial: 'intro',
  states: {
    // No `nav.back` here on purpose: the engine answers an unhandled `back` with the menu.
    intro: {
      entry: { type: 'say', params: intro },
      on: { 'answer.yes': { target: PACKING_STEPS[0] } },
    },
    ...stepStates,
    done: {
      type: 'final',
      entry: { type: 'say', params: { key: 'packing:done' } },
    },
  },
});

export const packingFlow: FlowDefinition = { id: 'packing', version: PACKING_VERSION, machine: packingMachine };
