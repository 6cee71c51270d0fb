import type { Choice, Output } from '../../flows/types';
import type { Capabilities, OutboundMessage } from './channel';
import type { Translator } from './i18n';

/**
 * Turns outputs (locale keys) into messages a channel can show: text in the
 * person's language, buttons where the channel has them and they fit, a
 * numbered list where not, and text split to the channel's length limit.
 */
export function render(
  outputs: readonly Output[],
  locale: string,
  caps: Capabilities,
  tr: Translator,
): OutboundMessage[] {
  // A loop, not flatMap: Node 20's flatMap costs about 0.3 µs even for a turn's one or two outputs.
  const messages: OutboundMessage[] = [];
  for (const output of outputs) {
    const lng = output.locale ?? locale;
    const dir = tr.dir(lng);
    let text = tr.t(output.key, lng, output.params);
    const labels = (output.choices ?? []).map((c) => buttonLabel(c, lng, caps.maxButtonLabel, tr));
    const asButtons =
      caps.buttons &&
      labels.length > 0 &&
      labels.length <= caps.maxButtons &&
      labels.every((l) => l.length <= caps.maxButtonLabel);
    // A numbered list has room for every label in full; short forms are for buttons.
    if (labels.length > 0 && !asButtons) {
      text += '\n\n' + numberedList((output.choices ?? []).map((c) => tr.t(c.label, lng, c.params)));
    }

    const links = (output.links ?? []).map((l) => ({ label: tr.t(l.label, lng, l.params), url: l.url }));
    if (links.length > 0 && !caps.linkButtons) {
      text += '\n\n' + links.map((l) => `${l.label}: ${isolate(l.url, dir)}`).join('\n');
    }

    const parts = splitText(text, caps.maxTextLength);
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      const message: OutboundMessage = { text: part, locale: lng, dir };
      if (i === 0 && output.clearChat) message.clearBefore = true;
      if (last && asButtons) {
        message.buttons = (output.choices ?? []).map((c, j) => ({ label: labels[j] ?? c.label, payload: c.payload }));
      }
      if (last && links.length > 0 && caps.linkButtons) message.links = links;
      messages.push(message);
    });
  }
  return messages;
}

/**
 * A choice's label as a button shows it: the full label when it fits, else
 * its short form (`short:<namespace>.<key>`, written for channels with tight
 * limits such as WhatsApp's 20 characters) when this language has one that fits.
 */
export function buttonLabel(choice: Choice, lng: string, max: number, tr: Translator): string {
  const label = tr.t(choice.label, lng, choice.params);
  if (label.length <= max) return label;
  const short = shortLabelKey(choice.label);
  if (short === undefined || !tr.hasOwn(short, lng)) return label;
  const shortLabel = tr.t(short, lng, choice.params);
  return shortLabel.length <= max ? shortLabel : label;
}

/** `menu:audience.preparing` → `short:menu.audience.preparing`. */
export function shortLabelKey(key: string): string | undefined {
  const colon = key.indexOf(':');
  if (colon <= 0) return undefined;
  return `short:${key.slice(0, colon)}.${key.slice(colon + 1)}`;
}

/**
 * In right-to-left text, a number, URL or Latin name is wrapped in Unicode
 * isolates (FSI … PDI) so that chat apps do not reorder its characters.
 */
export function isolate(value: string, dir: 'ltr' | 'rtl'): string {
  return dir === 'rtl' ? `\u2068${value}\u2069` : value;
}

export function numberedList(labels: readonly string[]): string {
  return labels.map((label, i) => `${i + 1}. ${label}`).join('\n');
}

/** Splits at line boundaries, then at spaces, and only as a last resort inside a word. */
export function splitText(text: string, max: number): string[] {
  if (text.length <= max) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = window.lastIndexOf('\n');
    if (cut <= 0) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[\n ]+/, '');
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/**
 * The choices a typed answer refers to: those of the last message that offered
 * any. It is the question the person is answering, and each message numbers
 * its own choices from 1 (an earlier "Change language" button is also a word
 * command, so nothing is lost by not numbering it on).
 */
export function currentChoices(outputs: readonly Output[]): Choice[] | undefined {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const choices = outputs[i]!.choices;
    if (choices && choices.length > 0) return choices;
  }
  return undefined;
}

/** Letters and digits only, lower-cased: "Next ➜" and "next" are the same answer. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLocaleLowerCase()
    // Urdu typed on an Arabic keyboard: the Arabic forms of yeh, kaf and heh.
    .replace(/\u064A/g, '\u06CC')
    .replace(/\u0643/g, '\u06A9')
    .replace(/\u0647/g, '\u06C1')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Which offered choice a typed answer means: its number, or its label's text
 * in the person's language (or in English, which many people type anyway).
 */
export function matchChoice(
  text: string,
  choices: readonly Choice[],
  locale: string,
  tr: Translator,
  options: { numbers: boolean } = { numbers: true },
): Choice | undefined {
  const typed = normalise(text);
  if (typed === '') return undefined;
  if (/^\d{1,2}$/.test(typed)) return options.numbers ? choices[Number(typed) - 1] : undefined;
  const locales = locale === 'en' ? ['en'] : [locale, 'en'];
  for (const lng of locales) {
    const hit = choices.find((c) => normalisedLabel(tr, c.label, lng, c.params) === typed);
    if (hit) return hit;
    // A button's short label, typed as it was shown.
    const short = choices.find((c) => {
      const key = shortLabelKey(c.label);
      return key !== undefined && tr.hasOwn(key, lng) && normalisedLabel(tr, key, lng, c.params) === typed;
    });
    if (short) return short;
  }
  return undefined;
}

/** Labels as `normalise` folds them, per translator: each typed answer is compared with every offered label. */
const foldedLabels = new WeakMap<Translator, Map<string, string>>();

/** A label's text, normalised; kept when it has no parameters (which may hold what a person typed). */
function normalisedLabel(tr: Translator, key: string, lng: string, params: Choice['params']): string {
  if (params !== undefined) return normalise(tr.t(key, lng, params));
  let kept = foldedLabels.get(tr);
  if (!kept) foldedLabels.set(tr, (kept = new Map()));
  const id = `${lng}\u0000${key}`;
  let folded = kept.get(id);
  if (folded === undefined) {
    folded = normalise(tr.t(key, lng));
    kept.set(id, folded);
  }
  return folded;
}
