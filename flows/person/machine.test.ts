import { initialTransition, transition, type ExecutableActionObject } from 'xstate';
import { english, englishTemplate, placeholders } from '../../test/support/english';
import { testDeps } from '../../test/support/flows';
import type { FlowEnv, Output, Phrase } from '../types';
import { createPersonFlow } from './machine';

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const started = (actions: Actions): string[] =>
  actions.filter((a) => a.type === 'startFlow').map((a) => (a.params as { flow: string }).flow);

const { machine } = createPersonFlow(testDeps);
const start = (country?: string, origin?: string) =>
  initialTransition(machine, { env: { locale: 'en', ...(country && { country }), ...(origin && { origin }) } });
const lines = (o: Output | undefined) => (o?.params?.lines ?? []) as Phrase[];

describe('person machine', () => {
  it('says it is a program, then the people to reach where the person is and where they are from', () => {
    const outputs = said(start('HK', 'ID')[1]);
    expect(outputs.map((o) => o.key)).toEqual([
      'person:intro',
      'person:societies',
      'contacts:labour.lines',
      'contacts:agency.lines',
      'person:yourChoice',
    ]);
    expect(lines(outputs[1]).filter((p) => p.key === 'services:society.name').map((p) => p.params?.country)).toEqual([
      { key: 'countries:HK' },
      { key: 'countries:ID' },
    ]);
    expect(lines(outputs[2])[0]?.params?.number).toBe('2157 9537');
  });

  it('ends on the person deciding what to share, and on the distance from police, immigration and employers', () => {
    const text = english('person:yourChoice');
    expect(text).toMatch(/up to you/);
    expect(text).toMatch(/police, immigration or your employer/);
    expect(english('person:intro')).toMatch(/computer program, not a person/);
  });

  it('shows a society once for a person at home, and no work lines where there are none', () => {
    const outputs = said(start('PH', 'PH')[1]);
    expect(outputs.map((o) => o.key)).toEqual([
      'person:intro',
      'person:societies',
      'contacts:labour.none',
      'contacts:agency.lines',
      'person:yourChoice',
    ]);
    expect(lines(outputs[1]).filter((p) => p.key === 'services:society.name')).toHaveLength(1);
  });

  it('with only the country of origin, shows its society and agency', () => {
    expect(said(start(undefined, 'BD')[1]).map((o) => o.key)).toEqual([
      'person:intro',
      'person:societies',
      'contacts:agency.lines',
      'person:yourChoice',
    ]);
  });

  it('without a country, offers to say where the person is', () => {
    const outputs = said(start()[1]);
    expect(outputs.map((o) => o.key)).toEqual(['person:intro', 'person:noCountry', 'person:yourChoice']);
    expect(outputs[1]?.choices).toEqual([{ label: 'common:choice.country', payload: 'cmd.country' }]);
  });

  it('offers the services topic and the menu, and refuses other topics', () => {
    const [snapshot, actions] = start('KR');
    expect(said(actions).at(-1)?.choices?.map((c) => c.payload)).toEqual(['topic.open:services', 'cmd.menu']);
    const env: FlowEnv = { locale: 'en', country: 'KR' };
    expect(started(transition(machine, snapshot, { type: 'topic.open', value: 'services', env })[1])).toEqual(['services']);
    expect(snapshot.can({ type: 'topic.open', value: 'person', env })).toBe(false);
  });

  it.each(testDeps.countries.destinations().map((c) => [c.code, testDeps.countries.origins()[0]!.code] as const))(
    'in %s (from %s) says only English keys with their placeholders, in chat-sized messages',
    (here, from) => {
      const problems: string[] = [];
      const check = (key: string, params?: Output['params']) => {
        const template = englishTemplate(key);
        if (template === undefined) return problems.push(key);
        for (const name of placeholders(template)) if (params?.[name] === undefined) problems.push(`${key} {{${name}}}`);
        for (const value of Object.values(params ?? {})) {
          for (const p of [value].flat()) if (typeof p === 'object') check(p.key, p.params);
        }
      };
      for (const o of said(start(here, from)[1])) {
        check(o.key, o.params);
        const text = english(o.key, o.params);
        if (text.split('\n').length > 8 || text.length > 600) problems.push(`${o.key} too long`);
      }
      expect(problems).toEqual([]);
    },
  );
});
