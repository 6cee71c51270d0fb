import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { emergencyOutput } from '../shared/numbers';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { createDangerFlow } from './machine';
import { SIGN_GROUPS } from './signs';

const deps = flowDeps(loadConfig({}));
const { machine } = createDangerFlow(deps);

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const payloads = (o: Output | undefined) => o?.choices?.map((c) => c.payload);

const here = (country?: string): FlowEnv => ({ locale: 'en', ...(country && { country }) });
const ev = (type: string, env: FlowEnv = here(), value?: string) =>
  (value === undefined ? { type, env } : { type, value, env }) as FlowEvent;

function start(env: FlowEnv = here()) {
  return initialTransition(machine, { env });
}

/** The snapshot after these presses from the start. */
function after(...types: string[]): AnyMachineSnapshot {
  let [snapshot] = start();
  for (const type of types) [snapshot] = transition(machine, snapshot, ev(type));
  return snapshot;
}

describe('danger machine', () => {
  it.each(['QA', 'AE', 'TH', 'AU', 'KW'])('says the emergency numbers of %s first, then what to do now', (code) => {
    const [snapshot, actions] = start(here(code));
    expect(snapshot.value).toBe('start');
    const [numbers, now, ...rest] = said(actions);
    expect(numbers).toEqual(emergencyOutput(deps.countries, code));
    expect(now?.key).toBe('danger:now');
    expect(payloads(now)).toEqual(['danger.plan', 'danger.signs', 'handoff.offer:danger', 'flow.start:passport', 'cmd.menu']);
    expect(rest).toEqual([]);
  });

  it('gives different numbers in different countries', () => {
    const first = (code: string) => said(start(here(code))[1])[0];
    expect(first('QA')).not.toEqual(first('TH'));
    expect(first('TH')).not.toEqual(first('AE'));
  });

  it.each([
    ['no country', undefined],
    ['a country with no emergency numbers in the directory', 'PH'],
  ])('with %s, lists every destination number and offers to say where the person is', (_what, code) => {
    const [numbers] = said(start(here(code))[1]);
    expect(numbers).toEqual({ ...emergencyOutput(deps.countries, code), choices: [{ label: 'common:choice.country', payload: 'cmd.country' }] });
    expect(numbers?.key).toBe('common:emergency.unknown');
  });

  it('asks nothing: free text is left to the engine, and back at the start goes to the menu', () => {
    const [snapshot] = start();
    expect(snapshot.can(ev('nav.back'))).toBe(false);
    expect(snapshot.can({ type: 'user.text', text: 'my boss hits me', env: here() })).toBe(false);
  });

  it('shows the safety plan, and goes back to the numbers from it', () => {
    const [atStart] = start(here('QA'));
    const [plan, actions] = transition(machine, atStart, ev('danger.plan', here('QA')));
    expect(plan.value).toBe('plan');
    expect(said(actions).map((o) => o.key)).toEqual(['danger:plan']);
    expect(payloads(said(actions)[0])).toEqual(['danger.signs', 'handoff.offer:danger', 'nav.back', 'cmd.menu']);

    const [again, backActions] = transition(machine, plan, ev('nav.back', here('QA')));
    expect(again.value).toBe('start');
    expect(said(backActions)[0]).toEqual(emergencyOutput(deps.countries, 'QA'));
  });

  it('walks the three groups of signs with Next, the last one offering help', () => {
    let [snapshot] = start();
    let actions: Actions;
    [snapshot, actions] = transition(machine, snapshot, ev('danger.signs'));
    SIGN_GROUPS.forEach((group, i) => {
      expect(snapshot.value).toBe(group);
      const [output, ...rest] = said(actions);
      expect(rest).toEqual([]);
      expect(output?.key).toBe(`danger:signs.${group}`);
      expect(output?.params).toEqual({ step: i + 1, total: SIGN_GROUPS.length });
      if (i < SIGN_GROUPS.length - 1) {
        expect(payloads(output)).toEqual(['nav.next', 'nav.back', 'cmd.menu']);
        [snapshot, actions] = transition(machine, snapshot, ev('nav.next'));
      }
    });
    expect(payloads(said(actions)[0])).toEqual([
      'handoff.offer:danger',
      'flow.start:passport',
      'danger.plan',
      'nav.back',
      'cmd.menu',
    ]);
    expect(snapshot.can(ev('nav.next'))).toBe(false);
    expect(transition(machine, snapshot, ev('danger.plan'))[0].value).toBe('plan');
  });

  it('reaches the signs from the safety plan too', () => {
    expect(after('danger.plan', 'danger.signs').value).toBe(SIGN_GROUPS[0]);
  });

  it('goes back through the signs to the start', () => {
    let snapshot = after('danger.signs', 'nav.next', 'nav.next');
    for (const expected of [...SIGN_GROUPS].reverse().slice(1)) {
      [snapshot] = transition(machine, snapshot, ev('nav.back'));
      expect(snapshot.value).toBe(expected);
    }
    [snapshot] = transition(machine, snapshot, ev('nav.back'));
    expect(snapshot.value).toBe('start');
  });

  it.each([
    ['start', []],
    ['plan', ['danger.plan']],
    ['harm', ['danger.signs', 'nav.next', 'nav.next']],
  ])('leaves the person and passport buttons in %s to the engine, which starts the flow', (_state, presses) => {
    const snapshot = after(...presses);
    expect(snapshot.can(ev('flow.start', here(), 'person'))).toBe(false);
    expect(snapshot.can(ev('flow.start', here(), 'passport'))).toBe(false);
  });

  it('keeps no personal data in its snapshot, and restores it to carry on', () => {
    const [atStart] = start(here('QA'));
    const saved = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(transition(machine, atStart, ev('danger.signs'))[0])));
    expect(JSON.stringify(saved)).not.toContain('QA');
    const restored = machine.resolveState({ value: saved.value, context: saved.context });
    expect(transition(machine, restored, ev('nav.next'))[0].value).toBe(SIGN_GROUPS[1]);
  });
});
