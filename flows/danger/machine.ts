import { setup } from 'xstate';
import type { FlowDeps } from '../directory';
import { emergencyOutput } from '../shared/numbers';
import { flowActions, type Choice, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';
import { talkToPerson } from '../shared/person';
import { back, mainMenu, next, openTopic, tellCountry } from './choices';
import { envOf } from './env';
import { SIGN_GROUPS, type SignGroup } from './signs';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const DANGER_VERSION = 1;

const makePlan: Choice = { label: 'danger:choice.plan', payload: 'danger.plan' };
const seeSigns: Choice = { label: 'danger:choice.signs', payload: 'danger.signs' };
const person = talkToPerson('danger');

const whatNow: Output = {
  key: 'danger:now',
  choices: [makePlan, seeSigns, person, openTopic('passport'), mainMenu],
};

const plan: Output = { key: 'danger:plan', choices: [seeSigns, person, back, mainMenu] };

const TOTAL = SIGN_GROUPS.length;

/** The last group ends with what the person can do next; the others lead on. */
const signsOutput = (group: SignGroup, index: number): Output => ({
  key: `danger:signs.${group}`,
  params: { step: index + 1, total: TOTAL },
  choices:
    index === TOTAL - 1
      ? [person, openTopic('passport'), makePlan, back, mainMenu]
      : [next, back, mainMenu],
});

const signStates = Object.fromEntries(
  SIGN_GROUPS.map((group, i) => [
    group,
    {
      entry: { type: 'say' as const, params: signsOutput(group, i) },
      on: {
        ...(i < TOTAL - 1 ? { 'nav.next': { target: SIGN_GROUPS[i + 1] } } : { 'danger.plan': { target: 'plan' } }),
        'nav.back': { target: SIGN_GROUPS[i - 1] ?? 'start' },
      },
    },
  ]),
);

/**
 * "I am in danger": the emergency number where the person is comes first,
 * before any choice, then what to do now and what else the bot can offer.
 * It never asks what is happening: the person decides what to tell, and to
 * whom.
 */
export function createDangerFlow(deps: FlowDeps): FlowDefinition {
  const { countries } = deps;

  /** Without a country with numbers, every destination's number is listed, with the offer to narrow it. */
  const numbersHere = ({ event }: { event: FlowEvent }): Output => {
    const { country } = envOf(event);
    const output = emergencyOutput(countries, country);
    return countries.get(country)?.emergency ? output : { ...output, choices: [tellCountry] };
  };

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput },
    actions: flowActions,
  }).createMachine({
    id: 'danger',
    initial: 'start',
    states: {
      // No `nav.back` here: the engine answers `back` at the start with the menu.
      start: {
        entry: [
          { type: 'say', params: numbersHere },
          { type: 'say', params: whatNow },
        ],
        on: {
          'danger.plan': { target: 'plan' },
          'danger.signs': { target: SIGN_GROUPS[0] },
        },
      },
      plan: {
        entry: { type: 'say', params: plan },
        on: {
          'danger.signs': { target: SIGN_GROUPS[0] },
          'nav.back': { target: 'start' },
        },
      },
      ...signStates,
    },
  });

  return { id: 'danger', version: DANGER_VERSION, machine };
}
