import { resources } from '../../test/support/english';

/**
 * The project's wording rules for the menu and the topics around it (where
 * you are, services, contacts, first aid, talking to a person): never
 * 'illegal' about people, never a 'trafficked' or 'victim' label, and
 * messages small enough to read on a phone in one go.
 */
const NAMESPACES = ['menu', 'situation', 'services', 'contacts', 'firstAid', 'person'];

function strings(tree: unknown, prefix: string): [string, string][] {
  if (typeof tree === 'string') return [[prefix, tree]];
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([k, v]) => strings(v, prefix.endsWith(':') ? prefix + k : `${prefix}.${k}`));
}

const texts = NAMESPACES.flatMap((ns) => strings(resources.en?.[ns], `${ns}:`));

describe('wording of the menu and its information topics', () => {
  it('has every namespace in English', () => {
    for (const ns of NAMESPACES) expect(resources.en?.[ns]).toBeDefined();
  });

  it.each(texts)('%s avoids labels the Red Cross does not use about people', (_key, text) => {
    expect(text).not.toMatch(/\billegal|\btraffick|\bvictim/i);
  });

  it.each(texts)('%s is chat-sized: at most 8 lines and 600 characters', (_key, text) => {
    expect(text.split('\n').length).toBeLessThanOrEqual(8);
    expect(text.length).toBeLessThanOrEqual(600);
  });

  it.each(texts)('%s holds no phone number: numbers come from the directory', (_key, text) => {
    const withoutYears = text.replace(/\b(19|20)\d\d\b/g, '');
    expect(withoutYears).not.toMatch(/\d{3}/);
  });
});
