import type { CountryLookup } from '../directory';
import { countryName, numberPhrase } from '../shared/numbers';
import type { FlowEnv, Output, Phrase, Submission } from '../types';
import { ENQUIRER_FIELDS, SOUGHT_FIELDS, type Answers, type Field } from './fields';

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

/** What happens next: a caseworker calls back only if the person left a way to reach them. */
export function sentOutput(answers: Answers): Output {
  return { key: answers.contact === undefined ? 'rfl:sentNoContact' : 'rfl:sent' };
}

/** The Red Cross or Red Crescent where the person is and where they are from, as far as the directory knows. */
export function societiesOutput(countries: CountryLookup, env: FlowEnv): Output {
  const codes = [...new Set([env.country, env.origin].filter((c): c is string => c !== undefined))];
  const lines = codes.flatMap((code): Phrase[] => {
    const country = countries.get(code);
    const society = country?.nationalSociety;
    if (!country || !society) return [];
    const params = { name: society.name, country: countryName(country.code) };
    return [
      society.phone
        ? { key: 'rfl:society.phone', params: { ...params, phone: numberPhrase(society.phone) } }
        : { key: 'rfl:society.name', params },
    ];
  });
  return lines.length > 0 ? { key: 'rfl:societies', params: { lines } } : { key: 'rfl:societiesUnknown' };
}
