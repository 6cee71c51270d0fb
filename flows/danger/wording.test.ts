import { english, resources } from '../../test/support/english';
import { SIGN_GROUPS } from './signs';

/**
 * The project's wording rules, on every message of the danger flow in
 * English: no labels for people, chat-sized, and no phone number written
 * into the text (numbers come from the directory). None of these messages
 * depends on the country; the numbers before them are common's.
 */
const total = SIGN_GROUPS.length;
const texts: [string, string][] = [
  ['now', english('danger:now')],
  ['plan', english('danger:plan')],
  ...SIGN_GROUPS.map((g, i): [string, string] => [g, english(`danger:signs.${g}`, { step: i + 1, total })]),
];

describe('danger wording', () => {
  it.each(texts)('%s never labels a person', (_key, text) => {
    expect(text).not.toMatch(/\billegal|traffick|\bvictim/i);
  });

  it.each(texts)('%s is chat-sized: at most 8 lines and 600 characters', (_key, text) => {
    expect(text.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(8);
    expect(text.length).toBeLessThanOrEqual(600);
  });

  it.each(texts)('%s has every placeholder filled', (_key, text) => {
    expect(text).not.toMatch(/\{\{|\$t\(/);
  });

  it('writes no phone number into the locale file', () => {
    expect(JSON.stringify(resources.en?.danger)).not.toMatch(/\d{3}/);
  });

  it('mentions the police only to say that help does not depend on them, or as a threat to recognise', () => {
    for (const [, text] of texts.filter(([, t]) => /police/i.test(t))) {
      expect(text).toMatch(/whether or not you go to the police|with the police/);
    }
  });

  it('explains all 11 ILO indicators in plain words, without asking anything', () => {
    const signs = SIGN_GROUPS.map((g) => english(`danger:signs.${g}`, { step: 1, total }));
    expect(signs.join('\n').match(/^• /gm)).toHaveLength(11);
    expect(texts.map(([, t]) => t).join('\n')).not.toMatch(/\?/);
  });
});
