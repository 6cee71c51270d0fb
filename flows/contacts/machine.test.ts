import { initialTransition, transition, type ExecutableActionObject } from 'xstate';
import { english, englishTemplate, placeholders } from '../../test/support/english';
import { testDeps } from '../../test/support/flows';
import type { FlowEnv, Output, Phrase } from '../types';
import { createContactsFlow } from './machine';

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const started = (actions: Actions): string[] =>
  actions.filter((a) => a.type === 'startFlow').map((a) => (a.params as { flow: string }).flow);

const { machine } = createContactsFlow(testDeps);
const start = (country?: string, origin?: string) =>
  initialTransition(machine, { env: { locale: 'en', ...(country && { country }), ...(origin && { origin }) } });
const outputOf = (outputs: Output[], key: string) => outputs.find((o) => o.key === key);
const lines = (o: Output | undefined) => (o?.params?.lines ?? []) as Phrase[];

describe('contacts machine', () => {
  it('shows a person in the UAE its emergency numbers first, then the Red Crescent, then the labour lines', () => {
    const outputs = said(start('AE', 'PH')[1]);
    expect(outputs.map((o) => o.key)).toEqual([
      'common:emergency.split',
      'contacts:society',
      'contacts:labour.lines',
      'contacts:agency.lines',
      'contacts:paper',
    ]);
    expect(outputs[0]?.params).toEqual({
      country: { key: 'countries:AE' },
      police: '999',
      ambulance: { key: 'common:checkNumber', params: { number: '998' } },
      fire: { key: 'common:checkNumber', params: { number: '997' } },
    });
    expect(lines(outputs[1])[0]).toEqual({
      key: 'services:society.name',
      params: { country: { key: 'countries:AE' }, name: 'Emirates Red Crescent (ERC)' },
    });
    const body = 'Ministry of Human Resources & Emiratisation (MoHRE)';
    expect(lines(outputs[2])).toEqual([
      { key: 'contacts:line.withBody', params: { label: 'MoHRE call centre (toll-free, 24/7)', body, number: '80060' } },
      { key: 'contacts:line.withBody', params: { label: 'MoHRE labour claims and advice', body, number: '80084' } },
    ]);
  });

  it("shows the home country's agency with its lines, without repeating the agency on each line", () => {
    const agency = outputOf(said(start('AE', 'PH')[1]), 'contacts:agency.lines');
    expect(agency?.params?.country).toEqual({ key: 'countries:PH' });
    expect(lines(agency).slice(0, 3)).toEqual([
      { key: 'contacts:agency.name', params: { agency: 'Department of Migrant Workers (DMW)' } },
      { key: 'contacts:agency.website', params: { website: 'www.dmw.gov.ph' } },
      { key: 'contacts:line.plain', params: { label: 'DMW hotline (24/7)', number: '1348' } },
    ]);
  });

  it('marks an unverified origin line', () => {
    const agency = outputOf(said(start('AE', 'NP')[1]), 'contacts:agency.lines');
    expect(lines(agency)).toContainEqual({
      key: 'contacts:line.plain',
      params: { label: 'Foreign Employment Board toll-free line', number: { key: 'common:checkNumber', params: { number: '1141' } } },
    });
  });

  it('says so when it has no work line for the country', () => {
    const outputs = said(start('OM')[1]);
    expect(outputOf(outputs, 'contacts:labour.none')?.params).toEqual({ country: { key: 'countries:OM' } });
  });

  it('shows the single number where one serves all', () => {
    expect(said(start('QA')[1])[0]).toEqual({
      key: 'common:emergency.single',
      params: { country: { key: 'countries:QA' }, number: '999' },
    });
  });

  it('without a country, lists every emergency number, gives general advice and offers to say where the person is', () => {
    const outputs = said(start()[1]);
    expect(outputs.map((o) => o.key)).toEqual([
      'common:emergency.unknown',
      'contacts:noCountry',
      'contacts:noOrigin',
      'contacts:paper',
    ]);
    expect(outputs[1]?.choices).toEqual([{ label: 'common:choice.country', payload: 'cmd.country' }]);
  });

  it('with only the country of origin, still shows its lines after the general advice', () => {
    expect(said(start(undefined, 'LK')[1]).map((o) => o.key)).toEqual([
      'common:emergency.unknown',
      'contacts:noCountry',
      'contacts:agency.lines',
      'contacts:paper',
    ]);
  });

  it('offers a caseworker (the handoff asks consent first), the services topic and the menu', () => {
    const [snapshot, actions] = start('SG');
    expect(said(actions).at(-1)?.choices?.map((c) => c.payload)).toEqual(['handoff.offer:other', 'topic.open:services', 'cmd.menu']);
    const env: FlowEnv = { locale: 'en', country: 'SG' };
    expect(started(transition(machine, snapshot, { type: 'topic.open', value: 'services', env })[1])).toEqual(['services']);
    expect(snapshot.can({ type: 'topic.open', value: 'person', env })).toBe(false);
    expect(snapshot.can({ type: 'nav.back', env })).toBe(false);
  });

  describe.each(testDeps.countries.destinations().flatMap((d) => testDeps.countries.origins().map((o) => [d.code, o.code] as const)))(
    'in %s, from %s',
    (here, from) => {
      const outputs = said(start(here, from)[1]);

      it('says only English keys with every placeholder filled, in chat-sized messages', () => {
        const problems: string[] = [];
        const check = (key: string, params?: Output['params']) => {
          const template = englishTemplate(key);
          if (template === undefined) return problems.push(key);
          for (const name of placeholders(template)) if (params?.[name] === undefined) problems.push(`${key} {{${name}}}`);
          for (const value of Object.values(params ?? {})) {
            for (const p of [value].flat()) if (typeof p === 'object') check(p.key, p.params);
          }
        };
        for (const o of outputs) {
          check(o.key, o.params);
          // The list of every country's number is common to all flows; the rest is this flow's.
          if (o.key === 'common:emergency.unknown') continue;
          const text = english(o.key, o.params);
          if (text.split('\n').length > 8 || text.length > 600) problems.push(`${o.key} too long: ${text}`);
        }
        expect(problems).toEqual([]);
      });
    },
  );
});
