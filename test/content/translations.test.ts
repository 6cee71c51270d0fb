import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalise } from '../../src/conversation/render';
import { LOCALES_DIR, placeholders, resources, translator } from '../support/english';

/**
 * Every language must carry the whole of English, with the same parameters,
 * in its own script. These checks are what a reviewer can rely on before
 * reading a word.
 */
type Tree = { [key: string]: string | string[] | Tree };

const status = JSON.parse(readFileSync(join(LOCALES_DIR, 'status.json'), 'utf8')) as Record<string, string>;
const LANGUAGES = Object.keys(status).filter((l) => l !== 'en');

function leaves(tree: Tree, prefix = ''): [string, string | string[]][] {
  return Object.entries(tree).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return typeof v === 'string' || Array.isArray(v) ? [[path, v] as [string, string | string[]]] : leaves(v, path);
  });
}

function allLeaves(lang: string): Map<string, string | string[]> {
  const namespaces = (resources[lang] ?? {}) as Record<string, Tree>;
  return new Map(
    Object.entries(namespaces).flatMap(([ns, tree]) => leaves(tree).map(([k, v]) => [`${ns}:${k}`, v] as const)),
  );
}

const english = allLeaves('en');

/** Letters of the text outside placeholders, nesting and Latin-only tokens such as URLs. */
function letters(text: string): string[] {
  const bare = text.replace(/\{\{[^}]*\}\}/g, ' ').replace(/\$t\([^)]*\)/g, ' ');
  return [...bare].filter((ch) => /\p{L}/u.test(ch));
}

const SCRIPT: Record<string, RegExp> = {
  ne: /\p{Script=Devanagari}/u,
  hi: /\p{Script=Devanagari}/u,
  bn: /\p{Script=Bengali}/u,
  si: /\p{Script=Sinhala}/u,
  ta: /\p{Script=Tamil}/u,
  km: /\p{Script=Khmer}/u,
  my: /\p{Script=Myanmar}/u,
  ur: /\p{Script=Arabic}/u,
  fil: /\p{Script=Latin}/u,
  id: /\p{Script=Latin}/u,
  vi: /\p{Script=Latin}/u,
};

// Word lists, language names and country names may rightly match English.
const SAME_AS_ENGLISH_ALLOWED = /^(commands|safety|languages|countries):/;

/**
 * Short forms of button labels (short.json) exist only where a language's own
 * label is too long for a button, so each language has its own set: they are
 * checked against the full label they shorten (`short:menu.topics.rfl` against
 * `menu:topics.rfl`), not key by key against English's short forms.
 */
const SHORT = 'short:';
const isShort = (key: string) => key.startsWith(SHORT);
const shortened = (key: string) => key.slice(SHORT.length).replace('.', ':');

describe.each(LANGUAGES)('locale %s', (lang) => {
  const mine = allLeaves(lang);

  it('is installed and listed in status.json as reviewed or draft', () => {
    expect(resources[lang]).toBeDefined();
    expect(['reviewed', 'draft']).toContain(status[lang]);
  });

  it('has every English key and no other (short forms aside)', () => {
    const missing = [...english.keys()].filter((k) => !isShort(k) && !mine.has(k));
    const extra = [...mine.keys()].filter((k) => !isShort(k) && !english.has(k));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it('has short forms only of labels that English has', () => {
    const orphans = [...mine.keys()].filter((k) => isShort(k) && typeof english.get(shortened(k)) !== 'string');
    expect(orphans).toEqual([]);
  });

  it('uses exactly the placeholders of English in every string, and a short form those of its label', () => {
    const wrong = [...mine].flatMap(([key, theirs]) => {
      const en = english.get(isShort(key) ? shortened(key) : key);
      if (typeof en !== 'string' || typeof theirs !== 'string') return [];
      const a = [...new Set(placeholders(en))].sort();
      const b = [...new Set(placeholders(theirs))].sort();
      return a.join() === b.join() ? [] : [`${key}: English {${a.join()}} vs {${b.join()}}`];
    });
    expect(wrong).toEqual([]);
  });

  it('has the plural forms its language needs for every plural key', () => {
    const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    const pluralBases = new Set([...english.keys()].filter((k) => /_(one|other)$/.test(k)).map((k) => k.replace(/_\w+$/, '')));
    const missing = [...pluralBases].flatMap((base) =>
      categories.filter((c) => !mine.has(`${base}_${c}`)).map((c) => `${base}_${c}`),
    );
    expect(missing).toEqual([]);
  });

  it('names every language exactly as English does, each in its own script', () => {
    for (const [key, value] of english) if (key.startsWith('languages:')) expect(mine.get(key)).toBe(value);
  });

  it('is written mostly in its own script', () => {
    const text = [...mine].filter(([k]) => !SAME_AS_ENGLISH_ALLOWED.test(k)).flatMap(([, v]) => (typeof v === 'string' ? [v] : []));
    const all = text.flatMap(letters);
    const inScript = all.filter((ch) => SCRIPT[lang]!.test(ch)).length;
    expect(inScript / all.length).toBeGreaterThan(0.85);
  });

  it('copies no English sentence', () => {
    const copied = [...english].flatMap(([key, en]) => {
      if (SAME_AS_ENGLISH_ALLOWED.test(key) || typeof en !== 'string') return [];
      const theirs = mine.get(key);
      return typeof theirs === 'string' && letters(en).length > 12 && theirs === en ? [key] : [];
    });
    expect(copied).toEqual([]);
  });

  it('tells people who send a voice note or photo to type SOS, a word the bot recognises in every language', () => {
    const text = mine.get('common:textOnly');
    expect(typeof text === 'string' && text.includes('SOS')).toBe(true);
    expect(translator.allWords('safety:words', normalise)).toContain(normalise('SOS'));
  });

  it('keeps the SOS words, including a romanised form', () => {
    const words = mine.get('safety:words');
    expect(Array.isArray(words) && words.length).toBeGreaterThan(1);
    expect((words as string[]).some((w) => /^[\p{Script=Latin}\s'-]+$/u.test(w))).toBe(true);
  });
});

describe('Vietnamese', () => {
  it('is written with its diacritics', () => {
    const text = [...allLeaves('vi').values()].filter((v): v is string => typeof v === 'string').join(' ');
    const marked = [...text].filter((ch) => /[àáảãạăắằẳẵặâấầẩẫậđèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]/i.test(ch)).length;
    expect(marked / letters(text).length).toBeGreaterThan(0.15);
  });
});
