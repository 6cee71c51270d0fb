import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { MENU_VERSION, menuFlow, menuMachine } from './machine';
import { AUDIENCE_TOPICS, AUDIENCES, TOPICS, TOPIC_IDS, type Audience } from './topics';

const env: FlowEnv = { locale: 'en' };
const open = (id?: string): FlowEvent => ({ type: 'topic.open', ...(id && { value: id }), env }) as FlowEvent;
const audience = (a: string): FlowEvent => ({ type: 'menu.audience', value: a, env });
const back: FlowEvent = { type: 'nav.back', env };

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const started = (actions: Actions): string[] =>
  actions.filter((a) => a.type === 'startFlow').map((a) => (a.params as { flow: string }).flow);

const root = () => initialTransition(menuMachine, { env });
function at(a: Audience): [AnyMachineSnapshot, Actions] {
  return transition(menuMachine, root()[0], audience(a));
}

describe('menu machine', () => {
  it('is version 2, the audience-first menu', () => {
    expect(MENU_VERSION).toBe(2);
    expect(menuFlow.version).toBe(2);
  });

  it('offers danger first, then the three audiences, a person to talk to, then clearing the chat', () => {
    const [snapshot, actions] = root();
    expect(snapshot.value).toBe('root');
    expect(said(actions)).toEqual([
      {
        key: 'menu:prompt',
        choices: [
          { label: 'menu:topics.danger', payload: 'topic.open:danger' },
          { label: 'menu:audience.abroad', payload: 'menu.audience:abroad' },
          { label: 'menu:audience.preparing', payload: 'menu.audience:preparing' },
          { label: 'menu:audience.family', payload: 'menu.audience:family' },
          { label: 'common:choice.person', payload: 'handoff.offer:other' },
          { label: 'common:choice.clear', payload: 'cmd.clear' },
        ],
      },
    ]);
  });

  it('starts the danger flow in one tap from the first screen', () => {
    const [after, actions] = transition(menuMachine, root()[0], open('danger'));
    expect(started(actions)).toEqual(['danger']);
    expect(said(actions)).toEqual([]);
    expect(after.status).toBe('active');
  });

  it.each([
    ['abroad', ['danger', 'passport', 'recruitment', 'contacts', 'wellbeing', 'familyEmergency', 'rfl', 'firstAid', 'services']],
    ['preparing', ['packing', 'recruitment', 'services', 'contacts', 'wellbeing', 'firstAid']],
    ['family', ['rfl', 'familyEmergency', 'services', 'wellbeing', 'contacts']],
  ] as const)('shows the %s audience its topics, then Back', (a, topics) => {
    const [snapshot, actions] = at(a);
    expect(snapshot.value).toBe(a);
    expect(said(actions)).toEqual([
      {
        key: `menu:topicsFor.${a}`,
        choices: [
          ...topics.map((t) => ({ label: `menu:topics.${t}`, payload: `topic.open:${t}` })),
          { label: 'common:choice.back', payload: 'nav.back' },
        ],
      },
    ]);
  });

  it.each(AUDIENCES)('goes back from %s to the first screen', (a) => {
    const [before, actions] = transition(menuMachine, at(a)[0], back);
    expect(before.value).toBe('root');
    expect(said(actions).map((o) => o.key)).toEqual(['menu:prompt']);
  });

  it.each(AUDIENCES.flatMap((a) => AUDIENCE_TOPICS[a].map((t) => [a, t] as const)))(
    'from %s, starts the %s flow in the second tap',
    (a, topic) => {
      const [after, actions] = transition(menuMachine, at(a)[0], open(topic));
      expect(started(actions)).toEqual([topic]);
      expect(said(actions)).toEqual([]);
      expect(after.value).toBe(a);
    },
  );

  it('offers every topic to at least one audience, each answered by its own flow', () => {
    const offered = new Set(AUDIENCES.flatMap((a) => AUDIENCE_TOPICS[a]));
    expect([...offered].sort()).toEqual([...TOPIC_IDS].sort());
    expect(TOPICS.every((t) => t.flow === t.id)).toBe(true);
  });

  it('still opens a topic pressed on an earlier menu message, from any screen', () => {
    const [, fromRoot] = transition(menuMachine, root()[0], open('packing'));
    expect(started(fromRoot)).toEqual(['packing']);
    const [, fromFamily] = transition(menuMachine, at('family')[0], open('passport'));
    expect(started(fromFamily)).toEqual(['passport']);
  });

  it('refuses an unknown topic or audience and free text, so the engine can say so', () => {
    const [snapshot] = root();
    expect(snapshot.can(open('lottery'))).toBe(false);
    expect(snapshot.can(open())).toBe(false);
    expect(snapshot.can(audience('tourists'))).toBe(false);
    expect(snapshot.can({ type: 'user.text', text: 'packing', env })).toBe(false);
  });

  it('leaves back at the first screen to the engine, which shows the menu again', () => {
    expect(root()[0].can(back)).toBe(false);
  });

  it('never finishes: it is where every other flow returns to', () => {
    const [after] = transition(menuMachine, at('abroad')[0], open('wellbeing'));
    expect(after.status).toBe('active');
  });
});
