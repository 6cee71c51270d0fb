import { assign, setup } from 'xstate';
import type { FlowDeps } from '../directory';
import { flowActions, type Choice, type FlowDefinition, type FlowEvent, type FlowInput, type Output } from '../types';
import { FIELDS, FIELD_KIND, type Answers, type Field } from './fields';
import { talkToPerson } from '../shared/person';
import { CONSENT_KEY, RFL_FLOW, RFL_REVIEW, enquirerSummary, soughtSummary } from './request';
import { MAX_ANSWER, isValid, type AnswerKind } from './validate';

/** Bump when a change would break stored snapshots (a state or context field renamed or removed). */
export const RFL_VERSION = 1;

/**
 * Personal data lives here only while the request is being written: the
 * snapshot is dropped when the flow ends, by cancelling, `stop` or the menu,
 * or when a caseworker takes the request (the handoff reads it from the
 * review step, flows/rfl/request.ts). `consent` is the locale key of the
 * text the person said yes to before the first question.
 */
export interface RflContext {
  answers: Answers;
  consent?: string;
}

const TOTAL = FIELDS.length;

const next: Choice = { label: 'common:choice.next', payload: 'nav.next' };
const back: Choice = { label: 'common:choice.back', payload: 'nav.back' };
const mainMenu: Choice = { label: 'common:choice.menu', payload: 'cmd.menu' };
const person = talkToPerson('rfl');
const skip: Choice = { label: 'rfl:choice.skip', payload: 'rfl.skip' };
const keep: Choice = { label: 'rfl:choice.keep', payload: 'nav.next' };

const consentOutput: Output = {
  key: CONSENT_KEY,
  params: { total: TOTAL },
  choices: [
    { label: 'common:choice.yes', payload: 'rfl.consent' },
    { label: 'rfl:choice.no', payload: 'rfl.decline' },
    back,
    mainMenu,
  ],
};

/**
 * Sending is the offer of a caseworker: the handoff explains who will read
 * the request and asks for a yes before it takes the answers with the case.
 */
const confirmOutput: Output = {
  key: 'rfl:confirm',
  choices: [
    { label: 'rfl:choice.send', payload: talkToPerson('rfl').payload },
    back,
    { label: 'rfl:choice.cancel', payload: 'rfl.cancel' },
  ],
};

const retryOutput = (kind: AnswerKind): Output => ({
  key: `rfl:retry.${kind}`,
  params: { max: MAX_ANSWER },
  choices: [skip, back],
  expects: 'text',
});

/** A question; asked again (after Back) it shows the answer so far and lets the person keep it. */
function question(field: Field, index: number, answers: Answers | undefined): Output {
  const ask = { key: `rfl:ask.${field}`, params: { step: index + 1, total: TOTAL } };
  const answer = answers?.[field];
  if (answer === undefined) return { ...ask, choices: [skip, back], expects: 'text' };
  return { key: 'rfl:askAgain', params: { question: ask, answer }, choices: [keep, skip, back], expects: 'text' };
}

/**
 * The answers with one changed, always in question order: the same answers
 * make the same snapshot however often the person went back and forth.
 */
function withAnswer(answers: Answers | undefined, field: Field, answer: string | undefined): Answers {
  const changed: Answers = { ...answers, [field]: answer };
  return Object.fromEntries(FIELDS.flatMap((f) => (changed[f] === undefined ? [] : [[f, changed[f]]])));
}

// Line breaks and runs of spaces become one space, so an answer is one line in the summary and the request.
const textOf = (event: FlowEvent): string => ('text' in event ? event.text.trim().replace(/\s+/g, ' ') : '');

/**
 * Restoring Family Links: what it is, then — only after an explicit yes —
 * a tracing request, one question at a time, each answer checked, any
 * question skippable, and a summary. Sending it is handing it to a
 * caseworker: the engine's handoff step asks for consent to that, then
 * opens a case with the request and ends the flow.
 */
export function createRflFlow(deps: FlowDeps): FlowDefinition {
  const intro: Output = {
    key: 'rfl:intro',
    links: [{ label: 'rfl:link', url: deps.links.familyLinks }],
    choices: [next, person, mainMenu],
  };

  const questionStates = Object.fromEntries(
    FIELDS.map((field, i) => {
      const onward = FIELDS[i + 1] ?? RFL_REVIEW;
      return [
        field,
        {
          entry: {
            type: 'say' as const,
            params: ({ context }: { context: RflContext }) => question(field, i, context.answers),
          },
          on: {
            'user.text': [
              {
                guard: { type: 'isValidAnswer' as const, params: { field } },
                target: onward,
                actions: { type: 'saveAnswer' as const, params: { field } },
              },
              // Stays on the question: the re-ask says what is expected, with the same ways on.
              { actions: { type: 'say' as const, params: retryOutput(FIELD_KIND[field]) } },
            ],
            'rfl.skip': { target: onward, actions: { type: 'dropAnswer' as const, params: { field } } },
            'nav.next': { guard: { type: 'isAnswered' as const, params: { field } }, target: onward },
            // Back past the first question is back to the consent question: a fresh start, nothing kept.
            'nav.back': i === 0 ? { target: 'consent', actions: 'forget' as const } : { target: FIELDS[i - 1]! },
          },
        },
      ];
    }),
  );

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput, context: {} as RflContext },
    actions: {
      ...flowActions,
      saveAnswer: assign(({ context, event }, { field }: { field: Field }) => ({
        answers: withAnswer(context.answers, field, textOf(event)),
      })),
      dropAnswer: assign(({ context }, { field }: { field: Field }) => ({
        answers: withAnswer(context.answers, field, undefined),
      })),
      recordConsent: assign({ consent: CONSENT_KEY }),
      forget: assign({ answers: {}, consent: undefined }),
    },
    guards: {
      isValidAnswer: ({ event }, { field }: { field: Field }) => isValid(FIELD_KIND[field], textOf(event)),
      isAnswered: ({ context }, { field }: { field: Field }) => context.answers?.[field] !== undefined,
    },
  }).createMachine({
    id: RFL_FLOW,
    initial: 'intro',
    context: { answers: {} },
    states: {
      // No `nav.back` here: the engine answers `back` with the main menu.
      intro: {
        entry: { type: 'say', params: intro },
        on: {
          'nav.next': { target: 'consent' },
        },
      },
      consent: {
        entry: { type: 'say', params: consentOutput },
        on: {
          'rfl.consent': { target: FIELDS[0], actions: 'recordConsent' },
          'rfl.decline': { target: 'declined' },
          'nav.back': { target: 'intro' },
        },
      },
      ...questionStates,
      [RFL_REVIEW]: {
        entry: [
          { type: 'say', params: ({ context }) => soughtSummary(context.answers ?? {}) },
          { type: 'say', params: ({ context }) => enquirerSummary(context.answers ?? {}) },
          { type: 'say', params: confirmOutput },
        ],
        on: {
          'rfl.cancel': { target: 'cancelled' },
          'nav.back': { target: FIELDS[FIELDS.length - 1] },
        },
      },
      declined: { type: 'final', entry: { type: 'say', params: { key: 'rfl:declined' } } },
      cancelled: { type: 'final', entry: [{ type: 'say', params: { key: 'rfl:cancelled' } }, 'forget'] },
    },
  });
  return { id: RFL_FLOW, version: RFL_VERSION, machine };
}
