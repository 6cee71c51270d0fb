import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n as I18nInstance, type Resource } from 'i18next';
import { z } from 'zod';
import type { Params } from '../../flows/types';

export const FALLBACK_LOCALE = 'en';

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
    const colon = key.indexOf(':');
    if (colon <= 0) return false;
    return typeof this.i18n.getResource(locale, key.slice(0, colon), key.slice(colon + 1)) === 'string';
  }

  t(key: string, locale: string, params?: Params): string {
    return this.i18n.t(key, { ...this.resolve(params, locale), lng: locale });
  }

  /**
   * Translates nested phrases, so i18next only ever sees strings. Plain
   * values (numbers, URLs, names) are isolated in right-to-left languages.
   */
  private resolve(params: Params | undefined, locale: string): Record<string, string | number> | undefined {
    if (!params) return undefined;
    const rtl = this.dir(locale) === 'rtl';
    const out: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(params)) {
      if (typeof value === 'string' || typeof value === 'number') out[name] = rtl ? `\u2068${value}\u2069` : value;
      else if (Array.isArray(value)) out[name] = value.map((p) => this.t(p.key, locale, p.params)).join('\n');
      else out[name] = this.t(value.key, locale, value.params);
    }
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
    return this.i18n.dir(locale);
  }

  /** Not yet reviewed by a fluent speaker: the person is told once. */
  isDraft(locale: string): boolean {
    return this.status[locale] === 'draft';
  }

  isSupported(locale: string): boolean {
    return this.locales.includes(locale);
  }
}
