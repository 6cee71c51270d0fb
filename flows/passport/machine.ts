import { enqueueActions, setup } from 'xstate';
import { back, mainMenu, openTopic, tellCountry } from '../danger/choices';
import { envOf, type Whereabouts } from '../danger/env';
import type { FlowDeps } from '../directory';
import { talkToPerson } from '../shared/person';
import { labourOutput, offerCountryIfUnknown, originOutput } from '../recruitment/help-lines';
import { flowActions, type Choice, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';
import { lawOutput } from './law';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const PASSPORT_VERSION = 1;

const person = talkToPerson('passport');
const stepsToTake: Choice = { label: 'passport:choice.steps', payload: 'passport.steps' };
const whereToGetHelp: Choice = { label: 'passport:choice.help', payload: 'passport.help' };

const prompt: Output = {
  key: 'passport:prompt',
  choices: [stepsToTake, whereToGetHelp, openTopic('danger'), person, mainMenu],
};
const steps: Output = { key: 'passport:steps', choices: [whereToGetHelp, person, back, mainMenu] };
const helpEnd: Output = {
  key: 'recruitment:lines.yourChoice',
  choices: [person, openTopic('danger'), back, mainMenu],
};

/**
 * "My passport was taken": what the law says where the person is, what they
 * can do, and where to get help. Going to the police is never a condition:
 * the places offered are labour offices, the person's own country and the
 * Red Cross or Red Crescent.
 */
export function createPassportFlow(deps: FlowDeps): FlowDefinition {
  const { countries } = deps;

  /** Without a country, the general rule comes with the offer to say where the person is. */
  const lawHere = ({ event }: { event: FlowEvent }): Output => {
    const where = envOf(event);
    const output = lawOutput(countries, where);
    return countries.get(where.country) ? output : { ...output, choices: [tellCountry] };
  };

  const helpOutputs = (where: Whereabouts): Output[] => {
    const labour = labourOutput(countries, where);
    const origin = originOutput(countries, where, 'passport:help');
    const society = countries.get(where.country)?.nationalSociety;
    const outputs = [
      ...(labour ? [labour] : []),
      origin,
      ...(society ? [{ key: 'passport:help.society', params: { society: society.name } }] : []),
    ];
    return offerCountryIfUnknown(outputs, countries, where);
  };

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput },
    actions: flowActions,
  }).createMachine({
    id: 'passport',
    initial: 'law',
    states: {
      // No `nav.back` here: the engine answers `back` at the start with the menu.
      law: {
        entry: [
          { type: 'say', params: lawHere },
          { type: 'say', params: prompt },
        ],
        on: {
          'passport.steps': { target: 'steps' },
          'passport.help': { target: 'help' },
        },
      },
      steps: {
        entry: { type: 'say', params: steps },
        on: {
          'passport.help': { target: 'help' },
          'nav.back': { target: 'law' },
        },
      },
      help: {
        entry: [
          enqueueActions(({ event, enqueue }) => {
            for (const output of helpOutputs(envOf(event))) enqueue({ type: 'say', params: output });
          }),
          { type: 'say', params: helpEnd },
        ],
        on: { 'nav.back': { target: 'law' } },
      },
    },
  });

  return { id: 'passport', version: PASSPORT_VERSION, machine };
}
