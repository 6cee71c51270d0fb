import type { FlowEnv, Output, Phrase, Submission } from '../types';
import { ENQUIRER_FIELDS, FIELDS, SOUGHT_FIELDS, type Answers, type Field } from './fields';

export const RFL_FLOW = 'rfl';
export const SUBMISSION_KIND = 'rfl-tracing-request';

/**
 * The consent text the person agreed to, by its locale key. When its wording
 * changes in substance, give it a new key, so each request shows which text
 * was agreed to.
 */
export const CONSENT_KEY = 'rfl:consent';

const pick = (answers: Answers, fields: readonly Field[]): Partial<Record<Field, string>> =>
  Object.fromEntries(fields.flatMap((f) => (answers[f] === undefined ? [] : [[f, answers[f]]])));

/** The request as handed to caseworkers: only what was answered, with the consent and where the person is. */
export function tracingRequest(answers: Answers, consentKey: string, env: FlowEnv): Submission {
  return {
    kind: SUBMISSION_KIND,
    data: {
      sought: pick(answers, SOUGHT_FIELDS),
      enquirer: pick(answers, ENQUIRER_FIELDS),
      consent: { given: true, key: consentKey },
      countries: { current: env.country ?? null, origin: env.origin ?? null },
      locale: env.locale,
    },
  };
}

/** One line per question: the answers stay parameters, never part of a locale key. */
const summaryLines = (answers: Answers, fields: readonly Field[]): Phrase[] =>
  fields.map((f) => ({
    key: 'rfl:summary.line',
    params: { field: { key: `rfl:field.${f}` }, answer: answers[f] ?? { key: 'rfl:summary.skipped' } },
  }));

/** What will be sent, in two messages (the person sought, then the enquirer), so each stays short. */
export const soughtSummary = (answers: Answers): Output => ({
  key: 'rfl:summary.sought',
  params: { lines: summaryLines(answers, SOUGHT_FIELDS) },
});

export const enquirerSummary = (answers: Answers): Output => ({
  key: 'rfl:summary.enquirer',
  params: { lines: summaryLines(answers, ENQUIRER_FIELDS) },
});

/** The step where the person sees their answers and may send them. */
export const RFL_REVIEW = 'review';

/**
 * The tracing request waiting at the review step for the person's yes to a
 * caseworker, read from the flow's stored snapshot: what the handoff takes
 * with an RFL case. Nothing unless the RFL flow is at its review step with
 * the consent to write the request recorded.
 */
export function pendingRequest(flow: { id: string; snapshot: unknown } | null, env: FlowEnv): Submission | undefined {
  if (flow?.id !== RFL_FLOW) return undefined;
  const snapshot = flow.snapshot as { value?: unknown; context?: { answers?: unknown; consent?: unknown } } | null;
  if (!snapshot || snapshot.value !== RFL_REVIEW || snapshot.context?.consent !== CONSENT_KEY) return undefined;
  const raw = snapshot.context.answers;
  if (typeof raw !== 'object' || raw === null) return undefined;
  const answers: Answers = Object.fromEntries(
    FIELDS.flatMap((f) => {
      const value = (raw as Record<string, unknown>)[f];
      return typeof value === 'string' ? [[f, value]] : [];
    }),
  );
  return tracingRequest(answers, CONSENT_KEY, env);
}
