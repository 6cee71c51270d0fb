import { initialTransition, transition, type ExecutableActionObject } from 'xstate';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import type { FlowEnv, FlowEvent, Output, Phrase } from '../types';
import { createFamilyEmergencyFlow } from './machine';

const { machine } = createFamilyEmergencyFlow(flowDeps(loadConfig({})));

const ev = (type: string, env: FlowEnv = { locale: 'en' }, value?: string): FlowEvent =>
  (value === undefined ? { type, env } : { type, value, env }) as FlowEvent;

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const payloads = (o: Output | undefined) => o?.choices?.map((c) => c.payload);

/** What one side says for a person with these countries. */
function side(which: 'abroad' | 'home', env: FlowEnv) {
  const [start] = initialTransition(machine, { env });
  const [snapshot, actions] = transition(machine, start, ev(`family.${which}`, env));
  expect(snapshot.value).toBe(which);
  return said(actions);
}

const line = (label: string, number: string | Phrase): Phrase => ({ key: 'familyEmergency:line', params: { label, number } });
const check = (number: string): Phrase => ({ key: 'common:checkNumber', params: { number } });

describe('family emergency machine', () => {
  it('first asks which side the person is on', () => {
    const [snapshot, actions] = initialTransition(machine, { env: { locale: 'en' } });
    expect(snapshot.value).toBe('who');
    const [who] = said(actions);
    expect(who?.key).toBe('familyEmergency:who');
    expect(payloads(who)).toEqual(['family.abroad', 'family.home', 'cmd.menu']);
    expect(snapshot.can(ev('nav.back'))).toBe(false);
  });

  it('shows a worker from the Philippines the Philippine Red Cross and the DMW, each number once', () => {
    const outputs = side('abroad', { locale: 'en', country: 'SA', origin: 'PH' });
    expect(outputs.map((o) => o.key)).toEqual([
      'familyEmergency:abroad.intro',
      'familyEmergency:societyPhone',
      'familyEmergency:agency',
      'familyEmergency:abroad.more',
    ]);
    expect(outputs[0]?.params).toEqual({ country: { key: 'countries:PH' } });
    expect(outputs[1]?.params).toEqual({ name: 'Philippine Red Cross (PRC)', phone: '143' });
    expect(outputs[2]?.params).toEqual({
      agency: 'Department of Migrant Workers (DMW)',
      lines: [
        line('DMW hotline (24/7)', '1348'),
        line('DMW landline', '8722-1144'),
        line('DMW landline', '8722-1155'),
        line('National government emergency number', '911'),
      ],
    });
    expect(payloads(outputs[3])).toEqual(['flow.start:rfl', 'handoff.offer:familyEmergency', 'nav.back', 'cmd.menu']);
  });

  it('marks numbers that are not verified, for a worker from Nepal', () => {
    const outputs = side('abroad', { locale: 'en', country: 'MY', origin: 'NP' });
    expect(outputs[1]).toEqual({
      key: 'familyEmergency:society',
      params: { name: 'Nepal Red Cross Society (NRCS)' },
    });
    expect(outputs[2]?.params?.lines).toEqual([line('Foreign Employment Board toll-free line', check('1141'))]);
  });

  it('names the office even when it has no number, for a worker from Myanmar', () => {
    const outputs = side('abroad', { locale: 'en', country: 'TH', origin: 'MM' });
    expect(outputs[2]).toEqual({
      key: 'familyEmergency:agencyNoLines',
      params: { agency: 'Ministry of Labour, Department of Labour (Migrant Workers Division)' },
    });
  });

  it('gives general advice and asks where the person is from when it does not know', () => {
    for (const env of [{ locale: 'en', country: 'QA' }, { locale: 'en', country: 'QA', origin: 'XX' }]) {
      const outputs = side('abroad', env);
      expect(outputs.map((o) => o.key)).toEqual(['familyEmergency:abroad.unknown', 'familyEmergency:abroad.more']);
      expect(payloads(outputs[1])).toEqual(['flow.start:rfl', 'handoff.offer:familyEmergency', 'cmd.country', 'nav.back', 'cmd.menu']);
    }
  });

  it('shows a family at home the office for workers abroad first, then the Red Cross', () => {
    const outputs = side('home', { locale: 'en', country: 'ID' });
    expect(outputs.map((o) => o.key)).toEqual([
      'familyEmergency:home.intro',
      'familyEmergency:agency',
      'familyEmergency:society',
      'familyEmergency:home.more',
    ]);
    expect(outputs[0]?.params).toEqual({ country: { key: 'countries:ID' } });
    expect(outputs[1]?.params?.lines).toEqual([
      line('KP2MI hotline (from inside Indonesia)', '0-800-1000'),
      line('KP2MI hotline (from abroad)', '+62 21 2924 4800'),
      line('KP2MI WhatsApp', '0811-8080-141'),
    ]);
    expect(payloads(outputs[3])).toEqual(['flow.start:rfl', 'handoff.offer:familyEmergency', 'nav.back', 'cmd.menu']);
  });

  it('uses the country a family is from when the person said both', () => {
    expect(side('home', { locale: 'en', country: 'QA', origin: 'LK' })[0]?.params).toEqual({
      country: { key: 'countries:LK' },
    });
  });

  it('gives general advice at home when the country is not a country people leave from', () => {
    const outputs = side('home', { locale: 'en', country: 'QA' });
    expect(outputs.map((o) => o.key)).toEqual(['familyEmergency:home.unknown', 'familyEmergency:home.more']);
    expect(payloads(outputs[1])).toContain('cmd.country');
  });

  it('goes back from either side to the question, and leaves the rfl and person buttons to the engine', () => {
    for (const which of ['abroad', 'home']) {
      const [start] = initialTransition(machine, { env: { locale: 'en' } });
      const [there] = transition(machine, start, ev(`family.${which}`));
      expect(transition(machine, there, ev('nav.back'))[0].value).toBe('who');
      expect(there.can(ev('flow.start', undefined, 'rfl'))).toBe(false);
      expect(there.can(ev('flow.start', undefined, 'person'))).toBe(false);
    }
  });
});
