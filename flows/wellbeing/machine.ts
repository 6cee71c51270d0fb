import { setup } from 'xstate';
import type { FlowDeps } from '../directory';
import { emergencyOutput } from '../shared/numbers';
import { talkToPerson } from '../shared/person';
import { flowActions, type Choice, type FlowDefinition, type FlowEnv, type FlowEvent, type FlowInput, type Output } from '../types';
import { TOPIC_IDS, WELLBEING_TOPICS, type WellbeingTopic } from './topics';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const WELLBEING_VERSION = 1;

const next: Choice = { label: 'common:choice.next', payload: 'nav.next' };
const back: Choice = { label: 'common:choice.back', payload: 'nav.back' };
const mainMenu: Choice = { label: 'common:choice.menu', payload: 'cmd.menu' };
const person = talkToPerson('wellbeing');
const otherTopics: Choice = { label: 'wellbeing:choice.topics', payload: 'wellbeing.topics' };
const country: Choice = { label: 'common:choice.country', payload: 'cmd.country' };

const topicChoice = (topic: WellbeingTopic): Choice => ({
  label: `wellbeing:choice.${topic}`,
  payload: `wellbeing.${topic}`,
});

const topicList: Output = {
  key: 'wellbeing:intro',
  choices: [
    ...TOPIC_IDS.map(topicChoice),
    { label: 'wellbeing:choice.moreHelp', payload: 'wellbeing.moreHelp' },
    person,
    mainMenu,
  ],
};

const moreHelp: Output = { key: 'wellbeing:moreHelp' };

/** The offer after the emergency number: a country is asked for only when the number list was general. */
const talkOutput = (env: FlowEnv | undefined): Output => ({
  key: 'wellbeing:talk',
  choices: [person, otherTopics, ...(env?.country ? [] : [country]), back, mainMenu],
});

const envOf = (event: FlowEvent): FlowEnv | undefined => (event as { env?: FlowEnv }).env;

/**
 * One chain of steps per topic: Next moves on, Back moves back (the first
 * step goes back to the topic list), and the last step offers other topics
 * or a person. Built from WELLBEING_TOPICS so the order is written once.
 */
function topicState(topic: WellbeingTopic) {
  const steps = WELLBEING_TOPICS[topic];
  const total = steps.length;
  return {
    initial: steps[0],
    states: Object.fromEntries(
      steps.map((step, i) => {
        const last = i === total - 1;
        const output: Output = {
          key: `wellbeing:${topic}.${step}`,
          params: { step: i + 1, total },
          choices: last ? [otherTopics, person, back, mainMenu] : [next, back, mainMenu],
        };
        return [
          step,
          {
            entry: { type: 'say' as const, params: output },
            on: {
              ...(last ? {} : { 'nav.next': { target: steps[i + 1] } }),
              'nav.back': { target: i === 0 ? '#wellbeing.topics' : steps[i - 1] },
            },
          },
        ];
      }),
    ),
  };
}

/**
 * Psychosocial self-care for stress, homesickness and hardship. Topic
 * buttons work from any step (also from older messages on screen), so a
 * person can move between topics without going through the list.
 */
export function createWellbeingFlow(deps: FlowDeps): FlowDefinition {
  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput },
    actions: flowActions,
  }).createMachine({
    id: 'wellbeing',
    initial: 'topics',
    on: {
      ...Object.fromEntries(TOPIC_IDS.map((t) => [`wellbeing.${t}`, { target: `.${t}` }])),
      'wellbeing.moreHelp': { target: '.moreHelp' },
      'wellbeing.topics': { target: '.topics' },
    },
    states: {
      // No `nav.back` here: the engine answers `back` with the main menu.
      topics: { entry: { type: 'say', params: topicList } },
      ...Object.fromEntries(TOPIC_IDS.map((t) => [t, topicState(t)])),
      moreHelp: {
        entry: [
          { type: 'say', params: moreHelp },
          { type: 'say', params: ({ event }) => emergencyOutput(deps.countries, envOf(event)?.country) },
          { type: 'say', params: ({ event }) => talkOutput(envOf(event)) },
        ],
        on: { 'nav.back': { target: 'topics' } },
      },
    },
  });
  return { id: 'wellbeing', version: WELLBEING_VERSION, machine };
}
