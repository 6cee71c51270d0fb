import { initialTransition, transition, type ExecutableActionObject } from 'xstate';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { menuMachine } from './machine';
import { TOPICS } from './topics';

const env: FlowEnv = { locale: 'en' };
const open = (id: string): FlowEvent => ({ type: 'topic.open', value: id, env });

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const started = (actions: Actions): string[] =>
  actions.filter((a) => a.type === 'startFlow').map((a) => (a.params as { flow: string }).flow);

describe('menu machine', () => {
  it('offers the ten Virtual Volunteer topics, in order, as topic.open payloads', () => {
    const [snapshot, actions] = initialTransition(menuMachine, { env });
    expect(snapshot.value).toBe('choosing');
    const [prompt] = said(actions);
    expect(prompt?.key).toBe('menu:prompt');
    expect(prompt?.choices).toEqual([
      { label: 'menu:topics.services', payload: 'topic.open:services' },
      { label: 'menu:topics.packing', payload: 'topic.open:packing' },
      { label: 'menu:topics.wellbeing', payload: 'topic.open:wellbeing' },
      { label: 'menu:topics.contacts', payload: 'topic.open:contacts' },
      { label: 'menu:topics.firstAid', payload: 'topic.open:firstAid' },
      { label: 'menu:topics.danger', payload: 'topic.open:danger' },
      { label: 'menu:topics.recruitment', payload: 'topic.open:recruitment' },
      { label: 'menu:topics.passport', payload: 'topic.open:passport' },
      { label: 'menu:topics.familyEmergency', payload: 'topic.open:familyEmergency' },
      { label: 'menu:topics.rfl', payload: 'topic.open:rfl' },
    ]);
  });

  it('starts the packing flow for its topic and says nothing itself', () => {
    const [snapshot] = initialTransition(menuMachine, { env });
    const [after, actions] = transition(menuMachine, snapshot, open('packing'));
    expect(started(actions)).toEqual(['packing']);
    expect(said(actions)).toEqual([]);
    expect(after.value).toBe('choosing');
  });

  it.each(TOPICS.filter((t) => t.flow === undefined).map((t) => t.id))(
    'answers %s with a coming-soon aside and the menu again',
    (id) => {
      const [snapshot] = initialTransition(menuMachine, { env });
      const [after, actions] = transition(menuMachine, snapshot, open(id));
      expect(started(actions)).toEqual([]);
      const outputs = said(actions);
      expect(outputs.map((o) => [o.key, o.aside ?? false])).toEqual([
        ['menu:comingSoon', true],
        ['menu:prompt', false],
      ]);
      expect(after.value).toBe('choosing');
    },
  );

  it('refuses a topic that does not exist and free text, so the engine can say so', () => {
    const [snapshot] = initialTransition(menuMachine, { env });
    expect(snapshot.can(open('lottery'))).toBe(false);
    expect(snapshot.can({ type: 'topic.open', env })).toBe(false);
    expect(snapshot.can({ type: 'user.text', text: 'packing', env })).toBe(false);
  });

  it('never finishes: it is where every other flow returns to', () => {
    const [snapshot] = initialTransition(menuMachine, { env });
    const [after] = transition(menuMachine, snapshot, open('wellbeing'));
    expect(after.status).toBe('active');
  });
});
