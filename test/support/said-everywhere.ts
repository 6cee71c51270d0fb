import { getShortestPaths } from '@xstate/graph';
import { transition, type AnyMachineSnapshot, type AnyStateMachine, type ExecutableActionObject } from 'xstate';
import type { CountryLookup } from '../../flows/directory';
import type { FlowEnv, FlowEvent, Output } from '../../flows/types';
import { english } from './english';

/** What a flow says after each of `presses` from every state it can reach, for one person. */
function messagesIn(machine: AnyStateMachine, presses: readonly string[], env: FlowEnv): Output[] {
  const events = presses.map((type) => ({ type, env }) as FlowEvent);
  const snapshots = getShortestPaths(machine, { events, input: { env } }).map((p) => p.state as AnyMachineSnapshot);
  const saidAfter = (s: AnyMachineSnapshot, e: FlowEvent): Output[] => {
    const actions: readonly ExecutableActionObject[] = transition(machine, s, e)[1];
    return actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
  };
  return snapshots.flatMap((s) => events.filter((e) => s.can(e)).flatMap((e) => saidAfter(s, e)));
}

/**
 * Every distinct English text a flow can say, for every pair of countries in
 * the directory (and for none), as `[where, text]` with where it was first said.
 * `homes` may add countries that stand for an origin the directory lacks.
 */
export function saidEverywhere(
  machine: AnyStateMachine,
  presses: readonly string[],
  countries: CountryLookup,
  extraHomes: readonly string[] = [],
): [string, string][] {
  const places = [undefined, ...countries.destinations().map((c) => c.code)];
  const homes = [undefined, ...countries.origins().map((c) => c.code), ...extraHomes];
  const byText = new Map<string, string>();
  for (const country of places) {
    for (const origin of homes) {
      const env: FlowEnv = { locale: 'en', ...(country && { country }), ...(origin && { origin }) };
      for (const o of messagesIn(machine, presses, env)) {
        const text = english(o.key, o.params);
        if (!byText.has(text)) byText.set(text, `${o.key} in ${country ?? '?'} from ${origin ?? '?'}`);
      }
    }
  }
  return [...byText].map(([text, where]) => [where, text]);
}
