import { join } from 'node:path';
import type { Params } from '../../flows/types';
import { Translator, loadLocaleResources } from '../../src/conversation/i18n';

/** One message of the workload: typed text or a pressed button's payload. */
export interface TurnInput {
  text?: string;
  payload?: string;
}

/** A reply as every contender must produce it: the English text of a locale key. */
export interface ExpectedReply {
  key: string;
  params?: Params;
}

/**
 * The packing conversation of six turns (issue 9): hi → menu → packing → yes
 * → next → next. The first message greets and asks where the person is; the
 * typed `menu` leaves that question; the button opens the packing topic; the
 * rest walk the checklist's first steps.
 */
export const PACKING_TURNS: readonly TurnInput[] = [
  { text: 'hi' },
  { text: 'menu' },
  { payload: 'topic.open:packing' },
  { text: 'yes' },
  { text: 'next' },
  { text: 'next' },
];

const STEPS = 8;

/** What each turn must answer, by locale key. */
export const PACKING_EXPECTED: readonly (readonly ExpectedReply[])[] = [
  [{ key: 'common:welcome', params: { language: 'English' } }, { key: 'situation:where' }],
  [{ key: 'menu:prompt' }],
  [{ key: 'packing:intro', params: { total: STEPS } }],
  [{ key: 'packing:documents', params: { step: 1, total: STEPS } }],
  [{ key: 'packing:copies', params: { step: 2, total: STEPS } }],
  [{ key: 'packing:memorise', params: { step: 3, total: STEPS } }],
];

export const LOCALES_DIR = join(__dirname, '..', '..', 'locales');

/** The expected replies as English text, rendered once by the real translator. */
export function expectedTexts(tr: Translator = new Translator(loadLocaleResources(LOCALES_DIR))): string[][] {
  return PACKING_EXPECTED.map((replies) => replies.map((r) => tr.t(r.key, 'en', r.params)));
}

/**
 * Whether one turn's replies are the expected ones: as many messages, each
 * the expected text, or that text followed by what a renderer appends after a
 * blank line (a numbered list of choices).
 */
export function repliesMatch(actual: readonly string[], expected: readonly string[]): boolean {
  if (actual.length !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a !== e && !a.startsWith(`${e}\n\n`)) return false;
  }
  return true;
}
