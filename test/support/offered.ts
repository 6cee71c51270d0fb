import { getStateNodes } from '@xstate/graph';
import {
  initialTransition,
  transition,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type ExecutableActionObject,
} from 'xstate';
import type { CountryLookup } from '../../flows/directory';
import type { FlowDefinition, FlowEnv, FlowEvent, Output } from '../../flows/types';
import { payloadToEvent } from '../../src/conversation/events';
import { FlowRegistry, FlowRunner } from '../../src/conversation/flows';
import type { Translator } from '../../src/conversation/i18n';
import { UNSUPPORTED_INPUT, type InboundMessage } from '../../src/conversation/inbound';
import { silentLogger } from '../../src/conversation/logger';
import { newRecord, type ConversationRecord } from '../../src/conversation/record';
import { languagesOfScript } from '../../src/conversation/scripts';
import { COMMANDS, commands } from '../../src/conversation/steps/commands';
import { flowStep, MISSES_BEFORE_OFFER } from '../../src/conversation/steps/flow';
import { offerScriptSwitch } from '../../src/conversation/steps/language';
import { safety } from '../../src/conversation/steps/safety';
import { welcome } from '../../src/conversation/steps/welcome';
import { Turn, type Middleware } from '../../src/conversation/turn';
import { consentOutput } from '../../src/handoff/consent';
import { CATEGORIES } from '../../src/handoff/types';
import { alertsStep } from '../../src/alerts/middleware';
import { LINKABLE_FLOWS, alertOutput } from '../../src/alerts/alert-message';
import type { SubscriptionScope } from '../../src/alerts/subscriptions';
import { MemorySubscriptionStore } from '../../src/store/subscriptions-memory';

/**
 * Every message with choices that the bot can say: what each flow says from
 * every state it can reach, for every place the person can be in and come
 * from, and what the engine's own steps offer (welcome, language chooser,
 * switch offer, "delete my data", the SOS offer, "still not understood", the
 * alerts screen).
 * Each comes with where it was first seen, to make a failure findable.
 */
export interface Offered {
  where: string;
  output: Output;
}

type Action = ExecutableActionObject;

const outputsOf = (actions: readonly Action[]): Output[] =>
  actions.filter((a) => a.type === 'say').map((a) => a.params as Output);

/** Payloads a flow offered that its own machine might take (commands and flow starts are the engine's). */
const payloadsOf = (outputs: readonly Output[]): string[] =>
  outputs.flatMap((o) => (o.choices ?? []).map((c) => c.payload));

/** Choices written into the machine's config, wherever they sit: the first events to try. */
function declaredPayloads(machine: AnyStateMachine): string[] {
  const found: string[] = [];
  const collectFrom = (actions: unknown) => {
    for (const action of [actions].flat()) {
      const a = action as { type?: unknown; params?: unknown } | null;
      if (a && a.type === 'say' && typeof a.params === 'object' && a.params !== null) found.push(...payloadsOf([a.params as Output]));
    }
  };
  for (const node of [machine.root, ...getStateNodes(machine)]) {
    collectFrom(node.entry);
    collectFrom(node.exit);
    for (const transitions of node.transitions.values()) for (const t of transitions) collectFrom(t.actions);
    for (const t of node.always ?? []) collectFrom(t.actions);
  }
  return found;
}

/** A snapshot as the walk tells states apart: where it is and what it holds. */
const keyOf = (s: AnyMachineSnapshot): string => JSON.stringify({ value: s.value, context: s.context, status: s.status });
const eventKey = (e: FlowEvent): string => JSON.stringify([e.type, 'value' in e ? e.value : null, 'text' in e ? e.text : null]);

/** What one event does in one state: the state it leads to (none if not taken) and what is said. */
interface Step {
  to: AnyMachineSnapshot | null;
  toKey: string;
  outputs: Output[];
}

/**
 * Steps that never looked at the person's env (where they are, where they
 * are from), shared between people: the same state and event give the same
 * step for everyone. Only the steps that did look are taken again for each
 * person, which keeps walking every pair of countries quick.
 */
type Memo = Map<string, Step>;

/** The env behind a proxy that notes any look at it, so that a step can tell whether it depended on it. */
function watched(env: FlowEnv): { env: FlowEnv; looked: () => boolean; forget: () => void } {
  let looked = false;
  const proxy = new Proxy(env, {
    get(target, name, receiver) {
      looked = true;
      return Reflect.get(target, name, receiver);
    },
    has(target, name) {
      looked = true;
      return Reflect.has(target, name);
    },
    ownKeys(target) {
      looked = true;
      return Reflect.ownKeys(target);
    },
    getOwnPropertyDescriptor(target, name) {
      looked = true;
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
  return {
    env: proxy,
    looked: () => looked,
    forget: () => {
      looked = false;
    },
  };
}

/**
 * Every output a machine says for one person, from every reachable state and
 * every event: each choice it offers, the navigation the engine sends and
 * some typed text. Choices found on the way become events too, until no new
 * one turns up, so choices that only some states offer are pressed as well.
 */
function walk(machine: AnyStateMachine, person: FlowEnv, memo: Memo): Output[] {
  const watch = watched(person);
  const env = watch.env;
  const [first, initialActions] = initialTransition(machine, { env });
  const said: Output[] = outputsOf(initialActions);
  const payloads = new Set<string>([...declaredPayloads(machine), ...payloadsOf(said)]);
  let size = -1;
  while (payloads.size !== size) {
    size = payloads.size;
    const events: FlowEvent[] = [
      ...[...payloads].flatMap((p) => payloadToEvent(p, env) ?? []),
      { type: 'nav.next', env },
      { type: 'nav.back', env },
      { type: 'user.text', text: 'hello', env },
    ];
    const queue: [AnyMachineSnapshot, string][] = [[first, keyOf(first)]];
    const seen = new Set<string>([queue[0]![1]]);
    for (let i = 0; i < queue.length; i++) {
      const [from, fromKey] = queue[i]!;
      if (from.status !== 'active') continue;
      for (const event of events) {
        const key = `${fromKey}\u0000${eventKey(event)}`;
        let step = memo.get(key);
        if (!step) {
          watch.forget();
          const [to, actions] = from.can(event) ? transition(machine, from, event) : [null, []];
          const outputs = outputsOf(actions);
          // Serialising touches anything taken from the env by reference, too.
          step = { to, toKey: to ? keyOf(to) : '', outputs };
          JSON.stringify(outputs);
          if (!watch.looked()) memo.set(key, step);
        }
        if (!step.to) continue;
        said.push(...step.outputs);
        for (const p of payloadsOf(step.outputs)) payloads.add(p);
        if (!seen.has(step.toKey)) {
          seen.add(step.toKey);
          queue.push([step.to, step.toKey]);
        }
      }
    }
  }
  return said;
}

/** A stable identity for a message's choices, so each distinct message is checked once. */
const identity = (o: Output) => JSON.stringify(o.choices);

function collect(into: Map<string, Offered>, outputs: readonly Output[], where: string): void {
  for (const output of outputs) {
    if (!output.choices || output.choices.length === 0) continue;
    const id = identity(output);
    if (!into.has(id)) into.set(id, { where: `${output.key} (${where})`, output });
  }
}

/**
 * What every flow offers, for every place the person can be (nowhere known,
 * a destination, or at home in a country of origin) and every country they
 * can come from: labels with nested country names are then seen with each
 * country the directory can put in them.
 */
export function offeredByFlows(flows: readonly FlowDefinition[], countries: CountryLookup): Offered[] {
  const places = [undefined, ...countries.destinations().map((c) => c.code), ...countries.origins().map((c) => c.code)];
  const homes = [undefined, ...countries.origins().map((c) => c.code)];
  const found = new Map<string, Offered>();
  for (const flow of flows) {
    const memo: Memo = new Map();
    for (const country of places) {
      for (const origin of homes) {
        const env: FlowEnv = { locale: 'en', ...(country && { country }), ...(origin && { origin }) };
        collect(found, walk(flow.machine, env, memo), `flow ${flow.id}, person in ${country ?? '?'} from ${origin ?? '?'}`);
      }
    }
  }
  return [...found.values()];
}

const noNext = async () => undefined;

/**
 * What the engine's own steps offer, each step run on a turn of its own as
 * the engine runs it: every command and engine payload, in every language, in
 * a known country and in none, and a message in every script the switch
 * offer knows; and the handoff's consent question.
 */
export async function offeredByEngine(
  flows: readonly FlowDefinition[],
  countries: CountryLookup,
  tr: Translator,
): Promise<Offered[]> {
  const runner = new FlowRunner(new FlowRegistry(flows));
  const found = new Map<string, Offered>();
  let id = 0;

  const turnFor = (locale: string, country: string | undefined, fields: Partial<InboundMessage>, isNew = false) => {
    const msg: InboundMessage = {
      channel: 'test',
      conversationId: 'c',
      userId: 'u',
      messageId: `m${++id}`,
      timestamp: 0,
      ...fields,
    };
    const record: ConversationRecord = {
      ...newRecord({ channel: 'test', conversationId: 'c', userId: 'u' }, locale, 0),
      localeSource: 'chosen',
      country: country ? { current: country } : {},
    };
    return new Turn(msg, record, isNew, 0, tr, silentLogger);
  };
  const run = async (step: Middleware, turn: Turn, where: string) => {
    await step(turn, noNext);
    collect(found, turn.outputs, where);
    return turn;
  };

  // A sample of each language's script: its own name (नेपाली, বাংলা, ...).
  const scriptSamples = tr.locales.map((code) => tr.t(`languages:${code}`, code)).filter((s) => languagesOfScript(s).length > 0);
  const payloads = [
    ...COMMANDS.map((c) => `cmd.${c}`),
    'cmd.sos',
    'data.erase.cancel',
    'data.erase.confirm',
    UNSUPPORTED_INPUT,
    ...tr.locales.map((code) => `lang.set:${code}`),
  ];

  for (const locale of tr.locales) {
    for (const country of [undefined, countries.destinations()[0]!.code]) {
      const at = `conversation in ${locale}, person in ${country ?? '?'}`;
      await run(safety(countries), turnFor(locale, country, { text: 'sos' }), `safety step, ${at}`);
      await run(welcome(runner), turnFor(locale, country, { text: 'hi' }, true), `welcome step, ${at}`);
      for (const payload of payloads) {
        await run(commands(runner), turnFor(locale, country, { payload }), `commands step, ${payload}, ${at}`);
      }
      for (const text of scriptSamples) {
        await run(offerScriptSwitch(), turnFor(locale, country, { text }), `switch offer, "${text}", ${at}`);
      }
      // Misunderstood once too often, inside a flow.
      const lost = turnFor(locale, country, { text: 'qqq' });
      runner.start(lost, 'menu');
      lost.outputs.length = 0;
      lost.record.misses = MISSES_BEFORE_OFFER - 1;
      await run(flowStep(runner), lost, `flow step, not understood, ${at}`);
    }
  }
  // The alerts step (a `before` middleware): its screen and answers, for every mix of known countries and subscriptions.
  const destination = countries.destinations()[0]!.code;
  const home = countries.origins()[0]!.code;
  const places: ConversationRecord['country'][] = [
    {},
    { origin: home },
    { current: destination },
    { current: destination, origin: home },
    { current: home, origin: home },
  ];
  const mixes: SubscriptionScope[][] = [[], ['origin'], ['current'], ['origin', 'current']];
  for (const locale of tr.locales) {
    for (const [p, place] of places.entries()) {
      for (const mix of mixes) {
        for (const payload of ['alerts.open', 'alerts.subscribe:origin', 'alerts.unsubscribe:current']) {
          const subscriptions = new MemorySubscriptionStore();
          for (const scope of mix) {
            const ref = { channel: 'test', conversationId: 'c', userId: 'u' };
            await subscriptions.upsert({ conversationKey: 'test:c', ref, scope, country: place[scope] ?? destination, locale, now: 0 });
          }
          const turn = turnFor(locale, undefined, { payload });
          turn.record.country = { ...place };
          const at = `alerts step, ${payload}, place ${p}, subscribed ${mix.join('+') || 'to nothing'}, in ${locale}`;
          await run(alertsStep({ subscriptions, flows: runner }), turn, at);
        }
      }
    }
  }
  // The handoff step (a `before` middleware): the consent question, for every category, with a tracing request or not.
  for (const category of CATEGORIES) {
    for (const withTracing of [false, true]) {
      collect(found, [consentOutput(category, 'Red Cross', withTracing)], `handoff consent, ${category}`);
    }
  }
  // An admin's alert broadcast (src/alerts/send-loop.ts): with each flow it may link to, or none, in each language.
  for (const locale of tr.locales) {
    for (const flow of [...LINKABLE_FLOWS, null]) {
      collect(found, [alertOutput('Flooding: stay away from rivers.', 'Red Cross', flow, locale)], `alert broadcast, ${flow ?? 'no link'}, in ${locale}`);
    }
  }
  return [...found.values()];
}
