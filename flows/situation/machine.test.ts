import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import { testDeps } from '../../test/support/flows';
import type { FlowEnv, FlowEvent, Output, Situation } from '../types';
import { confirmation, createSituationFlow } from './machine';

// As in the engine, an event carries the country remembered by the turns before it.

const env: FlowEnv = { locale: 'en' };
const { machine } = createSituationFlow(testDeps);
const ev = (type: string, value?: string, country?: string): FlowEvent =>
  ({ type, ...(value && { value }), env: { ...env, ...(country && { country }) } }) as FlowEvent;
const text = (t: string, country?: string): FlowEvent => ({ type: 'user.text', text: t, env: { ...env, ...(country && { country }) } });

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const remembered = (actions: Actions): Situation[] =>
  actions.filter((a) => a.type === 'remember').map((a) => a.params as Situation);

function run(...events: FlowEvent[]): { snapshot: AnyMachineSnapshot; actions: Actions; all: Actions } {
  let [snapshot, actions] = initialTransition(machine, { env });
  const all: ExecutableActionObject[] = [...actions];
  for (const e of events) {
    [snapshot, actions] = transition(machine, snapshot, e);
    all.push(...actions);
  }
  return { snapshot, actions, all };
}

describe('situation machine', () => {
  it('asks where the person is, offering every destination, their home country and skip', () => {
    const { snapshot, actions } = run();
    expect(snapshot.value).toBe('where');
    const [where] = said(actions);
    expect(where?.key).toBe('situation:where');
    const payloads = where?.choices?.map((c) => c.payload) ?? [];
    expect(payloads).toEqual([
      ...testDeps.countries.destinations().map((c) => `situation.here:${c.code}`),
      'situation.home',
      'situation.skip',
    ]);
    expect(where?.choices?.[0]).toEqual({ label: 'countries:AU', payload: 'situation.here:AU' });
  });

  it('remembers the country at once, then asks where the person is from, with the origins, skip and back', () => {
    const { snapshot, actions } = run(ev('situation.here', 'QA'));
    expect(remembered(actions)).toEqual([{ country: 'QA' }]);
    expect(snapshot.value).toBe('from');
    const [from] = said(actions);
    expect(from?.key).toBe('situation:from');
    expect(from?.choices?.map((c) => c.payload)).toEqual([
      ...testDeps.countries.origins().map((c) => `situation.from:${c.code}`),
      'situation.skip',
      'nav.back',
    ]);
  });

  it('remembers the origin, confirms both as an aside and ends', () => {
    const { snapshot, actions, all } = run(ev('situation.here', 'QA'), ev('situation.from', 'NP', 'QA'));
    expect(remembered(all)).toEqual([{ country: 'QA' }, { origin: 'NP' }]);
    expect(snapshot.status).toBe('done');
    expect(said(actions)).toEqual([
      {
        key: 'situation:saved.both',
        params: { country: { key: 'countries:QA' }, origin: { key: 'countries:NP' } },
        aside: true,
      },
    ]);
  });

  it('matches typed names anywhere in the directory, at both questions', () => {
    const { snapshot, all } = run(text('dubai'), text('Pinas', 'AE'));
    expect(remembered(all)).toEqual([{ country: 'AE' }, { origin: 'PH' }]);
    expect(snapshot.status).toBe('done');
  });

  it('takes a country of origin typed as where the person is now', () => {
    const { snapshot, actions } = run(text('philippines'));
    expect(remembered(actions)).toEqual([{ country: 'PH' }]);
    expect(snapshot.value).toBe('from');
  });

  it.each([
    ['where', [] as FlowEvent[]],
    ['from', [ev('situation.here', 'SG')]],
    ['homeFrom', [ev('situation.home')]],
  ])('answers an unknown name at %s with a short aside and the same question', (state, before) => {
    const { snapshot, actions } = run(...before, text('Atlantis'));
    expect(snapshot.value).toBe(state);
    expect(remembered(actions)).toEqual([]);
    const outputs = said(actions);
    expect(outputs.map((o) => [o.key, o.aside ?? false])).toEqual([
      ['situation:notFound', true],
      [state === 'where' ? 'situation:where' : state === 'from' ? 'situation:from' : 'situation:fromHome', false],
    ]);
  });

  it('refuses a button for a country that is not in the directory', () => {
    const { snapshot } = run();
    expect(snapshot.can(ev('situation.here', 'XX'))).toBe(false);
    expect(snapshot.can(ev('situation.here'))).toBe(false);
    const { snapshot: from } = run(ev('situation.skip'));
    expect(from.can(ev('situation.from', 'ZZ'))).toBe(false);
  });

  it('at home, asks which country that is and remembers it as both', () => {
    const { snapshot, actions } = run(ev('situation.home'));
    expect(remembered(actions)).toEqual([]);
    expect(snapshot.value).toBe('homeFrom');
    expect(said(actions).map((o) => o.key)).toEqual(['situation:fromHome']);
    const [after, done] = transition(machine, snapshot, ev('situation.from', 'ID'));
    expect(after.status).toBe('done');
    expect(remembered(done)).toEqual([{ country: 'ID', origin: 'ID' }]);
    expect(said(done)).toEqual([{ key: 'situation:saved.home', params: { country: { key: 'countries:ID' } }, aside: true }]);
  });

  it('keeps the first answer when the second is skipped', () => {
    const { snapshot, actions, all } = run(ev('situation.here', 'HK'), ev('situation.skip', undefined, 'HK'));
    expect(snapshot.status).toBe('done');
    expect(remembered(all)).toEqual([{ country: 'HK' }]);
    expect(said(actions)).toEqual([{ key: 'situation:saved.here', params: { country: { key: 'countries:HK' } }, aside: true }]);
  });

  it('can skip the first question and still take the second', () => {
    const { snapshot, actions, all } = run(ev('situation.skip'), ev('situation.from', 'LK'));
    expect(snapshot.status).toBe('done');
    expect(remembered(all)).toEqual([{ origin: 'LK' }]);
    expect(said(actions).map((o) => o.key)).toEqual(['situation:saved.from']);
  });

  it('can skip both, remembering nothing', () => {
    const { snapshot, actions, all } = run(ev('situation.skip'), ev('situation.skip'));
    expect(snapshot.status).toBe('done');
    expect(remembered(all)).toEqual([]);
    expect(said(actions)).toEqual([{ key: 'situation:saved.none', aside: true }]);
  });

  it('goes back from the second question to the first, from either branch', () => {
    for (const first of [ev('situation.here', 'KR'), ev('situation.home'), ev('situation.skip')]) {
      const { snapshot, actions } = run(first, ev('nav.back'));
      expect(snapshot.value).toBe('where');
      expect(said(actions).map((o) => o.key)).toEqual(['situation:where']);
    }
  });

  it('leaves back at the first question to the engine, which shows the menu', () => {
    expect(run().snapshot.can(ev('nav.back'))).toBe(false);
  });

  it('confirms a country remembered earlier when the first question is skipped', () => {
    const { actions } = run(ev('situation.skip', undefined, 'OM'), ev('situation.from', 'PK', 'OM'));
    expect(said(actions)[0]).toEqual({
      key: 'situation:saved.both',
      params: { country: { key: 'countries:OM' }, origin: { key: 'countries:PK' } },
      aside: true,
    });
  });

  it('needs no context, so a saved snapshot is only the step', () => {
    expect(run(ev('situation.here', 'AE')).snapshot.context).toEqual({});
  });

  it('confirms only what was said', () => {
    expect(confirmation({}).key).toBe('situation:saved.none');
    expect(confirmation({ here: 'AE' }).key).toBe('situation:saved.here');
    expect(confirmation({ from: 'PH' }).key).toBe('situation:saved.from');
    expect(confirmation({ here: 'AE', from: 'PH' }).key).toBe('situation:saved.both');
    expect(confirmation({ home: true, from: 'PH' }).key).toBe('situation:saved.home');
  });

  it('keeps a snapshot that can be saved and restored between the questions', () => {
    const { snapshot } = run(ev('situation.here', 'KW'));
    const saved = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot))) as { value: string; context: object };
    const restored = machine.resolveState({ value: saved.value, context: saved.context });
    const [after, actions] = transition(machine, restored, ev('situation.from', 'BD', 'KW'));
    expect(after.status).toBe('done');
    expect(said(actions)[0]?.params).toEqual({ country: { key: 'countries:KW' }, origin: { key: 'countries:BD' } });
  });
});
