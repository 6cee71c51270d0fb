import { assign, createMachine, fromPromise, initialTransition, setup } from 'xstate';
import { payloadToEvent } from '../../src/conversation/events';
import { PureMachine } from '../../src/conversation/pure-machine';
import { testFlows } from '../support/flows';

/**
 * PureMachine gives what XState's own initialTransition and transition give,
 * and computes a flow's first step once per input.
 */
interface Input {
  env: { locale: string; country?: string };
}

const machine = setup({
  types: { input: {} as Input, context: {} as { locale: string; country?: string; seen: string[] }, events: {} as { type: 'next' } },
  actions: { say: (_, params: { key: string; params?: object }) => params },
}).createMachine({
  context: ({ input }) => ({ locale: input.env.locale, country: input.env.country, seen: [] }),
  initial: 'start',
  states: {
    start: {
      entry: [{ type: 'say', params: ({ context }) => ({ key: 'hello', params: { country: context.country ?? 'none' } }) }],
      always: [{ guard: ({ context }) => context.country === 'XX', target: 'blocked' }],
      on: { next: { target: 'second', actions: assign({ seen: ({ context }) => [...context.seen, 'start'] }) } },
    },
    second: { entry: [{ type: 'say', params: { key: 'second' } }] },
    blocked: { entry: [{ type: 'say', params: { key: 'blocked' } }] },
  },
});

const said = (actions: readonly { type: string; params?: unknown }[]) => actions.filter((a) => a.type === 'say').map((a) => a.params);

describe('PureMachine', () => {
  it('gives the first step XState gives, for each input', () => {
    const pure = new PureMachine(machine);
    for (const input of [{ env: { locale: 'en' } }, { env: { locale: 'ne', country: 'QA' } }, { env: { locale: 'en', country: 'XX' } }]) {
      const [snapshot, actions] = pure.initial(input);
      const [expected, expectedActions] = initialTransition(machine, input);
      expect(snapshot.value).toEqual(expected.value);
      expect(snapshot.context).toEqual(expected.context);
      expect(said(actions)).toEqual(said(expectedActions));
    }
  });

  it('computes the first step once per input and hands the same one out again', () => {
    const pure = new PureMachine(machine);
    const a = pure.initial({ env: { locale: 'en', country: 'QA' } });
    const b = pure.initial({ env: { locale: 'en', country: 'QA' } });
    const other = pure.initial({ env: { locale: 'en', country: 'SG' } });

    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(said(other[1])).toEqual([{ key: 'hello', params: { country: 'SG' } }]);
  });

  it('freezes what it shares, so a change in place throws instead of reaching the next conversation', () => {
    const pure = new PureMachine(machine);
    const [snapshot, actions] = pure.initial({ env: { locale: 'en' } });

    expect(() => {
      (snapshot.context as { seen: string[] }).seen.push('x');
    }).toThrow(TypeError);
    expect(() => {
      ((actions[0]!.params as { params: { country: string } }).params).country = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      (actions as unknown[]).push({});
    }).toThrow(TypeError);
    expect(said(pure.initial({ env: { locale: 'en' } })[1])).toEqual([{ key: 'hello', params: { country: 'none' } }]);
  });

  it('moves on from a shared first step without changing it', () => {
    const pure = new PureMachine(machine);
    const [first] = pure.initial({ env: { locale: 'en' } });
    const [next, actions] = pure.transition(first, { type: 'next' });

    expect(next.value).toBe('second');
    expect(next.context.seen).toEqual(['start']);
    expect(first.context.seen).toEqual([]);
    expect(said(actions)).toEqual([{ key: 'second' }]);
  });

  it('leaves a machine that invokes actors to XState, computing each first step afresh', () => {
    const invoking = createMachine({
      initial: 'loading',
      states: { loading: { invoke: { src: fromPromise(async () => 1) } } },
    });
    const pure = new PureMachine(invoking);
    const [a] = pure.initial(undefined);
    const [b] = pure.initial(undefined);

    expect(a.value).toBe('loading');
    expect(b).not.toBe(a);
  });
});

describe('PureMachine.persisted', () => {
  const saidOf = (actions: readonly { type: string; params?: unknown }[]) =>
    actions.filter((a) => a.type === 'say').map((a) => a.params as { choices?: { payload: string }[] });

  it.each(testFlows.map((f) => [f.id, f] as const))('gives what XState persists, in the same order, for every state of %s reached', (_id, flow) => {
    const pure = new PureMachine(flow.machine);
    const env = { locale: 'en', country: 'QA', origin: 'NP' };
    const [first, firstActions] = pure.initial({ env });
    const payloads = new Set<string>();
    const queue = [{ snapshot: first, actions: firstActions }];
    const seen = new Set<string>();
    let compared = 0;
    // Breadth first over the choices each state offers, plus the engine's navigation and some text.
    for (let i = 0; i < queue.length && compared < 200; i++) {
      const { snapshot, actions } = queue[i]!;
      const key = JSON.stringify([snapshot.value, snapshot.context]);
      if (seen.has(key)) continue;
      seen.add(key);
      expect(JSON.stringify(pure.persisted(snapshot))).toBe(JSON.stringify(flow.machine.getPersistedSnapshot(snapshot)));
      expect(pure.persisted(snapshot)).toStrictEqual(flow.machine.getPersistedSnapshot(snapshot));
      compared++;
      if (snapshot.status !== 'active') continue;
      for (const said of saidOf(actions)) for (const c of said?.choices ?? []) payloads.add(c.payload);
      const events = [
        ...[...payloads].flatMap((p) => payloadToEvent(p, env) ?? []),
        { type: 'nav.next', env },
        { type: 'nav.back', env },
        { type: 'user.text', text: 'hello', env },
      ];
      for (const event of events) {
        if (!snapshot.can(event)) continue;
        const [next, nextActions] = pure.transition(snapshot, event);
        queue.push({ snapshot: next, actions: nextActions });
      }
    }
    expect(compared).toBeGreaterThanOrEqual(1);
  });

  it("leaves a machine with child actors to XState's own", () => {
    const invoking = createMachine({ initial: 'waiting', states: { waiting: { invoke: { src: fromPromise(() => new Promise(() => undefined)) } } } });
    const pure = new PureMachine(invoking);
    const [snapshot] = pure.initial({});
    expect(pure.persisted(snapshot)).toStrictEqual(invoking.getPersistedSnapshot(snapshot));
  });
});
