import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { english } from '../../test/support/english';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { createRecruitmentFlow } from './machine';

const deps = flowDeps(loadConfig({}));
const { machine } = createRecruitmentFlow(deps);

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const payloads = (o: Output | undefined) => o?.choices?.map((c) => c.payload);

const nowhere: FlowEnv = { locale: 'en' };
const ev = (type: string, env: FlowEnv = nowhere, value?: string) =>
  (value === undefined ? { type, env } : { type, value, env }) as FlowEvent;

function after(env: FlowEnv, ...types: string[]): [AnyMachineSnapshot, Actions] {
  let [snapshot, actions] = initialTransition(machine, { env });
  for (const type of types) [snapshot, actions] = transition(machine, snapshot, ev(type, env));
  return [snapshot, actions];
}

/** The report as the person reads it, one message per entry. */
const reportIn = (env: FlowEnv) => said(after(env, 'recruitment.report')[1]);

describe('recruitment machine', () => {
  it('starts by offering to check a recruiter, a job not as promised, where to complain, a person or the menu', () => {
    const [snapshot, actions] = after(nowhere);
    expect(snapshot.value).toBe('intro');
    const [intro, ...rest] = said(actions);
    expect(rest).toEqual([]);
    expect(intro?.key).toBe('recruitment:intro');
    expect(payloads(intro)).toEqual([
      'recruitment.check',
      'recruitment.contract',
      'recruitment.report',
      'handoff.offer:recruitment',
      'cmd.menu',
    ]);
    expect(snapshot.can(ev('nav.back'))).toBe(false);
    expect(snapshot.can({ type: 'user.text', text: 'my agent took money', env: nowhere })).toBe(false);
  });

  it('tells how to recognise a recruiter that is not allowed, and leads on to where to check', () => {
    const [snapshot, actions] = after(nowhere, 'recruitment.check');
    expect(snapshot.value).toBe('check');
    expect(said(actions).map((o) => o.key)).toEqual(['recruitment:check']);
    expect(payloads(said(actions)[0])).toEqual(['recruitment.report', 'recruitment.contract', 'nav.back', 'cmd.menu']);
    expect(after(nowhere, 'recruitment.check', 'recruitment.report')[0].value).toBe('report');
    expect(after(nowhere, 'recruitment.check', 'recruitment.contract')[0].value).toBe('contract');
  });

  it('explains a job not as promised, offering where to complain, the passport topic and a person', () => {
    const [snapshot, actions] = after(nowhere, 'recruitment.contract');
    expect(snapshot.value).toBe('contract');
    expect(payloads(said(actions)[0])).toEqual([
      'recruitment.report',
      'flow.start:passport',
      'handoff.offer:recruitment',
      'nav.back',
      'cmd.menu',
    ]);
    expect(after(nowhere, 'recruitment.contract', 'recruitment.report')[0].value).toBe('report');
  });

  it.each([['check'], ['contract'], ['report']])('goes back from %s to the start', (state) => {
    const [back, actions] = after(nowhere, `recruitment.${state}`, 'nav.back');
    expect(back.value).toBe('intro');
    expect(said(actions).map((o) => o.key)).toEqual(['recruitment:intro']);
  });

  it.each([
    ['PH', 'QA', ['1348', 'www.dmw.gov.ph'], ['16008', '92727']],
    ['LK', 'AE', ['1989', 'www.slbfe.lk'], ['80060']],
    ['ID', 'HK', ['0-800-1000', '+62 21 2924 4800'], ['2157 9537']],
    ['NP', 'MY', ['1141 (please check this number)'], ['03-8000 8000']],
  ])('for someone from %s working in %s, gives that agency and that labour office', (origin, country, home, work) => {
    const [agency, labour, end, ...rest] = reportIn({ locale: 'en', country, origin });
    expect(rest).toEqual([]);
    expect(agency?.key).toBe('recruitment:report.origin');
    expect(labour?.key).toBe('recruitment:lines.labour');
    for (const n of home) expect(english(agency!.key, agency!.params)).toContain(n);
    for (const n of work) expect(english(labour!.key, labour!.params)).toContain(n);
    expect(end?.key).toBe('recruitment:lines.yourChoice');
    expect(payloads(end)).toEqual(['handoff.offer:recruitment', 'flow.start:passport', 'nav.back', 'cmd.menu']);
    expect([agency, labour].some((o) => o?.choices)).toBe(false);
  });

  it('gives general advice and offers once to say where the person is, when it knows neither country', () => {
    const [agency, labour, end] = reportIn(nowhere);
    expect(agency).toEqual({ key: 'recruitment:report.originUnknown' });
    expect(labour).toEqual({
      key: 'recruitment:lines.labourUnknown',
      choices: [{ label: 'common:choice.country', payload: 'cmd.country' }],
    });
    expect(end?.key).toBe('recruitment:lines.yourChoice');
  });

  it('before leaving home, gives only the agency of the country the person is from', () => {
    const outputs = reportIn({ locale: 'en', country: 'LK', origin: 'LK' });
    expect(outputs.map((o) => o.key)).toEqual(['recruitment:report.origin', 'recruitment:lines.yourChoice']);
  });

  it.each([['intro', []], ['contract', ['recruitment.contract']], ['report', ['recruitment.report']]])(
    'leaves the person and passport buttons in %s to the engine, which starts the flow',
    (_state, presses) => {
      const [snapshot] = after(nowhere, ...presses);
      expect(snapshot.can(ev('flow.start', nowhere, 'person'))).toBe(false);
      expect(snapshot.can(ev('flow.start', nowhere, 'passport'))).toBe(false);
    },
  );

  it('keeps no personal data in its snapshot, and restores it to carry on', () => {
    const env: FlowEnv = { locale: 'en', country: 'QA', origin: 'PH' };
    const [snapshot] = after(env, 'recruitment.report');
    const saved = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot)));
    expect(JSON.stringify(saved)).not.toMatch(/QA|PH/);
    const restored = machine.resolveState({ value: saved.value, context: saved.context });
    expect(transition(machine, restored, ev('nav.back', env))[0].value).toBe('intro');
  });
});
