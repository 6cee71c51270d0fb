import { english, englishTemplate, placeholders, resources } from '../../test/support/english';

/**
 * The project's wording rules for every English message of this flow:
 * nothing about people being 'illegal', no 'trafficked' or 'victim' label,
 * and chat-sized: at most 8 lines and 600 characters, with a sample value
 * for each placeholder.
 */
const NS = 'familyEmergency';

function keys(tree: unknown, prefix: string): string[] {
  if (typeof tree === 'string') return [prefix];
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return [];
  return Object.entries(tree).flatMap(([k, v]) => keys(v, prefix.endsWith(':') ? prefix + k : `${prefix}.${k}`));
}

const texts = keys(resources.en?.[NS], `${NS}:`).map((key): [string, string] => {
  const sample = Object.fromEntries(placeholders(englishTemplate(key)!).map((p) => [p, 'Sample value']));
  return [key, english(key, sample)];
});

describe(`${NS} wording`, () => {
  it('has messages', () => {
    expect(texts.length).toBeGreaterThan(5);
  });

  it.each(texts)('%s avoids labels the Red Cross does not use about people', (_key, text) => {
    expect(text).not.toMatch(/\billegal|\btraffick|\bvictim/i);
  });

  it.each(texts)('%s is chat-sized: at most 8 lines and 600 characters', (_key, text) => {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(text.length).toBeLessThanOrEqual(600);
  });
});
