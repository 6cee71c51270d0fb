import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { english } from '../../test/support/english';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { lawOutput } from './law';
import { createPassportFlow } from './machine';

const deps = flowDeps(loadConfig({}));
const { machine } = createPassportFlow(deps);

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const payloads = (o: Output | undefined) => o?.choices?.map((c) => c.payload);
const text = (o: Output | undefined) => (o ? english(o.key, o.params) : '');

const nowhere: FlowEnv = { locale: 'en' };
const ev = (type: string, env: FlowEnv = nowhere, value?: string) =>
  (value === undefined ? { type, env } : { type, value, env }) as FlowEvent;

function after(env: FlowEnv, ...types: string[]): [AnyMachineSnapshot, Actions] {
  let [snapshot, actions] = initialTransition(machine, { env });
  for (const type of types) [snapshot, actions] = transition(machine, snapshot, ev(type, env));
  return [snapshot, actions];
}

const PROMPT_CHOICES = ['passport.steps', 'passport.help', 'flow.start:danger', 'handoff.offer:passport', 'cmd.menu'];

describe('passport machine', () => {
  it.each(['QA', 'AE', 'SG', 'KR'])('starts with the law in %s, then what the person can see', (country) => {
    const [snapshot, actions] = after({ locale: 'en', country });
    expect(snapshot.value).toBe('law');
    const [law, prompt, ...rest] = said(actions);
    expect(rest).toEqual([]);
    expect(law).toEqual(lawOutput(deps.countries, { country }));
    expect(prompt?.key).toBe('passport:prompt');
    expect(payloads(prompt)).toEqual(PROMPT_CHOICES);
  });

  it('without a country, gives the general rule and offers to say where the person is', () => {
    const [law] = said(after(nowhere)[1]);
    expect(law).toEqual({ key: 'passport:law.unknown', choices: [{ label: 'common:choice.country', payload: 'cmd.country' }] });
  });

  it('leaves back at the start and free text to the engine', () => {
    const [snapshot] = after(nowhere);
    expect(snapshot.can(ev('nav.back'))).toBe(false);
    expect(snapshot.can({ type: 'user.text', text: 'boss has it', env: nowhere })).toBe(false);
  });

  it('tells what the person can do, leading on to where to get help', () => {
    const [snapshot, actions] = after(nowhere, 'passport.steps');
    expect(snapshot.value).toBe('steps');
    expect(said(actions).map((o) => o.key)).toEqual(['passport:steps']);
    expect(payloads(said(actions)[0])).toEqual(['passport.help', 'handoff.offer:passport', 'nav.back', 'cmd.menu']);
    expect(after(nowhere, 'passport.steps', 'passport.help')[0].value).toBe('help');
  });

  it.each([['steps'], ['help']])('goes back from %s to the law', (state) => {
    const env: FlowEnv = { locale: 'en', country: 'QA' };
    const [snapshot, actions] = after(env, `passport.${state}`, 'nav.back');
    expect(snapshot.value).toBe('law');
    expect(said(actions).map((o) => o.key)).toEqual(['passport:law.forbiddenBy', 'passport:prompt']);
  });

  it.each([
    ['QA', 'PH', ['16008'], ['1348'], 'Qatar Red Crescent Society (QRCS)'],
    ['AE', 'LK', ['80060', '80084'], ['1989'], 'Emirates Red Crescent (ERC)'],
    ['HK', 'ID', ['2157 9537'], ['+62 21 2924 4800'], 'Hong Kong Red Cross'],
  ])('in %s for someone from %s, gives the labour lines, the agency at home and the National Society', (country, origin, work, home, society) => {
    const outputs = said(after({ locale: 'en', country, origin }, 'passport.help')[1]);
    expect(outputs.map((o) => o.key)).toEqual([
      'recruitment:lines.labour',
      'passport:help.origin',
      'passport:help.society',
      'recruitment:lines.yourChoice',
    ]);
    const [labour, agency, redCross, end] = outputs;
    for (const n of work) expect(text(labour)).toContain(n);
    for (const n of home) expect(text(agency)).toContain(n);
    expect(text(redCross)).toContain(society);
    expect(payloads(end)).toEqual(['handoff.offer:passport', 'flow.start:danger', 'nav.back', 'cmd.menu']);
    expect(outputs.slice(0, 3).some((o) => o.choices)).toBe(false);
  });

  it('without countries, gives general places to ask and offers once to say where the person is', () => {
    const outputs = said(after(nowhere, 'passport.help')[1]);
    expect(outputs).toEqual([
      { key: 'recruitment:lines.labourUnknown' },
      { key: 'passport:help.originUnknown', choices: [{ label: 'common:choice.country', payload: 'cmd.country' }] },
      expect.objectContaining({ key: 'recruitment:lines.yourChoice' }),
    ]);
  });

  it('never sends the person to the police as the way to get help', () => {
    const outputs = [
      ...said(after({ locale: 'en', country: 'QA', origin: 'PH' }, 'passport.steps')[1]),
      ...said(after({ locale: 'en', country: 'QA', origin: 'PH' }, 'passport.help')[1]),
    ];
    for (const o of outputs.filter((x) => /police/i.test(text(x)))) {
      expect(text(o)).toMatch(/whether or not you go to the police/);
    }
  });

  it.each([['law', []], ['steps', ['passport.steps']], ['help', ['passport.help']]])(
    'leaves the danger and person buttons in %s to the engine, which starts the flow',
    (_state, presses) => {
      const [snapshot] = after(nowhere, ...presses);
      expect(snapshot.can(ev('flow.start', nowhere, 'danger'))).toBe(false);
      expect(snapshot.can(ev('flow.start', nowhere, 'person'))).toBe(false);
    },
  );

  it('keeps no personal data in its snapshot, and restores it to carry on', () => {
    const env: FlowEnv = { locale: 'en', country: 'QA', origin: 'PH' };
    const [snapshot] = after(env, 'passport.steps');
    const saved = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot)));
    expect(JSON.stringify(saved)).not.toMatch(/QA|PH/);
    const restored = machine.resolveState({ value: saved.value, context: saved.context });
    expect(transition(machine, restored, ev('passport.help', env))[0].value).toBe('help');
  });
});
