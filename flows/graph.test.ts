import { getShortestPaths, getStateNodes } from '@xstate/graph';
import {
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type ExecutableActionObject,
  type StateValue,
} from 'xstate';
import { payloadToEvent } from '../src/conversation/events';
import { COMMANDS } from '../src/conversation/steps/commands';
import { CATEGORIES } from '../src/handoff/types';
import { englishTemplate, nestedKeys, placeholders } from '../test/support/english';
import { ALERTS_PREFIX } from './shared/alerts';
import { testFlows as allFlows } from '../test/support/flows';
import type { FlowEnv, FlowEvent, Output } from './types';

/**
 * Properties every flow must have, checked on the machine itself so that a
 * new flow is covered the day it is added to `allFlows`.
 */

const env: FlowEnv = { locale: 'en' };

/** Payload prefix the engine's commands step answers by starting the named flow, if registered. */
const FLOW_START = 'flow.start:';
/** Payload prefix the engine's handoff step answers with the consent to a caseworker, for a known category. */
const PERSON_OFFER = 'handoff.offer:';
/** Payloads of the alerts screen, which the engine's alerts step answers (src/alerts/middleware.ts). */
const ALERTS = ['alerts.open', 'alerts.subscribe:origin', 'alerts.subscribe:current', 'alerts.unsubscribe'];
const flowIds = new Set(allFlows.map((f) => f.id));

type Action = ExecutableActionObject;

const outputsOf = (actions: readonly Action[]): Output[] =>
  actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const startsFlow = (actions: readonly Action[]) => actions.some((a) => a.type === 'startFlow');

/** `say` outputs written into the machine's config, wherever they sit; dynamic params are skipped here. */
function declaredOutputs(machine: AnyStateMachine): Output[] {
  const found: Output[] = [];
  const collect = (actions: unknown) => {
    for (const action of [actions].flat()) {
      const a = action as { type?: unknown; params?: unknown } | null;
      if (a && a.type === 'say' && typeof a.params === 'object' && a.params !== null) found.push(a.params as Output);
    }
  };
  for (const node of [machine.root, ...getStateNodes(machine)]) {
    collect(node.entry);
    collect(node.exit);
    for (const transitions of node.transitions.values()) for (const t of transitions) collect(t.actions);
    for (const t of node.always ?? []) collect(t.actions);
  }
  return found;
}

/** What a person can send: every offered payload, the navigation the engine sends, and some text. */
function eventsFor(machine: AnyStateMachine): FlowEvent[] {
  const payloads = new Set(declaredOutputs(machine).flatMap((o) => (o.choices ?? []).map((c) => c.payload)));
  const fromChoices = [...payloads].flatMap((p) => payloadToEvent(p, env) ?? []);
  return [
    ...fromChoices,
    { type: 'nav.next', env },
    { type: 'nav.back', env },
    { type: 'user.text', text: 'hello', env },
  ];
}

interface Explored {
  /** Every snapshot reachable from the start. */
  snapshots: AnyMachineSnapshot[];
  /** Every step taken: from a snapshot, by an event, to a snapshot, with what it emitted. */
  steps: { to: AnyMachineSnapshot; actions: readonly Action[] }[];
  events: FlowEvent[];
}

function explore(machine: AnyStateMachine): Explored {
  const events = eventsFor(machine);
  const snapshots = getShortestPaths(machine, { events, input: { env } }).map((p) => p.state as AnyMachineSnapshot);
  const [first, initialActions] = initialTransition(machine, { env });
  const steps = [{ to: first, actions: initialActions }];
  for (const from of snapshots) {
    if (from.status !== 'active') continue;
    for (const event of events) {
      if (!from.can(event)) continue;
      const [to, actions] = transition(machine, from, event);
      steps.push({ to, actions });
    }
  }
  return { snapshots, steps, events };
}

function valueOf(path: readonly string[]): StateValue {
  const [head, ...rest] = path;
  return rest.length === 0 ? head! : { [head!]: valueOf(rest) };
}

function allOutputs(flow: Explored, machine: AnyStateMachine): Output[] {
  return [...declaredOutputs(machine), ...flow.steps.flatMap((s) => outputsOf(s.actions))];
}

describe.each(allFlows.map((f) => [f.id, f] as const))('flow %s', (_id, flow) => {
  const { machine } = flow;
  const explored = explore(machine);

  it('has a positive integer version', () => {
    expect(Number.isInteger(flow.version) && flow.version > 0).toBe(true);
  });

  it('reaches every state', () => {
    const unreached = getStateNodes(machine)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .filter((node) => !explored.snapshots.some((s) => s.matches(valueOf(node.path))))
      .map((node) => node.id);
    expect(unreached).toEqual([]);
  });

  it('lets the person leave every state: a path to the end or another flow, or a way back', () => {
    const leaves = (s: AnyMachineSnapshot) =>
      s.status === 'done' ||
      s.can({ type: 'nav.back', env }) ||
      explored.events.some((e) => s.can(e) && startsFlow(transition(machine, s, e)[1]));
    const stuck = explored.snapshots
      .filter((s) => s.status === 'active')
      .filter((s) => {
        const onward = getShortestPaths(machine, { events: explored.events, fromState: s });
        return !onward.some((p) => leaves(p.state as AnyMachineSnapshot));
      })
      .map((s) => JSON.stringify(s.value));
    expect(stuck).toEqual([]);
  });

  it('says only locale keys that exist in English, with placeholders filled and nested keys present', () => {
    const problems: string[] = [];
    const check = (key: string, params: Output['params'], what: string) => {
      const template = englishTemplate(key);
      if (template === undefined) return problems.push(`${what} ${key}: missing in locales/en`);
      for (const name of placeholders(template)) {
        if (params?.[name] === undefined) problems.push(`${what} ${key}: no value for {{${name}}}`);
      }
      for (const nested of nestedKeys(template)) {
        if (englishTemplate(nested) === undefined) problems.push(`${what} ${key}: includes missing ${nested}`);
      }
    };
    for (const output of allOutputs(explored, machine)) {
      check(output.key, output.params, 'message');
      for (const c of output.choices ?? []) check(c.label, c.params, 'choice');
      for (const l of output.links ?? []) check(l.label, l.params, 'link');
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('offers only choices that do something where they are offered', () => {
    const dead: string[] = [];
    for (const { to, actions } of explored.steps) {
      for (const choice of outputsOf(actions).flatMap((o) => o.choices ?? [])) {
        // Commands, `flow.start:<id>`, `handoff.offer:<category>` and the alerts screen are answered by the engine before the flow sees them.
        const command = choice.payload.startsWith('cmd.') ? choice.payload.slice(4) : undefined;
        if (command !== undefined) {
          if (!(COMMANDS as readonly string[]).includes(command)) dead.push(`${choice.payload}: no such command`);
          continue;
        }
        const started = choice.payload.startsWith(FLOW_START) ? choice.payload.slice(FLOW_START.length) : undefined;
        if (started !== undefined) {
          if (!flowIds.has(started)) dead.push(`${choice.payload}: no flow registered with id "${started}"`);
          continue;
        }
        const category = choice.payload.startsWith(PERSON_OFFER) ? choice.payload.slice(PERSON_OFFER.length) : undefined;
        if (category !== undefined) {
          if (!(CATEGORIES as readonly string[]).includes(category)) dead.push(`${choice.payload}: no handoff category "${category}"`);
          continue;
        }
        if (choice.payload.startsWith(ALERTS_PREFIX)) {
          if (!ALERTS.includes(choice.payload)) dead.push(`${choice.payload}: not a payload of the alerts screen`);
          continue;
        }
        const event = payloadToEvent(choice.payload, env);
        if (!event || to.status !== 'active' || !to.can(event)) {
          dead.push(`${choice.payload} in ${JSON.stringify(to.value)}`);
        }
      }
    }
    expect([...new Set(dead)]).toEqual([]);
  });
});

describe('allFlows', () => {
  it('registers each flow once, with the menu among them', () => {
    const ids = allFlows.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('menu');
  });

  it('starts only flows that are registered', () => {
    const ids = new Set(allFlows.map((f) => f.id));
    const missing = allFlows.flatMap((f) =>
      explore(f.machine)
        .steps.flatMap((s) => s.actions)
        .filter((a) => a.type === 'startFlow')
        .map((a) => (a.params as { flow: string }).flow)
        .filter((id) => !ids.has(id)),
    );
    expect(missing).toEqual([]);
  });
});
