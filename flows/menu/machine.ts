import { setup } from 'xstate';
import { flowActions, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';

/** The Virtual Volunteer topics, in menu order. `flow` is set once a topic's flow exists. */
export const TOPICS: readonly { id: string; flow?: string }[] = [
  { id: 'services' },
  { id: 'packing', flow: 'packing' },
  { id: 'wellbeing' },
  { id: 'contacts' },
  { id: 'firstAid' },
  { id: 'danger' },
  { id: 'recruitment' },
  { id: 'passport' },
  { id: 'familyEmergency' },
  { id: 'rfl' },
];

const menuPrompt: Output = {
  key: 'menu:prompt',
  choices: TOPICS.map((t) => ({ label: `menu:topics.${t.id}`, payload: `topic.open:${t.id}` })),
};

const topicOf = (event: FlowEvent) => TOPICS.find((t) => 'value' in event && t.id === event.value);

export const menuMachine = setup({
  types: { events: {} as FlowEvent, input: {} as FlowInput },
  actions: flowActions,
  guards: {
    isBuiltTopic: ({ event }) => topicOf(event)?.flow !== undefined,
    isKnownTopic: ({ event }) => topicOf(event) !== undefined,
  },
}).createMachine({
  id: 'menu',
  initial: 'choosing',
  states: {
    choosing: {
      entry: { type: 'say', params: menuPrompt },
      on: {
        'topic.open': [
          {
            guard: 'isBuiltTopic',
            actions: { type: 'startFlow', params: ({ event }) => ({ flow: topicOf(event)!.flow! }) },
          },
          {
            guard: 'isKnownTopic',
            target: 'choosing',
            reenter: true,
            actions: { type: 'say', params: { key: 'menu:comingSoon', aside: true } },
          },
        ],
      },
    },
  },
});

export const menuFlow: FlowDefinition = { id: 'menu', version: 1, machine: menuMachine };
