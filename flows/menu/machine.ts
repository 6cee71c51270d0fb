import { setup } from 'xstate';
import { talkToPerson } from '../shared/person';
import { flowActions, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';
import { AUDIENCES, AUDIENCE_TOPICS, findTopic, topicChoice, type Audience, type TopicId } from './topics';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const MENU_VERSION = 2;

const back = { label: 'common:choice.back', payload: 'nav.back' };

/**
 * The first screen: danger in one tap, then who the person is, a person to
 * talk to (a caseworker, with consent first), and last a way to clear the
 * chat for someone whose phone is checked by others.
 */
export const rootPrompt: Output = {
  key: 'menu:prompt',
  choices: [
    topicChoice('danger'),
    ...AUDIENCES.map((a) => ({ label: `menu:audience.${a}`, payload: `menu.audience:${a}` })),
    talkToPerson('other'),
    { label: 'common:choice.clear', payload: 'cmd.clear' },
  ],
};

export function topicPrompt(audience: Audience, topics: readonly TopicId[] = AUDIENCE_TOPICS[audience]): Output {
  return { key: `menu:topicsFor.${audience}`, choices: [...topics.map(topicChoice), back] };
}

const audienceState = (audience: Audience) => ({
  entry: { type: 'say' as const, params: topicPrompt(audience) },
  on: { 'nav.back': { target: 'root' } },
});

const topicOf = (event: FlowEvent) => findTopic('value' in event ? event.value : undefined);

export const menuMachine = setup({
  types: { events: {} as FlowEvent, input: {} as FlowInput },
  actions: flowActions,
  guards: {
    isTopic: ({ event }) => topicOf(event) !== undefined,
    isAbroad: ({ event }) => 'value' in event && event.value === 'abroad',
    isPreparing: ({ event }) => 'value' in event && event.value === 'preparing',
    isFamily: ({ event }) => 'value' in event && event.value === 'family',
  },
}).createMachine({
  id: 'menu',
  initial: 'root',
  // Any topic opens from any screen of the menu, so a button from an earlier
  // menu message still works after the person has moved on.
  on: {
    'topic.open': {
      guard: 'isTopic',
      actions: { type: 'startFlow', params: ({ event }) => ({ flow: topicOf(event)!.flow }) },
    },
  },
  states: {
    // No `nav.back` here: the engine answers `back` with the menu, which is this screen.
    root: {
      entry: { type: 'say', params: rootPrompt },
      on: {
        'menu.audience': [
          { guard: 'isAbroad', target: 'abroad' },
          { guard: 'isPreparing', target: 'preparing' },
          { guard: 'isFamily', target: 'family' },
        ],
      },
    },
    abroad: audienceState('abroad'),
    preparing: audienceState('preparing'),
    family: audienceState('family'),
  },
});

export const menuFlow: FlowDefinition = { id: 'menu', version: MENU_VERSION, machine: menuMachine };
