import type { Choice, FlowEvent } from '../types';
import { topicChoice, type TopicId } from './topics';

/**
 * Where a flow can send the person next: another topic. Flows take these
 * choices themselves and start the flow, so that every choice is checked by
 * the flow graph test where it is offered. (A person to talk to is the
 * handoff's offer, flows/shared/person.ts.)
 */
export type Onward = TopicId;

export function onwardChoice(to: Onward): Choice {
  return topicChoice(to);
}

/** The flow a `topic.open` event asks for, if it is one of those offered. */
export function onwardTarget(event: FlowEvent, offered: readonly Onward[]): Onward | undefined {
  const value = 'value' in event ? event.value : undefined;
  return offered.find((o) => o === value);
}

/** The `topic.open` transition of a flow that offers these choices: start the flow asked for. */
export function openOnward(offered: readonly Onward[]) {
  return {
    guard: ({ event }: { event: FlowEvent }) => onwardTarget(event, offered) !== undefined,
    actions: {
      type: 'startFlow' as const,
      params: ({ event }: { event: FlowEvent }) => ({ flow: onwardTarget(event, offered)! }),
    },
  };
}
