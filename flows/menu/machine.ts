import { setup } from 'xstate';
import { flowActions, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';
import { TOPICS, topicLabel, topicPayload, type Topic } from './topics';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const MENU_VERSION = 1;

/**
 * The topic list as one prompt. Built from a list rather than from TOPICS
 * directly so that a later audience-first menu ("I am abroad", "I am preparing
 * to leave", "my family member is abroad") can offer a subset per audience.
 */
export function topicPrompt(topics: readonly Topic[]): Output {
  return {
    key: 'menu:prompt',
    choices: topics.map((t) => ({ label: topicLabel(t), payload: topicPayload(t) })),
  };
}

const topicOf = (event: FlowEvent): Topic | undefined =>
  'value' in event ? TOPICS.find((t) => t.id === event.value) : undefined;

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
      entry: { type: 'say', params: topicPrompt(TOPICS) },
      on: {
        'topic.open': [
          {
            guard: 'isBuiltTopic',
            actions: { type: 'startFlow', params: ({ event }) => ({ flow: topicOf(event)!.flow! }) },
          },
          {
            // Re-entering says the menu again after the aside, so the choices stay on screen.
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

export const menuFlow: FlowDefinition = { id: 'menu', version: MENU_VERSION, machine: menuMachine };
