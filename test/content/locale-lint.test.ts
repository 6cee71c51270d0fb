import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Content rules for every locale file (facts.md §7 principles): how people
 * are named, no advice for or against migrating, and no numbers or URLs in
 * text (they come from the directory and settings, where they are checked).
 * Each rule is a function tried on small fixtures first, so a rule that
 * stopped biting would fail here rather than pass the real files silently.
 */

const ROOT = join(__dirname, '..', '..');
const LOCALES = join(ROOT, 'locales');
const ENGLISH = 'en';

// ---------------------------------------------------------------- leaves

/** One piece of text: a string value, or one word of a word list (`words[3]`). */
interface Leaf {
  key: string;
  text: string;
}

/** Problems with a file's shape; empty when it is JSON made of objects, strings and lists of strings. */
function shapeProblems(source: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (err) {
    return [`not valid JSON (${(err as Error).message})`];
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return ['the top level is not an object'];
  const problems: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(node)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'string') continue;
      if (Array.isArray(v)) {
        v.forEach((item, i) => {
          if (typeof item !== 'string') problems.push(`${key}[${i}]: a list may only hold strings`);
        });
      } else if (typeof v === 'object' && v !== null) walk(v as Record<string, unknown>, key);
      else problems.push(`${key}: ${v === null ? 'null' : typeof v} is not a string, a list of strings or an object`);
    }
  };
  walk(json as Record<string, unknown>, '');
  return problems;
}

function leavesOf(tree: unknown, prefix = ''): Leaf[] {
  if (typeof tree === 'string') return [{ key: prefix, text: tree }];
  if (Array.isArray(tree)) return tree.flatMap((item, i) => leavesOf(item, `${prefix}[${i}]`));
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([k, v]) => leavesOf(v, prefix ? `${prefix}.${k}` : k));
}

// ---------------------------------------------------------------- rules

/** Text a person reads: placeholders and `$t()` nesting are filled in from elsewhere and checked there. */
const readable = (text: string) => text.replace(/\{\{[^}]*\}\}/g, ' ').replace(/\$t\([^)]*\)/g, ' ');

/** Words for people that must never follow "illegal" (facts.md §7: say irregular or undocumented). */
const ILLEGAL_PEOPLE =
  /\billegal(?:ly)?[\s-]+(?:(?:migrant\s+)?workers?|migrants?|immigrants?|aliens?|persons?|people|foreigners?|residents?|entrants?|stayers?|migration|immigration)\b|\billegals\b/gi;

function illegalPeople(text: string): string[] {
  return [...readable(text).matchAll(ILLEGAL_PEOPLE)].map((m) => m[0]);
}

/** Any "illegal" at all: allowed only where listed below, with the reason. */
function anyIllegal(text: string): string[] {
  return [...readable(text).matchAll(/\billegal\w*/gi)].map((m) => m[0]);
}

/** Labels that decide for a person what they are (facts.md §7: no labelling anyone "trafficked"). */
function labels(text: string): string[] {
  return [...readable(text).matchAll(/\b(?:trafficked|victims?|victimi[sz]ed)\b/gi)].map((m) => m[0]);
}

/**
 * Telling people to migrate or not to (facts.md §7: never encourage, prevent
 * or dissuade migration). Aimed at advice about leaving or staying, so that
 * "go to a hospital", "leave the place if you can" or "before you go" pass.
 */
const GOING = String.raw`(?:migrate|emigrate|go abroad|go overseas|work abroad|work overseas|leave (?:your|the) country|leave home|stay (?:at )?home|stay in your country|return home|go (?:back )?home|come (?:back )?home)`;
const MIGRATION_ADVICE: readonly RegExp[] = [
  new RegExp(String.raw`\b(?:you )?(?:should|must|need to|have to|ought to|had better|better)(?: not|n't)? ${GOING}\b`, 'gi'),
  // A bare "you should (not) go/leave", ending the clause: "go to a hospital" is other advice.
  new RegExp(String.raw`\byou (?:should|must|need to|have to|ought to)(?: not|n't)? (?:go|leave)(?=\s*(?:[.!?,;]|$))`, 'gi'),
  new RegExp(String.raw`\b(?:don't|do not|never|please do not|please don't) ${GOING}\b`, 'gi'),
  /\bstay (?:at )?home\b/gi,
  new RegExp(String.raw`\b(?:it is|it's|is it)(?: not)? (?:safe|safer|better|best|wise|a good idea|a bad idea|dangerous|risky|worth it) to ${GOING}\b`, 'gi'),
  /\b(?:think twice|reconsider)\b[^.!?\n]*\b(?:going|migrat\w*|leaving|abroad|overseas|decision)\b/gi,
];

function migrationAdvice(text: string): string[] {
  const t = readable(text);
  return MIGRATION_ADVICE.flatMap((re) => [...t.matchAll(re)].map((m) => m[0]));
}

/**
 * Runs of three or more digits that could be a phone number. Not counted:
 * list positions like "2/8" and legal references like "33/2021", amounts
 * after a currency or written with thousands separators, and years after
 * "in", "of", "since" and the like or after a month ("March 2024").
 */
const DIGITS = /(?:\+|\()?\d(?:[\d\s().,-]*\d)?/g;
const CURRENCY = /(?:QR|SR|AED|KD|OMR|BD|RM|SGD|HKD|NT\$|USD|US\$|\$|€|£|₱|Rs\.?)\s?$/i;
const YEAR_WORD =
  /\b(?:in|of|since|from|until|till|before|after|year|years|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\s$/i;

function phoneNumbers(text: string): string[] {
  const t = readable(text);
  const found: string[] = [];
  for (const m of t.matchAll(DIGITS)) {
    const run = m[0].trim();
    const start = m.index;
    const end = start + m[0].length;
    if ((run.match(/\d/g) ?? []).length < 3) continue;
    if (t[start - 1] === '/' || t[end] === '/') continue;
    if (/^\d{1,3}(?:,\d{3})+$/.test(run)) continue;
    const before = t.slice(0, start);
    if (CURRENCY.test(before)) continue;
    if (/^(?:19|20)\d\d$/.test(run) && YEAR_WORD.test(before)) continue;
    found.push(run);
  }
  return found;
}

/** URLs and bare domains: links come from the directory or settings, never from translated text. */
const TLDS = 'com|org|net|gov|edu|int|info|io|app|me|co|ph|sg|hk|tw|kr|jp|au|nz|my|th|ae|sa|qa|kw|om|bh|mv|bn|id|np|bd|in|lk|pk|vn|kh|mm|uk|us';
const URL = new RegExp(String.raw`\b(?:https?://|www\.)\S*[^\s.,;:!?)]|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:${TLDS})\b(?:/\S*[^\s.,;:!?)])?|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+`, 'gi');

function urls(text: string): string[] {
  return [...readable(text).matchAll(URL)].map((m) => m[0]);
}

/** The `{{name}}` placeholders and `$t(key)` nestings a text uses, sorted. */
function slots(text: string): string[] {
  const names = [...text.matchAll(/\{\{\s*([^,}\s]+)[^}]*\}\}/g)].map((m) => `{{${m[1]}}}`);
  const nested = [...text.matchAll(/\$t\(([^,)]+)[^)]*\)/g)].map((m) => `$t(${m[1]!.trim()})`);
  return [...new Set([...names, ...nested])].sort();
}

/** A translation's placeholders against English, key by key; keys English lacks are reported too. */
function placeholderProblems(english: unknown, translated: unknown): string[] {
  const en = new Map(leavesOf(english).map((l) => [l.key, l.text]));
  return leavesOf(translated).flatMap(({ key, text }) => {
    if (/\[\d+\]$/.test(key)) return []; // word lists differ per language by design
    const source = en.get(key);
    if (source === undefined) return [`${key}: not in English`];
    const want = slots(source).join(' ');
    const have = slots(text).join(' ');
    return want === have ? [] : [`${key}: uses ${have || 'nothing'}, English uses ${want || 'nothing'}`];
  });
}

/**
 * Short forms of button labels (`short.json`, in every language including
 * English) differ in keys from language to language: each has them only where
 * its own label is too long for a button. A short form answers to the English
 * label it shortens, `menu.topics.rfl` to `topics.rfl` in `menu.json`, so its
 * source is every English file but short.json, by namespace.
 */
const SHORT_FILE = 'short.json';

function shortSource(english: ReadonlyMap<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    [...english].filter(([file]) => file !== SHORT_FILE).map(([file, tree]) => [file.replace(/\.json$/, ''), tree]),
  );
}

// ---------------------------------------------------------------- allow-lists

/** Keys where the word "illegal" is right, each with its reason. Use "irregular" or "not allowed" first. */
const ILLEGAL_ALLOWED: readonly { file: string; key: string; reason: string }[] = [];

/** Keys where a digit run is not a phone number, each with its reason. */
const DIGITS_ALLOWED: readonly { file: string; key: string; reason: string }[] = [];

/** Allow-list entries whose key no longer trips the rule (or no longer exists): they would hide a later slip. */
function unneeded(
  allowed: readonly { file: string; key: string }[],
  rule: (text: string) => string[],
  among: readonly { name: string; leaves: Leaf[] }[],
): string[] {
  return allowed
    .filter((a) => !among.some((f) => f.name === a.file && f.leaves.some((l) => l.key === a.key && rule(l.text).length > 0)))
    .map((a) => `${a.file} ${a.key}: allowed, but nothing there needs it`);
}

// ---------------------------------------------------------------- the real files

/** The text files: `locales/<lang>/*.json`. Files beside the language folders (status.json) hold no text. */
function jsonFiles(dir: string, depth = 0): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path, depth + 1);
      return depth > 0 && name.endsWith('.json') ? [path] : [];
    });
}

const files = jsonFiles(LOCALES).map((path) => {
  const name = relative(ROOT, path).split(sep).join('/');
  const source = readFileSync(path, 'utf8');
  let tree: unknown;
  try {
    tree = JSON.parse(source);
  } catch {
    tree = undefined;
  }
  return { name, source, tree, leaves: leavesOf(tree) };
});

/** `file key: what` for every leaf a rule flags, minus the allowed keys. */
function findings(rule: (text: string) => string[], allowed: readonly { file: string; key: string }[] = []): string[] {
  return files.flatMap((f) =>
    f.leaves
      .filter((l) => !allowed.some((a) => a.file === f.name && a.key === l.key))
      .flatMap((l) => rule(l.text).map((hit) => `${f.name} ${l.key}: "${hit}"`)),
  );
}

const langOf = (name: string) => name.split('/')[1]!;
const nsOf = (name: string) => name.split('/').slice(2).join('/');

describe('the rules bite on small fixtures', () => {
  it('finds "illegal" about people, and any "illegal" for the allow-list', () => {
    expect(illegalPeople('Illegal migrants can get help.')).toEqual(['Illegal migrants']);
    expect(illegalPeople('You are not one of the illegals.')).toEqual(['illegals']);
    expect(illegalPeople('Help for illegal migrant workers and illegally staying people')).toEqual([
      'illegal migrant workers',
    ]);
    expect(illegalPeople('Help for illegal-immigrants.')).toEqual(['illegal-immigrants']);
    expect(illegalPeople('Irregular or undocumented migrants can get help.')).toEqual([]);
    expect(illegalPeople('The agent charged an illegal fee.')).toEqual([]);
    expect(anyIllegal('The agent charged an illegal fee.')).toEqual(['illegal']);
    expect(anyIllegal('Holding a passport is illegally done.')).toEqual(['illegally']);
    expect(anyIllegal('Fees that are not allowed')).toEqual([]);
  });

  it('finds labels such as "trafficked" and "victim"', () => {
    expect(labels('If you were trafficked, call us.')).toEqual(['trafficked']);
    expect(labels('Help for victims of abuse.')).toEqual(['victims']);
    expect(labels('A Victim can ask for help.')).toEqual(['Victim']);
    expect(labels('Advice to protect yourself from traffickers.')).toEqual([]);
  });

  it('finds advice to migrate or not to migrate, and leaves other advice alone', () => {
    for (const advice of [
      'You should not go abroad.',
      'You should go.',
      'You should migrate now.',
      'You should not leave, you need to work.',
      "Don't go abroad without a job.",
      'Do not migrate.',
      'Please stay home.',
      'It is safer to stay at home.',
      'It is better to work abroad.',
      'You must leave your country.',
      'Think twice before going abroad.',
      'Please reconsider your decision.',
      'Maybe you should not leave.',
    ]) {
      expect([advice, migrationAdvice(advice).length > 0]).toEqual([advice, true]);
    }
    for (const fine of [
      'Before you go: a short checklist to help you stay safe while you travel and work abroad.',
      'You should go to a hospital.',
      'If you can, leave the place and go somewhere safe.',
      'Do not sign anything you do not understand.',
      'Keep your passport with you. Do not leave it with the agent.',
      'I am preparing to go abroad',
      'Your family at home can ask for help.',
    ]) {
      expect([fine, migrationAdvice(fine)]).toEqual([fine, []]);
    }
  });

  it('finds phone numbers, not list positions, amounts, years or placeholders', () => {
    expect(phoneNumbers('Call 999 now.')).toEqual(['999']);
    expect(phoneNumbers('Call 1800-11-3090 or +63 2 8722 1144.')).toEqual(['1800-11-3090', '+63 2 8722 1144']);
    expect(phoneNumbers('Hotline: (02) 8722-1144')).toEqual(['(02) 8722-1144']);
    expect(phoneNumbers('Call 1955 in Taiwan.')).toEqual(['1955']);
    expect(phoneNumbers('Police 999, ambulance 998.')).toEqual(['999', '998']);
    expect(phoneNumbers('{{step}}/{{total}} · Your papers, step 2/8')).toEqual([]);
    expect(phoneNumbers('Call {{number}} now, 24 hours a day.')).toEqual([]);
    expect(phoneNumbers('A fine of up to QR 25,000, or 25,000 riyals.')).toEqual([]);
    expect(phoneNumbers('The law of 2015, in force since 2022, Decree-Law 33/2021.')).toEqual([]);
    expect(phoneNumbers('For example: March 2024, or 2024.')).toEqual(['2024']);
  });

  it('finds URLs, bare domains and email addresses', () => {
    expect(urls('See https://familylinks.icrc.org/ for more.')).toEqual(['https://familylinks.icrc.org/']);
    expect(urls('Go to www.redcross.org.ph today.')).toEqual(['www.redcross.org.ph']);
    expect(urls('Look on familylinks.icrc.org or redcross.org.hk/en.')).toEqual(['familylinks.icrc.org', 'redcross.org.hk/en']);
    expect(urls('Write to help@redcross.sg.')).toEqual(['help@redcross.sg']);
    expect(urls('Look on its website. Open {{url}}. Then, go on.')).toEqual([]);
  });

  it('compares placeholders and nesting with English, key by key', () => {
    const english = { a: 'Call {{number}} in {{country}}.', b: 'See $t(menu:topics.contacts).', c: 'Hello', words: ['hi'] };
    expect(
      placeholderProblems(english, {
        a: 'Tumawag sa {{number}} sa {{ country }}.',
        b: 'Tingnan ang $t(menu:topics.contacts).',
        c: 'Kumusta',
        words: ['kumusta', 'hoy'],
      }),
    ).toEqual([]);
    expect(
      placeholderProblems(english, {
        a: 'Tumawag sa {{numero}} sa {{country}}.',
        b: 'Tingnan ang menu.',
        c: 'Kumusta {{name}}',
        d: 'dagdag',
      }),
    ).toEqual([
      'a: uses {{country}} {{numero}}, English uses {{country}} {{number}}',
      'b: uses nothing, English uses $t(menu:topics.contacts)',
      'c: uses {{name}}, English uses nothing',
      'd: not in English',
    ]);
  });

  it('reports allow-list entries that nothing needs any more', () => {
    const among = [{ name: 'locales/en/x.json', leaves: [{ key: 'fee', text: 'an illegal fee' }, { key: 'ok', text: 'fees that are not allowed' }] }];
    const allowed = [
      { file: 'locales/en/x.json', key: 'fee', reason: 'about a fee' },
      { file: 'locales/en/x.json', key: 'ok', reason: 'reworded since' },
      { file: 'locales/en/x.json', key: 'gone', reason: 'removed since' },
    ];
    expect(unneeded(allowed, anyIllegal, among)).toEqual([
      'locales/en/x.json ok: allowed, but nothing there needs it',
      'locales/en/x.json gone: allowed, but nothing there needs it',
    ]);
  });

  it('checks a short form against the English label it shortens', () => {
    const english = new Map<string, unknown>([
      ['menu.json', { topics: { rfl: 'Find a family member (RFL)' } }],
      ['countries.json', { greeting: 'Hello {{name}}, from {{country}}' }],
      [SHORT_FILE, { menu: { topics: { rfl: 'Find family' } } }],
    ]);
    const translated = {
      menu: { topics: { rfl: 'Hanapin ang kaanak', gone: 'Wala na' } },
      countries: { greeting: 'Hi {{name}}' },
    };
    expect(placeholderProblems(shortSource(english), translated)).toEqual([
      'menu.topics.gone: not in English',
      'countries.greeting: uses {{name}}, English uses {{country}} {{name}}',
    ]);
  });

  it('finds files that are not JSON or hold other values than strings and lists of strings', () => {
    expect(shapeProblems('{"a": "x", "b": {"c": ["y", "z"]}}')).toEqual([]);
    expect(shapeProblems('{"a": "x",}')[0]).toMatch(/^not valid JSON/);
    expect(shapeProblems('["x"]')).toEqual(['the top level is not an object']);
    expect(shapeProblems('{"a": 3, "b": {"c": null}, "d": ["x", {"e": "y"}], "f": true}')).toEqual([
      'a: number is not a string, a list of strings or an object',
      'b.c: null is not a string, a list of strings or an object',
      'd[1]: a list may only hold strings',
      'f: boolean is not a string, a list of strings or an object',
    ]);
  });
});

describe('locale files', () => {
  it('are found', () => {
    expect(files.map((f) => f.name)).toContain(`locales/${ENGLISH}/common.json`);
  });

  it('are valid JSON made of objects, strings and lists of strings', () => {
    expect(files.flatMap((f) => shapeProblems(f.source).map((p) => `${f.name} ${p}`))).toEqual([]);
  });

  it('never call people "illegal" (say "irregular" or "undocumented")', () => {
    expect(findings(illegalPeople)).toEqual([]);
  });

  it('use "illegal" only where the allow-list gives a reason (prefer "not allowed")', () => {
    expect(findings(anyIllegal, ILLEGAL_ALLOWED)).toEqual([]);
  });

  it('keep no allow-list entry that is no longer needed', () => {
    expect([...unneeded(ILLEGAL_ALLOWED, anyIllegal, files), ...unneeded(DIGITS_ALLOWED, phoneNumbers, files)]).toEqual([]);
  });

  it('never label anyone "trafficked" or a "victim"', () => {
    expect(findings(labels)).toEqual([]);
  });

  it('never tell people to migrate or not to migrate', () => {
    expect(findings(migrationAdvice)).toEqual([]);
  });

  it('hold no phone numbers (numbers come from the directory, through {{placeholders}})', () => {
    expect(findings(phoneNumbers, DIGITS_ALLOWED)).toEqual([]);
  });

  it('hold no URLs (links come from the directory or settings)', () => {
    expect(findings(urls)).toEqual([]);
  });

  it('use the same placeholders and nesting as English in every translation, and short forms as their labels', () => {
    const english = new Map(files.filter((f) => langOf(f.name) === ENGLISH).map((f) => [nsOf(f.name), f.tree]));
    const problems = files
      .filter((f) => langOf(f.name) !== ENGLISH || nsOf(f.name) === SHORT_FILE)
      .flatMap((f) => {
        const source = nsOf(f.name) === SHORT_FILE ? shortSource(english) : english.get(nsOf(f.name));
        if (source === undefined) return [`${f.name}: no English file ${nsOf(f.name)}`];
        return placeholderProblems(source, f.tree).map((p) => `${f.name} ${p}`);
      });
    expect(problems).toEqual([]);
  });
});
