import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n as I18nInstance, type Resource } from 'i18next';
import { z } from 'zod';
import type { Params } from '../../flows/types';

export const FALLBACK_LOCALE = 'en';

/** A bound on kept texts; the locale files hold a few thousand, so it is only reached by many numeric parameters. */
const MAX_KEPT_TEXTS = 20_000;

/** Whether a fluent speaker has reviewed a language's files, from locales/status.json. */
export const LocaleStatusSchema = z.record(z.string(), z.enum(['reviewed', 'draft']));
export type LocaleStatus = z.infer<typeof LocaleStatusSchema>;

export function loadLocaleStatus(dir: string): LocaleStatus {
  const path = join(dir, 'status.json');
  const parsed = LocaleStatusSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

// A locale file is nested objects of strings; arrays hold word lists (commands).
type LocaleTree = { [key: string]: string | string[] | LocaleTree };
const LocaleTreeSchema: z.ZodType<LocaleTree> = z.lazy(() =>
  z.record(z.string(), z.union([z.string(), z.array(z.string()), LocaleTreeSchema])),
);

/** Reads `<dir>/<lang>/<namespace>.json`; a malformed file stops start-up with its path. */
export function loadLocaleResources(dir: string): Resource {
  const resources: Resource = {};
  for (const lang of readdirSync(dir).sort()) {
    if (!statSync(join(dir, lang)).isDirectory()) continue;
    const namespaces: Record<string, LocaleTree> = {};
    for (const file of readdirSync(join(dir, lang)).sort()) {
      if (!file.endsWith('.json')) continue;
      const path = join(dir, lang, file);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new Error(`${path}: not valid JSON (${(err as Error).message})`);
      }
      const parsed = LocaleTreeSchema.safeParse(json);
      if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      namespaces[file.slice(0, -'.json'.length)] = parsed.data;
    }
    resources[lang] = namespaces;
  }
  if (!resources[FALLBACK_LOCALE]) throw new Error(`${dir}: no '${FALLBACK_LOCALE}' locale`);
  return resources;
}

/** The engine's translator: one i18next instance, initialised synchronously. */
export class Translator {
  private readonly i18n: I18nInstance;
  readonly locales: readonly string[];

  constructor(
    resources: Resource,
    private readonly status: LocaleStatus = {},
  ) {
    this.locales = Object.keys(resources);
    const unlisted = this.locales.filter((l) => status[l] === undefined);
    if (Object.keys(status).length > 0 && unlisted.length > 0) {
      throw new Error(`locales/status.json does not list: ${unlisted.join(', ')}`);
    }
    this.i18n = i18next.createInstance();
    void this.i18n.init({
      resources,
      lng: FALLBACK_LOCALE,
      fallbackLng: FALLBACK_LOCALE,
      supportedLngs: [...this.locales],
      ns: [...new Set(this.locales.flatMap((l) => Object.keys(resources[l] ?? {})))],
      defaultNS: 'common',
      initAsync: false,
      returnNull: false,
      // Replies are plain text for chat apps; channels escape for their own markup.
      interpolation: { escapeValue: false },
    });
  }

  has(key: string, locale: string): boolean {
    return this.i18n.exists(key, { lng: locale });
  }

  /** Whether this language itself has the key, not through the English fallback. */
  hasOwn(key: string, locale: string): boolean {
    const id = `${locale}\u0000${key}`;
    let own = this.owned.get(id);
    if (own === undefined) {
      const colon = key.indexOf(':');
      own = colon > 0 && typeof this.i18n.getResource(locale, key.slice(0, colon), key.slice(colon + 1)) === 'string';
      if (this.owned.size >= MAX_KEPT_TEXTS) this.owned.clear();
      this.owned.set(id, own);
    }
    return own;
  }

  /** hasOwn's answers: asked for every offered choice of every typed answer. */
  private readonly owned = new Map<string, boolean>();

  t(key: string, locale: string, params?: Params): string {
    // Only texts that depend on nothing a person typed are kept: parameters may hold answers (a name, a place).
    const shared = params === undefined || Object.values(params).every((v) => typeof v === 'number');
    if (!shared) return this.i18n.t(key, this.options(params, locale));
    const id = params === undefined ? `${locale}\u0000${key}` : `${locale}\u0000${key}\u0000${JSON.stringify(params)}`;
    let text = this.texts.get(id);
    if (text === undefined) {
      text = this.i18n.t(key, this.options(params, locale));
      if (this.texts.size >= MAX_KEPT_TEXTS) this.texts.clear();
      this.texts.set(id, text);
    }
    return text;
  }

  /**
   * Texts already made, by locale, key and numeric parameters: every turn
   * renders the same prompts and choice labels, and i18next's lookup,
   * nesting and interpolation cost more than the rest of a turn's rendering.
   */
  private readonly texts = new Map<string, string>();

  /**
   * i18next's options: the language, and the parameters with nested phrases
   * translated, so i18next only ever sees strings. Plain values (numbers,
   * URLs, names) are isolated in right-to-left languages.
   */
  private options(params: Params | undefined, locale: string): Record<string, string | number> {
    const out: Record<string, string | number> = {};
    if (params) {
      const rtl = this.dir(locale) === 'rtl';
      for (const [name, value] of Object.entries(params)) {
        if (typeof value === 'string' || typeof value === 'number') out[name] = rtl ? `\u2068${value}\u2069` : value;
        else if (Array.isArray(value)) out[name] = value.map((p) => this.t(p.key, locale, p.params)).join('\n');
        else out[name] = this.t(value.key, locale, value.params);
      }
    }
    // Last, so that no parameter can stand for it; assigned, not spread after the others (see turnIncrements).
    out.lng = locale;
    return out;
  }

  /**
   * The words of a list key in every language at once, each passed through
   * `fold`: built on first use and kept, since every message is checked
   * against the command and danger words.
   */
  allWords(key: string, fold: (word: string) => string): readonly string[] {
    let words = this.wordCache.get(key);
    if (!words) {
      words = [...new Set(this.locales.flatMap((locale) => this.list(key, locale).map(fold)))];
      this.wordCache.set(key, words);
    }
    return words;
  }

  private readonly wordCache = new Map<string, readonly string[]>();

  /** A word list (e.g. the words for `menu`), empty if the key is missing. */
  list(key: string, locale: string): string[] {
    const value: unknown = this.i18n.t(key, { lng: locale, returnObjects: true });
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  }

  dir(locale: string): 'ltr' | 'rtl' {
    let dir = this.dirs.get(locale);
    if (dir === undefined) {
      dir = this.i18n.dir(locale);
      if (this.isSupported(locale)) this.dirs.set(locale, dir);
    }
    return dir;
  }

  private readonly dirs = new Map<string, 'ltr' | 'rtl'>();

  /** Not yet reviewed by a fluent speaker: the person is told once. */
  isDraft(locale: string): boolean {
    return this.status[locale] === 'draft';
  }

  isSupported(locale: string): boolean {
    return this.locales.includes(locale);
  }
}
