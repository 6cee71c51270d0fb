import { enqueueActions, setup } from 'xstate';
import { back, mainMenu, openTopic } from '../danger/choices';
import { envOf, type Whereabouts } from '../danger/env';
import type { FlowDeps } from '../directory';
import { talkToPerson } from '../shared/person';
import { flowActions, type Choice, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';
import { labourOutput, offerCountryIfUnknown, originOutput } from './help-lines';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const RECRUITMENT_VERSION = 1;

const person = talkToPerson('recruitment');
const check: Choice = { label: 'recruitment:choice.check', payload: 'recruitment.check' };
const notAsPromised: Choice = { label: 'recruitment:choice.contract', payload: 'recruitment.contract' };
const whereToReport: Choice = { label: 'recruitment:choice.report', payload: 'recruitment.report' };

const intro: Output = { key: 'recruitment:intro', choices: [check, notAsPromised, whereToReport, person, mainMenu] };
const checkTips: Output = { key: 'recruitment:check', choices: [whereToReport, notAsPromised, back, mainMenu] };
const contractTips: Output = {
  key: 'recruitment:contract',
  choices: [whereToReport, openTopic('passport'), person, back, mainMenu],
};
const reportEnd: Output = {
  key: 'recruitment:lines.yourChoice',
  choices: [person, openTopic('passport'), back, mainMenu],
};

/**
 * "Problems with a recruiter": how to recognise a recruiter or fees that are
 * not allowed, what a job unlike the one promised means, and where to check
 * and complain, at home and where the person works.
 */
export function createRecruitmentFlow(deps: FlowDeps): FlowDefinition {
  const { countries } = deps;

  /** The origin agency first (it licenses recruiters), then the labour office where the person works. */
  const reportOutputs = (where: Whereabouts): Output[] => {
    const origin = originOutput(countries, where, 'recruitment:report');
    const labour = labourOutput(countries, where);
    return offerCountryIfUnknown(labour ? [origin, labour] : [origin], countries, where);
  };

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput },
    actions: flowActions,
  }).createMachine({
    id: 'recruitment',
    initial: 'intro',
    states: {
      // No `nav.back` here: the engine answers `back` at the start with the menu.
      intro: {
        entry: { type: 'say', params: intro },
        on: {
          'recruitment.check': { target: 'check' },
          'recruitment.contract': { target: 'contract' },
          'recruitment.report': { target: 'report' },
        },
      },
      check: {
        entry: { type: 'say', params: checkTips },
        on: {
          'recruitment.contract': { target: 'contract' },
          'recruitment.report': { target: 'report' },
          'nav.back': { target: 'intro' },
        },
      },
      contract: {
        entry: { type: 'say', params: contractTips },
        on: {
          'recruitment.report': { target: 'report' },
          'nav.back': { target: 'intro' },
        },
      },
      report: {
        entry: [
          enqueueActions(({ event, enqueue }) => {
            for (const output of reportOutputs(envOf(event))) enqueue({ type: 'say', params: output });
          }),
          { type: 'say', params: reportEnd },
        ],
        on: { 'nav.back': { target: 'intro' } },
      },
    },
  });

  return { id: 'recruitment', version: RECRUITMENT_VERSION, machine };
}
