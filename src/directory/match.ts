import type { Directory } from './directory';
import { editDistance, isLatin, normalise } from './normalise';

/** Names shorter than this are matched exactly only: one typo in "Oman" is another word. */
const FUZZY_MIN_LENGTH = 5;
/** Text beyond this is not searched: a country is named early, and edit distance is not free. */
const MAX_TEXT = 600;

interface Entry {
  /** null for an exclusion: a phrase that contains a name but means no country here. */
  code: string | null;
  folded: string;
  /** The folded name without spaces, so "hongkong" and "u.a.e." meet "Hong Kong" and "UAE". */
  compact: string;
  words: number;
  latin: boolean;
  fuzzy: boolean;
}

interface Index {
  codes: Set<string>;
  /** Latin entries by compact form. */
  exact: Map<string, Entry[]>;
  fuzzy: Entry[];
  /** Other scripts are often written without spaces, so these are found as substrings. */
  scripts: Entry[];
  maxWords: number;
}

interface Hit {
  code: string | null;
  start: number;
  end: number;
}

const indexes = new WeakMap<Directory, Index>();

function entry(code: string | null, name: string, fuzzy: boolean): Entry | undefined {
  const folded = normalise(name);
  if (!folded) return undefined;
  const compact = folded.replace(/ /g, '');
  const latin = isLatin(folded);
  return {
    code,
    folded,
    compact,
    words: folded.split(' ').length,
    latin,
    fuzzy: fuzzy && latin && compact.length >= FUZZY_MIN_LENGTH,
  };
}

function buildIndex(directory: Directory): Index {
  const index: Index = { codes: new Set(), exact: new Map(), fuzzy: [], scripts: [], maxWords: 1 };
  for (const c of directory.all()) {
    index.codes.add(c.code);
    const entries = [
      ...c.names.map((n) => entry(c.code, n, true)),
      ...(c.places ?? []).map((n) => entry(c.code, n, false)),
      ...(c.excludes ?? []).map((n) => entry(null, n, false)),
    ];
    for (const e of entries) {
      if (!e) continue;
      if (!e.latin) {
        index.scripts.push(e);
        continue;
      }
      index.exact.set(e.compact, [...(index.exact.get(e.compact) ?? []), e]);
      if (e.fuzzy) index.fuzzy.push(e);
      index.maxWords = Math.max(index.maxWords, e.words);
    }
  }
  return index;
}

function indexFor(directory: Directory): Index {
  let index = indexes.get(directory);
  if (!index) {
    index = buildIndex(directory);
    indexes.set(directory, index);
  }
  return index;
}

interface Word {
  text: string;
  start: number;
  end: number;
}

function words(folded: string): Word[] {
  const out: Word[] = [];
  for (const m of folded.matchAll(/\S+/g)) out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  return out;
}

/** Runs of up to `max` neighbouring words, joined without spaces. */
function* grams(ws: readonly Word[], max: number): Generator<Hit & { compact: string; words: number }> {
  for (let i = 0; i < ws.length; i++) {
    let compact = '';
    for (let n = 1; n <= max && i + n <= ws.length; n++) {
      const w = ws[i + n - 1] as Word;
      compact += w.text;
      yield { code: null, start: (ws[i] as Word).start, end: w.end, compact, words: n };
    }
  }
}

function exactHits(folded: string, ws: readonly Word[], index: Index): Hit[] {
  const hits: Hit[] = [];
  for (const g of grams(ws, index.maxWords + 2)) {
    for (const e of index.exact.get(g.compact) ?? []) hits.push({ code: e.code, start: g.start, end: g.end });
  }
  for (const e of index.scripts) {
    for (let at = folded.indexOf(e.folded); at >= 0; at = folded.indexOf(e.folded, at + 1)) {
      hits.push({ code: e.code, start: at, end: at + e.folded.length });
    }
  }
  return hits;
}

/**
 * A changed letter in a five-letter name too often makes a common word
 * ("jalan" is not Japan, "studi" is not Saudi), so short names only forgive
 * a missing, extra or swapped letter.
 */
const SUBSTITUTION_MIN_LENGTH = 6;

function substitutionAllowed(name: string): boolean {
  return name.length >= SUBSTITUTION_MIN_LENGTH;
}

/** Same length and one edit apart, but not two neighbours swapped. */
function isSubstitution(typed: string, name: string): boolean {
  return typed.length === name.length && [...typed].sort().join('') !== [...name].sort().join('');
}

function fuzzyHits(ws: readonly Word[], index: Index): Hit[] {
  const hits: Hit[] = [];
  for (const g of grams(ws, index.maxWords + 1)) {
    if (g.compact.length < FUZZY_MIN_LENGTH - 1) continue;
    for (const e of index.fuzzy) {
      // A run of words may only stand for a name of about as many words, so "in dia" is not India.
      if (g.words > e.words + 1) continue;
      if (editDistance(g.compact, e.compact, 1) > 1) continue;
      if (!substitutionAllowed(e.compact) && isSubstitution(g.compact, e.compact)) continue;
      hits.push({ code: e.code, start: g.start, end: g.end });
    }
  }
  return hits;
}

/** Drops hits inside a longer hit: "Little India" is Singapore, "North Korea" is no country here. */
function codesOf(hits: readonly Hit[]): string[] {
  const kept = hits.filter(
    (h) => !hits.some((o) => o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start),
  );
  const codes: string[] = [];
  for (const h of [...kept].sort((a, b) => a.start - b.start)) {
    if (h.code !== null && !codes.includes(h.code)) codes.push(h.code);
  }
  return codes;
}

/**
 * Every country named in the text, in the order they appear. Exact names win;
 * names with one typo are tried only when nothing matched exactly. A message
 * that is only an ISO code ("ph", "AE") names that country.
 */
export function matchCountries(text: string, directory: Directory): string[] {
  const index = indexFor(directory);
  const folded = normalise(text.slice(0, MAX_TEXT));
  if (/^[a-z]{2}$/.test(folded) && index.codes.has(folded.toUpperCase())) return [folded.toUpperCase()];
  const ws = words(folded);
  const exact = exactHits(folded, ws, index);
  const codes = codesOf(exact);
  if (codes.length > 0) return codes;
  const exclusions = exact.filter((h) => h.code === null);
  return codesOf([...exclusions, ...fuzzyHits(ws, index)]);
}

/** The one country the text names, or undefined when it names none or several. */
export function matchCountry(text: string, directory: Directory): string | undefined {
  const codes = matchCountries(text, directory);
  return codes.length === 1 ? codes[0] : undefined;
}
