import type { FlowEnv, FlowEvent, FlowInput } from '../types';

/** Where the person is and where they are from, as far as the bot knows. */
export type Whereabouts = Pick<FlowEnv, 'country' | 'origin'>;

/**
 * The person's situation as of the event that entered a state. Every flow
 * event carries it; a flow's first state is entered by XState's start event,
 * which carries the flow's input instead. Reading it from the event rather
 * than copying it into context keeps stored snapshots free of personal data.
 */
export function envOf(event: FlowEvent | { type: string; input?: FlowInput }): Whereabouts {
  if ('env' in event && event.env) return event.env;
  if ('input' in event && event.input) return event.input.env;
  return {};
}
