import { getShortestPaths } from '@xstate/graph';
import { transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { english, resources } from '../../test/support/english';
import type { FlowEnv, FlowEvent, Output } from '../types';
import { createRecruitmentFlow } from './machine';

/**
 * The project's wording rules, on every message the flow can say in English
 * for every pair of countries in the directory (and for none): no labels for
 * people, chat-sized, every placeholder filled, no phone number written into
 * the locale file.
 */
const { countries } = flowDeps(loadConfig({}));
const { machine } = createRecruitmentFlow({ countries, links: { firstAidApp: '', familyLinks: '' } });
const PRESSES = ['recruitment.check', 'recruitment.contract', 'recruitment.report', 'nav.back'];

const optional = (codes: string[]) => [undefined, ...codes];
const places = optional(countries.destinations().map((c) => c.code));
// Thailand is in the directory as a place to work only: it stands for an origin without an agency.
const homes = optional([...countries.origins().map((c) => c.code), 'TH']);

function messagesIn(env: FlowEnv): Output[] {
  const events = PRESSES.map((type) => ({ type, env }) as FlowEvent);
  const snapshots = getShortestPaths(machine, { events, input: { env } }).map((p) => p.state as AnyMachineSnapshot);
  const saidAfter = (s: AnyMachineSnapshot, e: FlowEvent): Output[] => {
    const actions: readonly ExecutableActionObject[] = transition(machine, s, e)[1];
    return actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
  };
  return snapshots.flatMap((s) => events.filter((e) => s.can(e)).flatMap((e) => saidAfter(s, e)));
}

/** Each distinct text once, with where it was said. */
const byText = new Map<string, string>();
for (const country of places) {
  for (const origin of homes) {
    const env: FlowEnv = { locale: 'en', ...(country && { country }), ...(origin && { origin }) };
    for (const o of messagesIn(env)) {
      const text = english(o.key, o.params);
      if (!byText.has(text)) byText.set(text, `${o.key} in ${country ?? '?'} from ${origin ?? '?'}`);
    }
  }
}
const texts = [...byText].map(([text, where]): [string, string] => [where, text]);

describe('recruitment wording', () => {
  it('covers every message of the flow', () => {
    const said = new Set(texts.map(([where]) => where.split(' ')[0]));
    for (const key of ['intro', 'check', 'contract', 'report.origin', 'report.originNone', 'report.originUnknown']) {
      expect(said).toContain(`recruitment:${key}`);
    }
    for (const key of ['labour', 'labourNone', 'labourUnknown', 'yourChoice']) expect(said).toContain(`recruitment:lines.${key}`);
  });

  it.each(texts)('%s never labels a person', (_where, text) => {
    expect(text).not.toMatch(/\billegal|traffick|\bvictim/i);
  });

  it.each(texts)('%s is chat-sized: at most 8 lines and 600 characters', (_where, text) => {
    expect(text.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(8);
    expect(text.length).toBeLessThanOrEqual(600);
  });

  it.each(texts)('%s has every placeholder filled', (_where, text) => {
    expect(text).not.toMatch(/\{\{|\$t\(/);
  });

  it('writes no phone number into the locale file', () => {
    expect(JSON.stringify(resources.en?.recruitment)).not.toMatch(/\d{3}/);
  });

  it('mentions the police only to say that help does not depend on them', () => {
    for (const [, text] of texts.filter(([, t]) => /police/i.test(t))) {
      expect(text).toMatch(/whether or not you go to the police/);
    }
  });
});
