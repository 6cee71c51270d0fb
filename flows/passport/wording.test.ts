import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import { resources } from '../../test/support/english';
import { saidEverywhere } from '../../test/support/said-everywhere';
import { createPassportFlow } from './machine';

/**
 * The project's wording rules, on every message the flow can say in English
 * for every pair of countries in the directory (and for none): no labels for
 * people, chat-sized, every placeholder filled, no phone number written into
 * the locale file.
 */
const { countries } = flowDeps(loadConfig({}));
const { machine } = createPassportFlow({ countries, links: { firstAidApp: '', familyLinks: '' } });
const PRESSES = ['passport.steps', 'passport.help', 'nav.back'];

// Thailand is in the directory as a place to work only: it stands for an origin without an agency.
const texts = saidEverywhere(machine, PRESSES, countries, ['TH']);

describe('passport wording', () => {
  it('covers every message of the flow', () => {
    const said = new Set(texts.map(([where]) => where.split(' ')[0]));
    const keys = [
      ...['forbidden', 'forbiddenBy', 'unknownIn', 'unknown'].map((k) => `passport:law.${k}`),
      ...['prompt', 'steps', 'help.origin', 'help.originNone', 'help.originUnknown', 'help.society'].map((k) => `passport:${k}`),
      ...['labour', 'labourNone', 'labourUnknown', 'yourChoice'].map((k) => `recruitment:lines.${k}`),
    ];
    for (const key of keys) expect(said).toContain(key);
  });

  // Law names are proper names from the directory: a "Trafficking Law" names a law, not a person.
  const lawNames = countries.destinations().flatMap((c) => c.passportLaw?.laws ?? []);
  it.each(texts)('%s never labels a person', (_where, text) => {
    const ours = lawNames.reduce((t, name) => t.split(name).join(''), text);
    expect(ours).not.toMatch(/\billegal|traffick|\bvictim/i);
  });

  it.each(texts)('%s is chat-sized: at most 8 lines and 600 characters', (_where, text) => {
    expect(text.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(8);
    expect(text.length).toBeLessThanOrEqual(600);
  });

  it.each(texts)('%s has every placeholder filled', (_where, text) => {
    expect(text).not.toMatch(/\{\{|\$t\(/);
  });

  it('writes no phone number into the locale file', () => {
    expect(JSON.stringify(resources.en?.passport)).not.toMatch(/\d{3}/);
  });

  it('mentions the police only to say that help does not depend on them', () => {
    for (const [, text] of texts.filter(([, t]) => /police/i.test(t))) {
      expect(text).toMatch(/whether or not you go to the police/);
    }
  });
});
