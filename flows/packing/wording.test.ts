import { english } from '../../test/support/english';
import { TOPICS } from '../menu/topics';
import { PACKING_STEPS } from './steps';

/**
 * The project's wording rules, for the English text of the menu and the
 * checklist: never 'illegal' about people, never a 'trafficked' label, and
 * messages small enough to read on a phone in one go.
 */
const texts: [string, string][] = [
  ...['intro', ...PACKING_STEPS, 'done'].map((k): [string, string] => [k, english(`packing:${k}`, { step: 1, total: PACKING_STEPS.length })]),
  ['menu:prompt', english('menu:prompt')],
  ...TOPICS.map((t): [string, string] => [t.id, english(`menu:topics.${t.id}`)]),
];

describe('menu and packing wording', () => {
  it.each(texts)('%s avoids labels the Red Cross does not use about people', (_key, text) => {
    expect(text).not.toMatch(/\billegal|\btraffick/i);
  });

  it.each(texts)('%s is chat-sized: at most 8 short lines', (_key, text) => {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(text.length).toBeLessThanOrEqual(400);
  });
});
