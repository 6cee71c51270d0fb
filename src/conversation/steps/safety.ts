import type { CountryLookup } from '../../../flows/directory';
import { emergencyOutput } from '../../../flows/shared/numbers';
import type { Output } from '../../../flows/types';
import { normalise } from '../render';
import type { Middleware, Turn } from '../turn';

const UNSPACED = /[\p{Script=Myanmar}\p{Script=Khmer}]/u;

/** The danger words made ready to look for: built once per word list, since every message is checked. */
interface DangerMatcher {
  exact: ReadonlySet<string>;
  /** Words of spaced scripts with a space either side, to be found as whole words. */
  padded: readonly string[];
  /** Burmese and Khmer words, written without spaces between words, found anywhere. */
  unspaced: readonly string[];
}

const matchers = new WeakMap<readonly string[], DangerMatcher>();

function matcherFor(words: readonly string[]): DangerMatcher {
  let matcher = matchers.get(words);
  if (!matcher) {
    matcher = {
      exact: new Set(words),
      padded: words.filter((w) => !UNSPACED.test(w)).map((w) => ` ${w} `),
      unspaced: words.filter((w) => UNSPACED.test(w)),
    };
    matchers.set(words, matcher);
  }
  return matcher;
}

/**
 * Whether a message signals danger: `alarm` when it is nothing but a danger
 * word, `mention` when one stands among other words. Words are data
 * (`safety:words` in every locale, romanised forms too), looked for in every
 * language at once, as whole words. A choice the person picked (a button, its
 * number or its exact label, such as "Family emergency") is a choice.
 */
export function signalsDanger(turn: Turn): 'alarm' | 'mention' | false {
  if (turn.payload === 'cmd.sos') return 'alarm';
  if (turn.payload !== undefined) return false;
  const typed = turn.typed;
  if (typed === '') return false;
  const { exact, padded, unspaced } = matcherFor(turn.tr.allWords('safety:words', normalise));
  if (exact.has(typed)) return 'alarm';
  const spaced = ` ${typed} `;
  for (const word of padded) if (spaced.includes(word)) return 'mention';
  for (const word of unspaced) if (typed.includes(word)) return 'mention';
  return false;
}

/** After the numbers: the danger topic, the question of where the person is if unknown, and the menu. */
export function dangerOffer(turn: Turn): Output {
  return {
    key: 'safety:offer',
    choices: [
      { label: 'safety:choice.danger', payload: 'flow.start:danger' },
      ...(turn.record.country.current ? [] : [{ label: 'common:choice.country', payload: 'cmd.country' }]),
      { label: 'common:choice.menu', payload: 'cmd.menu' },
    ],
  };
}

/**
 * First in the chain: a message that signals danger gets the local emergency
 * number before anything else, whatever flow is running, then the offer of
 * the danger topic. The running flow is left as it was. During a case the
 * number still comes first; the message then goes on to the handoff step,
 * which passes it to the caseworker and marks the case urgent.
 */
export function safety(countries: CountryLookup): Middleware {
  return async (turn, next) => {
    const danger = signalsDanger(turn);
    if (!danger) return next();
    turn.sos = danger;
    turn.facts.push({ type: 'sos' });
    turn.log.info({ event: 'sos', country: turn.record.country.current ?? null });
    turn.say(emergencyOutput(countries, turn.record.country.current));
    if (turn.record.caseId !== undefined) return next();
    // An answer to a typed question that mentions danger ("we lost contact in
    // an emergency") is still an answer: the numbers first, then the flow takes
    // it. A message that is nothing but the alarm is never taken as an answer.
    if (danger === 'mention' && turn.expectsText) return next();
    turn.say(dangerOffer(turn));
  };
}
