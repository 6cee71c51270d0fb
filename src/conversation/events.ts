import type { FlowEnv, FlowEvent } from '../../flows/types';

/**
 * A payload is an event type with an optional value after the first colon:
 * `topic.packing`, `lang.set:fil`. Types without a dot are refused so that a
 * forged payload cannot pose as an internal event.
 */
export function payloadToEvent(payload: string, env: FlowEnv): FlowEvent | undefined {
  const colon = payload.indexOf(':');
  const type = colon === -1 ? payload : payload.slice(0, colon);
  if (!/^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9-]+)+$/.test(type)) return undefined;
  if (type === 'user.text') return undefined;
  const value = colon === -1 ? undefined : payload.slice(colon + 1);
  return (value === undefined ? { type, env } : { type, value, env }) as FlowEvent;
}
