import { PERSON_OFFER } from '../../flows/shared/person';
import type { Output } from '../../flows/types';
import { CATEGORIES, type Category } from './types';

/** The yes to a caseworker names the category it was offered for, so the case is opened for that. */
export const CONSENT_YES = 'handoff.consent.yes:';
export const CONSENT_NO = 'handoff.consent.no';
/** The contact list (flows/person): people to call or write to now, for whoever wants no caseworker. */
export const OTHER_HELP = 'flow.start:person';

/**
 * The explanations a person says yes to, by locale key: the key is stored
 * with the case as the consent's version, so when a text changes in
 * substance it gets a new key.
 */
export const CONSENT_GENERAL = 'handoff:consent.explain';
export const CONSENT_TRACING = 'handoff:consent.explainRfl';

/** A category from a payload's value, if it is one the handoff knows. */
export function categoryOf(value: string): Category | undefined {
  return (CATEGORIES as readonly string[]).includes(value) ? (value as Category) : undefined;
}

/** The category an offer of a person (`handoff.offer:<category>`) asks for. */
export function offeredCategory(payload: string | undefined): Category | undefined {
  if (!payload?.startsWith(PERSON_OFFER)) return undefined;
  return categoryOf(payload.slice(PERSON_OFFER.length));
}

/** The category a yes (`handoff.consent.yes:<category>`) agrees to. */
export function acceptedCategory(payload: string | undefined): Category | undefined {
  if (!payload?.startsWith(CONSENT_YES)) return undefined;
  return categoryOf(payload.slice(CONSENT_YES.length));
}

/** Which explanation applies: the one naming the tracing details when a tracing request goes with the case. */
export function consentKey(withTracing: boolean): string {
  return withTracing ? CONSENT_TRACING : CONSENT_GENERAL;
}

/**
 * Before any case: who will read (a caseworker of the named organisation),
 * what they get (this conversation from now on, country and language, and
 * the tracing request if there is one), that nothing goes to the police,
 * immigration or employers, and that `stop` ends it. Then yes, no, or the
 * numbers to call instead.
 */
export function consentOutput(category: Category, organisation: string, withTracing: boolean): Output {
  return {
    key: consentKey(withTracing),
    params: { organisation },
    choices: [
      { label: 'handoff:choice.yes', payload: `${CONSENT_YES}${category}` },
      { label: 'handoff:choice.no', payload: CONSENT_NO },
      { label: 'handoff:choice.otherHelp', payload: OTHER_HELP },
    ],
  };
}

