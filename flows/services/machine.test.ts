import { initialTransition, transition, type ExecutableActionObject } from 'xstate';
import { english, englishTemplate, placeholders } from '../../test/support/english';
import { testDeps } from '../../test/support/flows';
import type { CountryLookup, CountryView, FlowDeps } from '../directory';
import type { FlowEnv, Output, Phrase } from '../types';
import { createServicesFlow } from './machine';
import { SOCIETY_NOTES } from './notes';

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const started = (actions: Actions): string[] =>
  actions.filter((a) => a.type === 'startFlow').map((a) => (a.params as { flow: string }).flow);

const { machine } = createServicesFlow(testDeps);
const start = (country?: string, origin?: string) =>
  initialTransition(machine, { env: { locale: 'en', ...(country && { country }), ...(origin && { origin }) } });
const lines = (o: Output | undefined) => (o?.params?.lines ?? []) as Phrase[];

describe('services machine', () => {
  it('says what the Red Cross and Red Crescent offer, then asks where the person is when it does not know', () => {
    const [snapshot, actions] = start();
    expect(snapshot.value).toBe('shown');
    const outputs = said(actions);
    expect(outputs.map((o) => o.key)).toEqual(['services:intro', 'services:noCountry', 'services:next']);
    expect(outputs[1]?.choices).toEqual([{ label: 'common:choice.country', payload: 'cmd.country' }]);
  });

  it('offers RFL, wellbeing, first aid, alerts and the menu next', () => {
    const next = said(start('AE')[1]).at(-1);
    expect(next?.choices?.map((c) => c.payload)).toEqual([
      'topic.open:rfl',
      'topic.open:wellbeing',
      'topic.open:firstAid',
      'alerts.open',
      'cmd.menu',
    ]);
  });

  it('tells a person in Qatar about its health centres, and names the societies where they are and where they are from', () => {
    const outputs = said(start('QA', 'NP')[1]);
    expect(outputs.map((o) => o.key)).toEqual([
      'services:intro',
      'services:notes.QA',
      'services:notes.NP',
      'services:societies',
      'services:next',
    ]);
    expect(english('services:notes.QA', outputs[1]?.params)).toContain('health centres for labour migrants');
    expect(lines(outputs[3])).toEqual([
      { key: 'services:society.name', params: { country: { key: 'countries:QA' }, name: 'Qatar Red Crescent Society (QRCS)' } },
      // qrcs.org.qa is unverified in the facts, so it is not shown.
      { key: 'services:society.name', params: { country: { key: 'countries:NP' }, name: 'Nepal Red Cross Society (NRCS)' } },
      { key: 'services:society.website', params: { website: 'nrcs.org' } },
    ]);
  });

  it('does not tell the Qatar health centres to a person elsewhere', () => {
    const keys = said(start('AE', 'IN')[1]).map((o) => o.key);
    expect(keys).toEqual(['services:intro', 'services:societies', 'services:next']);
  });

  it('names a society once for a person in their home country, with its phone', () => {
    const outputs = said(start('PH', 'PH')[1]);
    const society = outputs.find((o) => o.key === 'services:societies');
    expect(lines(society)).toEqual([
      { key: 'services:society.name', params: { country: { key: 'countries:PH' }, name: 'Philippine Red Cross (PRC)' } },
      { key: 'services:society.phone', params: { phone: '143' } },
    ]);
  });

  it('marks a phone number that is not verified', () => {
    const society = said(start('JP')[1]).find((o) => o.key === 'services:societies');
    expect(lines(society)).toContainEqual({
      key: 'services:society.phone',
      params: { phone: { key: 'common:checkNumber', params: { number: '+81-3-3437-7087' } } },
    });
  });

  it('says honestly where there is no recognised society (Oman, Taiwan)', () => {
    expect(english('services:notes.OM', { country: 'Oman', society: 'OCO' })).toContain('no recognised Red Crescent society');
    expect(english('services:notes.TW', { country: 'Taiwan', society: 'x' })).toContain('not recognised by the ICRC');
    expect(said(start('OM')[1]).map((o) => o.key)).toContain('services:notes.OM');
    expect(said(start('TW')[1]).map((o) => o.key)).toContain('services:notes.TW');
  });

  it('lists a body the directory marks as outside the Movement as such, and a country with no society as having none', () => {
    const view = (code: string, society?: object): CountryView =>
      ({ code, name: code, labourLines: [], ...(society && { nationalSociety: society }) }) as CountryView;
    const views: Record<string, CountryView> = {
      OM: view('OM', { name: 'Oman Charitable Organization (OCO)', movementMember: false }),
      XX: view('XX'),
    };
    const fakeLookup: CountryLookup = {
      get: (code) => (code ? views[code] : undefined),
      destinations: () => [],
      origins: () => [],
      match: () => undefined,
    };
    const deps: FlowDeps = { countries: fakeLookup, links: testDeps.links };
    const env: FlowEnv = { locale: 'en', country: 'OM', origin: 'XX' };
    const outputs = said(initialTransition(createServicesFlow(deps).machine, { env })[1]);
    expect(lines(outputs.find((o) => o.key === 'services:societies')).map((p) => p.key)).toEqual([
      'services:society.notMember',
      'services:society.none',
    ]);
  });

  it('starts the flow of a topic it offers, and refuses others', () => {
    const [snapshot] = start('AE');
    const env: FlowEnv = { locale: 'en', country: 'AE' };
    expect(started(transition(machine, snapshot, { type: 'topic.open', value: 'rfl', env })[1])).toEqual(['rfl']);
    expect(snapshot.can({ type: 'topic.open', value: 'packing', env })).toBe(false);
    expect(snapshot.can({ type: 'nav.back', env })).toBe(false);
    expect(snapshot.can({ type: 'user.text', text: 'rfl', env })).toBe(false);
  });

  it.each([...SOCIETY_NOTES])('has an English note for %s', (code) => {
    expect(englishTemplate(`services:notes.${code}`)).toBeDefined();
  });

  describe.each([...testDeps.countries.destinations(), ...testDeps.countries.origins()].map((c) => [c.code] as const))(
    'for a person in or from %s',
    (code) => {
      const outputs = [...said(start(code)[1]), ...said(start(undefined, code)[1])];

      it('says only English keys, with every placeholder filled, nested phrases too', () => {
        const missing: string[] = [];
        const check = (key: string, params?: Output['params']) => {
          const template = englishTemplate(key);
          if (template === undefined) return missing.push(key);
          for (const name of placeholders(template)) if (params?.[name] === undefined) missing.push(`${key} {{${name}}}`);
          for (const value of Object.values(params ?? {})) {
            for (const p of [value].flat()) if (typeof p === 'object') check(p.key, p.params);
          }
        };
        for (const o of outputs) check(o.key, o.params);
        expect(missing).toEqual([]);
      });

      it('keeps every message chat-sized', () => {
        for (const o of outputs) {
          const text = english(o.key, o.params);
          expect(text.split('\n').length).toBeLessThanOrEqual(8);
          expect(text.length).toBeLessThanOrEqual(600);
        }
      });
    },
  );
});
