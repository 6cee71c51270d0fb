import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { resources } from '../../test/support/english';
import { saidEverywhere } from '../../test/support/said-everywhere';
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

// Thailand is in the directory as a place to work only: it stands for an origin without an agency.
const texts = saidEverywhere(machine, PRESSES, countries, ['TH']);

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
