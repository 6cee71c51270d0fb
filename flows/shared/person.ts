import type { Choice } from '../types';

/**
 * Why a person asks for a caseworker, as the offer says it. The handoff
 * (src/handoff) opens the case under this category: danger is urgent, and
 * an RFL case carries the tracing request.
 */
export const PERSON_TOPICS = ['danger', 'passport', 'recruitment', 'familyEmergency', 'rfl', 'wellbeing', 'other'] as const;
export type PersonTopic = (typeof PERSON_TOPICS)[number];

/**
 * The payload prefix of an offer of a person. The engine's handoff step
 * answers it, never a flow: it first explains who reads what and asks for
 * an explicit yes, and only then opens a case.
 */
export const PERSON_OFFER = 'handoff.offer:';

/** "Talk to a person": a caseworker of the Red Cross or Red Crescent, with consent first. */
export function talkToPerson(topic: PersonTopic): Choice {
  return { label: 'common:choice.person', payload: `${PERSON_OFFER}${topic}` };
}
