import { english, englishTemplate, placeholders, resources } from '../support/english';

/**
 * Every English message fits a phone screen: at most 8 lines and 600
 * characters, with a sample value in each placeholder. Word lists and names
 * are not messages. Translations run longer than English by nature, so the
 * rule is held on English, where the content is written.
 */
const NOT_MESSAGES = new Set(['commands', 'safety', 'languages', 'countries']);

/** Messages that are long on purpose, each with its reason. */
const LONG_ON_PURPOSE: Record<string, string> = {
  'common:emergency.unknown': 'lists every destination’s emergency number, so nobody in danger has to answer a question first',
  'common:help': 'the one place that lists every command',
};

function keys(tree: unknown, prefix: string): string[] {
  if (typeof tree === 'string') return [prefix];
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return [];
  return Object.entries(tree).flatMap(([k, v]) => keys(v, prefix.endsWith(':') ? prefix + k : `${prefix}.${k}`));
}

const messages = Object.entries(resources.en ?? {})
  .filter(([ns]) => !NOT_MESSAGES.has(ns))
  .flatMap(([ns, tree]) => keys(tree, `${ns}:`))
  .filter((key) => !(key in LONG_ON_PURPOSE))
  .map((key): [string, string] => {
    const sample = Object.fromEntries(placeholders(englishTemplate(key)!).map((p) => [p, 'Sample value']));
    return [key, english(key, sample)];
  });

describe('English messages', () => {
  it('are all checked', () => {
    expect(messages.length).toBeGreaterThan(200);
  });

  it('name only long messages that exist', () => {
    for (const key of Object.keys(LONG_ON_PURPOSE)) expect(englishTemplate(key)).toBeDefined();
  });

  it.each(messages)('%s is chat-sized: at most 8 lines and 600 characters', (_key, text) => {
    expect(text.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(8);
    expect(text.length).toBeLessThanOrEqual(600);
  });
});
