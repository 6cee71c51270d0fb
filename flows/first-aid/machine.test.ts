import { initialTransition, transition, type ExecutableActionObject } from 'xstate';
import { english, resources } from '../../test/support/english';
import { testDeps } from '../../test/support/flows';
import type { FlowEnv, Output } from '../types';
import { createFirstAidFlow } from './machine';

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const started = (actions: Actions): string[] =>
  actions.filter((a) => a.type === 'startFlow').map((a) => (a.params as { flow: string }).flow);

const { machine } = createFirstAidFlow(testDeps);
const start = (country?: string) => initialTransition(machine, { env: { locale: 'en', ...(country && { country }) } });

describe('first aid machine', () => {
  it('says to call for help first, with the number where the person is, then the First Aid app', () => {
    const [snapshot, actions] = start('SG');
    expect(snapshot.value).toBe('shown');
    expect(said(actions)).toEqual([
      { key: 'firstAid:callFirst' },
      {
        key: 'common:emergency.split',
        params: { country: { key: 'countries:SG' }, police: '999', ambulance: '995', fire: '995' },
      },
      {
        key: 'firstAid:app',
        links: [{ label: 'firstAid:appLink', url: testDeps.links.firstAidApp }],
        choices: [
          { label: 'menu:topics.services', payload: 'topic.open:services' },
          { label: 'common:choice.menu', payload: 'cmd.menu' },
        ],
      },
    ]);
  });

  it('links the app the National Society configured', () => {
    const deps = { ...testDeps, links: { ...testDeps.links, firstAidApp: 'https://example.org/first-aid' } };
    const app = said(initialTransition(createFirstAidFlow(deps).machine, { env: { locale: 'en' } })[1]).at(-1);
    expect(app?.links).toEqual([{ label: 'firstAid:appLink', url: 'https://example.org/first-aid' }]);
  });

  it('without a country, lists every number and then offers to say where the person is', () => {
    const outputs = said(start()[1]);
    expect(outputs.map((o) => o.key)).toEqual([
      'firstAid:callFirst',
      'common:emergency.unknown',
      'firstAid:noCountry',
      'firstAid:app',
    ]);
    expect(outputs[2]?.choices).toEqual([{ label: 'common:choice.country', payload: 'cmd.country' }]);
  });

  it('marks an unverified ambulance number', () => {
    const [, numbers] = said(start('AE')[1]);
    expect(english(numbers!.key, numbers!.params)).toContain('Ambulance: 998 (please check this number)');
  });

  it('opens the services topic and refuses others', () => {
    const [snapshot] = start('QA');
    const env: FlowEnv = { locale: 'en', country: 'QA' };
    expect(started(transition(machine, snapshot, { type: 'topic.open', value: 'services', env })[1])).toEqual(['services']);
    expect(snapshot.can({ type: 'topic.open', value: 'danger', env })).toBe(false);
    expect(snapshot.can({ type: 'nav.back', env })).toBe(false);
  });

  it('gives no medical advice beyond calling for help and staying with the person', () => {
    const texts = Object.values(resources.en?.firstAid as Record<string, string>);
    expect(texts.join(' ')).not.toMatch(/\b(press|bandage|cpr|bleed|wound|medicine|tablet|water)\b/i);
  });
});
