import { join } from 'node:path';
import type { Params } from '../../flows/types';
import type { OutboundMessage } from '../../src/conversation/channel';
import { Translator, loadLocaleResources, loadLocaleStatus } from '../../src/conversation/i18n';

export const LOCALES_DIR = join(__dirname, '..', '..', 'locales');

/** The real locale files, loaded once per test file. */
export const resources = loadLocaleResources(LOCALES_DIR);
export const translator = new Translator(resources);
/** The same, knowing which languages are drafts, as the app runs. */
export const statusTranslator = new Translator(resources, loadLocaleStatus(LOCALES_DIR));

/** A locale key as English text, rendered by the real translator (nesting and all). */
export function english(key: string, params?: Params): string {
  return translator.t(key, 'en', params);
}

/** The English string a key names, or undefined when it is missing or not a string. */
export function englishTemplate(key: string): string | undefined {
  const [ns, path] = key.includes(':') ? (key.split(':', 2) as [string, string]) : ['common', key];
  let node: unknown = resources.en?.[ns];
  for (const part of path.split('.')) {
    const branch = typeof node === 'object' && node !== null && !Array.isArray(node);
    node = branch ? (node as Record<string, unknown>)[part] : undefined;
  }
  return typeof node === 'string' ? node : undefined;
}

/** The `{{name}}` placeholders a template needs (`{{name, format}}` counts as `name`). */
export function placeholders(template: string): string[] {
  return [...template.matchAll(/\{\{\s*([^,}\s]+)[^}]*\}\}/g)].map((m) => m[1]!);
}

/** Keys a template includes with i18next nesting, `$t(menu:topics.contacts)`. */
export function nestedKeys(template: string): string[] {
  return [...template.matchAll(/\$t\(([^,)]+)/g)].map((m) => m[1]!.trim());
}

interface KeyPattern {
  key: string;
  pattern: RegExp;
  /** Characters of fixed text: the more, the more specific the match. */
  weight: number;
}

function stringKeys(tree: unknown, prefix: string): string[] {
  if (typeof tree === 'string') return [prefix];
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) return [];
  return Object.entries(tree).flatMap(([k, v]) => stringKeys(v, prefix.endsWith(':') ? prefix + k : `${prefix}.${k}`));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Every English string as a pattern over a rendered message: its text with
 * any parameter values, optionally followed by the numbered list or links the
 * renderer appends after a blank line.
 */
const patterns: KeyPattern[] = Object.entries(resources.en ?? {}).flatMap(([ns, tree]) =>
  stringKeys(tree, `${ns}:`).map((key): KeyPattern => {
    const names = placeholders(englishTemplate(key) ?? '');
    const marker = (name: string) => `\u0001${name}\u0001`;
    const rendered = english(key, Object.fromEntries(names.map((n) => [n, marker(n)])));
    let source = escape(rendered);
    for (const n of names) source = source.split(escape(marker(n))).join('[\\s\\S]*?');
    const weight = names.reduce((len, n) => len.split(marker(n)).join(''), rendered).length;
    return { key, pattern: new RegExp(`^${source}(?:\\n\\n[\\s\\S]*)?$`), weight };
  }),
);

/** The locale key a rendered message was made from, or undefined if none fits. */
export function keyOf(text: string): string | undefined {
  let best: KeyPattern | undefined;
  for (const p of patterns) if (p.pattern.test(text) && (!best || p.weight > best.weight)) best = p;
  return best?.key;
}

/** The locale keys behind some replies, in order; an unknown text shows as `?<text>`. */
export function keysOf(replies: readonly OutboundMessage[]): string[] {
  return replies.map((r) => keyOf(r.text) ?? `?${r.text}`);
}

/** Whether a reply renders this key (with exactly these params, if given). */
export function rendersKey(reply: OutboundMessage, key: string, params?: Params): boolean {
  if (params === undefined) return keyOf(reply.text) === key;
  const expected = english(key, params);
  return reply.text === expected || reply.text.startsWith(`${expected}\n\n`);
}
