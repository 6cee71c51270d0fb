import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { createWellbeingFlow } from './machine';
import { TOPIC_IDS, WELLBEING_TOPICS, type WellbeingTopic } from './topics';

const { machine } = createWellbeingFlow(flowDeps(loadConfig({})));

const env: FlowEnv = { locale: 'en' };
const ev = (type: string, e: FlowEnv = env, value?: string): FlowEvent =>
  (value === undefined ? { type, env: e } : { type, value, env: e }) as FlowEvent;
const next = ev('nav.next');
const back = ev('nav.back');

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const payloads = (o: Output | undefined) => o?.choices?.map((c) => c.payload);

function start(): AnyMachineSnapshot {
  return initialTransition(machine, { env })[0];
}

function atStep(topic: WellbeingTopic, steps: number): AnyMachineSnapshot {
  let [snapshot] = transition(machine, start(), ev(`wellbeing.${topic}`));
  for (let i = 0; i < steps; i++) [snapshot] = transition(machine, snapshot, next);
  return snapshot;
}

describe('wellbeing machine', () => {
  it('starts with the topics, a person to talk to and the main menu', () => {
    const [snapshot, actions] = initialTransition(machine, { env });
    expect(snapshot.value).toBe('topics');
    const [list] = said(actions);
    expect(list?.key).toBe('wellbeing:intro');
    expect(payloads(list)).toEqual([
      'wellbeing.stress',
      'wellbeing.homesick',
      'wellbeing.breathe',
      'wellbeing.moreHelp',
      'handoff.offer:wellbeing',
      'cmd.menu',
    ]);
  });

  it('leaves back at the topic list to the engine, and free text to the engine', () => {
    const snapshot = start();
    expect(snapshot.can(back)).toBe(false);
    expect(snapshot.can({ type: 'user.text', text: 'I feel sad', env })).toBe(false);
  });

  it('leaves the person button to the engine, which starts the flow', () => {
    expect(start().can(ev('flow.start', env, 'person'))).toBe(false);
  });

  describe.each(TOPIC_IDS.map((t) => [t] as const))('topic %s', (topic) => {
    const steps = WELLBEING_TOPICS[topic];

    it('walks its steps with Next; the last one offers other topics and a person instead', () => {
      let [snapshot, actions] = transition(machine, start(), ev(`wellbeing.${topic}`));
      steps.forEach((step, i) => {
        expect(snapshot.value).toEqual({ [topic]: step });
        const [output] = said(actions);
        expect(output?.key).toBe(`wellbeing:${topic}.${step}`);
        expect(output?.params).toEqual({ step: i + 1, total: steps.length });
        const last = i === steps.length - 1;
        expect(payloads(output)).toEqual(
          last ? ['wellbeing.topics', 'handoff.offer:wellbeing', 'nav.back', 'cmd.menu'] : ['nav.next', 'nav.back', 'cmd.menu'],
        );
        expect(snapshot.can(next)).toBe(!last);
        if (!last) [snapshot, actions] = transition(machine, snapshot, next);
      });
      [snapshot, actions] = transition(machine, snapshot, ev('wellbeing.topics'));
      expect(snapshot.value).toBe('topics');
      expect(said(actions).map((o) => o.key)).toEqual(['wellbeing:intro']);
    });

    it('goes back step by step, and from the first step to the topics', () => {
      let snapshot = atStep(topic, steps.length - 1);
      for (let i = steps.length - 2; i >= 0; i--) {
        [snapshot] = transition(machine, snapshot, back);
        expect(snapshot.value).toEqual({ [topic]: steps[i] });
      }
      [snapshot] = transition(machine, snapshot, back);
      expect(snapshot.value).toBe('topics');
    });
  });

  it('opens another topic from the middle of one, at its first step', () => {
    const [snapshot, actions] = transition(machine, atStep('stress', 2), ev('wellbeing.breathe'));
    expect(snapshot.value).toEqual({ breathe: 'settle' });
    expect(said(actions).map((o) => o.key)).toEqual(['wellbeing:breathe.settle']);
    const [again] = transition(machine, atStep('stress', 2), ev('wellbeing.stress'));
    expect(again.value).toEqual({ stress: 'normal' });
  });

  it.each([
    ['QA', { key: 'common:emergency.single', params: { country: { key: 'countries:QA' }, number: '999' } }],
    [
      'TH',
      {
        key: 'common:emergency.split',
        params: { country: { key: 'countries:TH' }, police: '191', ambulance: '1669', fire: '199' },
      },
    ],
  ])('says when to get more help, with the emergency number of %s and a person', (country, emergency) => {
    const [snapshot, actions] = transition(machine, start(), ev('wellbeing.moreHelp', { locale: 'en', country }));
    expect(snapshot.value).toBe('moreHelp');
    const [help, number, talk] = said(actions);
    expect(help?.key).toBe('wellbeing:moreHelp');
    expect(number).toEqual(emergency);
    expect(talk?.key).toBe('wellbeing:talk');
    expect(payloads(talk)).toEqual(['handoff.offer:wellbeing', 'wellbeing.topics', 'nav.back', 'cmd.menu']);
    expect(transition(machine, snapshot, back)[0].value).toBe('topics');
  });

  it('lists every emergency number when the country is unknown, and offers to tell it', () => {
    const [, actions] = transition(machine, start(), ev('wellbeing.moreHelp'));
    const [, number, talk] = said(actions);
    expect(number?.key).toBe('common:emergency.unknown');
    expect(payloads(talk)).toEqual(['handoff.offer:wellbeing', 'wellbeing.topics', 'cmd.country', 'nav.back', 'cmd.menu']);
  });
});
