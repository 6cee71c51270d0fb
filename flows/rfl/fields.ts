import type { AnswerKind } from './validate';

/**
 * The minimal tracing information, in the order it is asked (facts.md §3):
 * first about the person sought, then about the enquirer. Each id is also
 * its locale key (`rfl:ask.<id>`, `rfl:field.<id>`) and its name in the
 * submitted request.
 */
export const SOUGHT_FIELDS = ['fullName', 'ageOrBirthDate', 'lastPlace', 'lastContact', 'circumstances'] as const;
export const ENQUIRER_FIELDS = ['relationship', 'contact'] as const;
export const FIELDS = [...SOUGHT_FIELDS, ...ENQUIRER_FIELDS] as const;

export type Field = (typeof FIELDS)[number];

export const FIELD_KIND: Record<Field, AnswerKind> = {
  fullName: 'text',
  ageOrBirthDate: 'age',
  lastPlace: 'text',
  lastContact: 'text',
  circumstances: 'text',
  relationship: 'text',
  contact: 'contact',
};

/** Answers so far; a skipped question has no entry. */
export type Answers = Partial<Record<Field, string>>;
