import { initialTransition, transition, type AnyMachineSnapshot, type ExecutableActionObject } from 'xstate';
import { loadConfig } from '../../src/config/env';
import { flowDeps } from '../../src/flow-deps';
import type { FlowEnv, FlowEvent, Output, Submission } from '../types';
import { FIELDS } from './fields';
import { createRflFlow } from './machine';
import { CONSENT_KEY, SUBMISSION_KIND, pendingRequest } from './request';

const deps = flowDeps(loadConfig({}));
const { machine } = createRflFlow(deps);

const env: FlowEnv = { locale: 'en', country: 'QA', origin: 'PH' };
const ev = (type: string, value?: string): FlowEvent =>
  (value === undefined ? { type, env } : { type, value, env }) as FlowEvent;
const text = (t: string): FlowEvent => ({ type: 'user.text', text: t, env });

type Actions = readonly ExecutableActionObject[];
const said = (actions: Actions): Output[] => actions.filter((a) => a.type === 'say').map((a) => a.params as Output);
const submitted = (actions: Actions): Submission[] =>
  actions.filter((a) => a.type === 'submit').map((a) => a.params as Submission);

/** Good answers, in question order. */
const ANSWERS = {
  fullName: 'Maria Santos Cruz',
  ageOrBirthDate: '34',
  lastPlace: 'Al Sadd, Doha',
  lastContact: 'March 2024',
  circumstances: 'Her phone stopped working',
  relationship: 'I am her sister',
  contact: '+63 917 123 4567',
};

function run(events: FlowEvent[], from?: AnyMachineSnapshot): { snapshot: AnyMachineSnapshot; actions: Actions } {
  let [snapshot, actions] = from ? [from, [] as Actions] : initialTransition(machine, { env });
  for (const e of events) {
    expect(snapshot.can(e)).toBe(true);
    [snapshot, actions] = transition(machine, snapshot, e);
  }
  return { snapshot, actions };
}

const toQuestions = [ev('nav.next'), ev('rfl.consent')];
/** The request the handoff would take from this snapshot, as the engine stores it. */
const pending = (snapshot: AnyMachineSnapshot, at: FlowEnv = env) =>
  pendingRequest({ id: 'rfl', snapshot: JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot))) as unknown }, at);
const allAnswers = FIELDS.map((f) => text(ANSWERS[f]));

describe('rfl machine', () => {
  it('explains the service first, with the Family Links site and a caseworker to talk to', () => {
    const [snapshot, actions] = initialTransition(machine, { env });
    expect(snapshot.value).toBe('intro');
    const [intro] = said(actions);
    expect(intro?.key).toBe('rfl:intro');
    expect(intro?.links).toEqual([{ label: 'rfl:link', url: deps.links.familyLinks }]);
    expect(intro?.choices?.map((c) => c.payload)).toEqual(['nav.next', 'handoff.offer:rfl', 'cmd.menu']);
    expect(snapshot.can(ev('nav.back'))).toBe(false);
    expect(snapshot.can(text('yes'))).toBe(false);
  });

  it('leaves the caseworker button to the engine, which asks for consent', () => {
    const [snapshot] = initialTransition(machine, { env });
    expect(snapshot.can(ev('handoff.offer', 'rfl'))).toBe(false);
  });

  it('asks for consent before any question, and takes no answer before it', () => {
    const { snapshot, actions } = run([ev('nav.next')]);
    expect(snapshot.value).toBe('consent');
    const [ask] = said(actions);
    expect(ask?.key).toBe(CONSENT_KEY);
    expect(ask?.params).toEqual({ total: FIELDS.length });
    expect(ask?.choices?.map((c) => c.payload)).toEqual(['rfl.consent', 'rfl.decline', 'nav.back', 'cmd.menu']);
    expect(snapshot.can(text('Maria Santos'))).toBe(false);
    expect(snapshot.can(ev('rfl.skip'))).toBe(false);
    expect(snapshot.context.consent).toBeUndefined();
  });

  it('respects a no: says so, ends, and submits nothing', () => {
    const { snapshot, actions } = run([ev('nav.next'), ev('rfl.decline')]);
    expect(snapshot.status).toBe('done');
    expect(said(actions).map((o) => o.key)).toEqual(['rfl:declined']);
    expect(submitted(actions)).toEqual([]);
  });

  it('records which consent text was agreed to, then asks the first question', () => {
    const { snapshot, actions } = run(toQuestions);
    expect(snapshot.value).toBe('fullName');
    expect(snapshot.context.consent).toBe('rfl:consent');
    expect(said(actions)).toEqual([
      {
        key: 'rfl:ask.fullName',
        params: { step: 1, total: FIELDS.length },
        choices: [
          { label: 'rfl:choice.skip', payload: 'rfl.skip' },
          { label: 'common:choice.back', payload: 'nav.back' },
        ],
        expects: 'text',
      },
    ]);
  });

  it('asks every question in order, then shows the answers as parameters and asks to confirm', () => {
    let { snapshot } = run(toQuestions);
    FIELDS.forEach((field, i) => {
      expect(snapshot.value).toBe(field);
      const step = run([text(ANSWERS[field])], snapshot);
      snapshot = step.snapshot;
      const next = FIELDS[i + 1];
      if (next) expect(said(step.actions).map((o) => o.key)).toEqual([`rfl:ask.${next}`]);
      else {
        expect(snapshot.value).toBe('review');
        const [sought, enquirer, confirm] = said(step.actions);
        expect(sought?.params?.lines).toEqual(
          ['fullName', 'ageOrBirthDate', 'lastPlace', 'lastContact', 'circumstances'].map((f) => ({
            key: 'rfl:summary.line',
            params: { field: { key: `rfl:field.${f}` }, answer: ANSWERS[f as keyof typeof ANSWERS] },
          })),
        );
        expect(enquirer?.params?.lines).toEqual([
          { key: 'rfl:summary.line', params: { field: { key: 'rfl:field.relationship' }, answer: ANSWERS.relationship } },
          { key: 'rfl:summary.line', params: { field: { key: 'rfl:field.contact' }, answer: ANSWERS.contact } },
        ]);
        expect(confirm?.key).toBe('rfl:confirm');
        // Sending is offering the request to a caseworker: the engine's handoff step asks for consent first.
        expect(confirm?.choices?.map((c) => c.payload)).toEqual(['handoff.offer:rfl', 'nav.back', 'rfl.cancel']);
      }
    });
    expect(snapshot.context.answers).toEqual(ANSWERS);
  });

  it('holds exactly the answers, the consent and where the person is at the review, for the handoff to take', () => {
    const { snapshot, actions } = run([...toQuestions, ...allAnswers]);
    expect(snapshot.value).toBe('review');
    expect(submitted(actions)).toEqual([]);
    expect(pending(snapshot)).toEqual({
      kind: SUBMISSION_KIND,
      data: {
        sought: {
          fullName: ANSWERS.fullName,
          ageOrBirthDate: ANSWERS.ageOrBirthDate,
          lastPlace: ANSWERS.lastPlace,
          lastContact: ANSWERS.lastContact,
          circumstances: ANSWERS.circumstances,
        },
        enquirer: { relationship: ANSWERS.relationship, contact: ANSWERS.contact },
        consent: { given: true, key: 'rfl:consent' },
        countries: { current: 'QA', origin: 'PH' },
        locale: 'en',
      },
    });
  });

  it('has no request pending before the review, nor in another flow', () => {
    const { snapshot } = run([...toQuestions, ...allAnswers.slice(0, 6)]);
    expect(pending(snapshot)).toBeUndefined();
    const review = run([...toQuestions, ...allAnswers]).snapshot;
    expect(pendingRequest({ id: 'wellbeing', snapshot: machine.getPersistedSnapshot(review) }, env)).toBeUndefined();
    expect(pendingRequest(null, env)).toBeUndefined();
  });

  it('submits nothing itself, and nothing on Do not send', () => {
    let [snapshot, actions] = initialTransition(machine, { env });
    const seen: Actions[] = [actions];
    for (const e of [...toQuestions, ...allAnswers, ev('rfl.cancel')]) {
      [snapshot, actions] = transition(machine, snapshot, e);
      seen.push(actions);
    }
    expect(seen.flatMap(submitted)).toEqual([]);
    expect(snapshot.status).toBe('done');
    expect(said(actions).map((o) => o.key)).toEqual(['rfl:cancelled']);
  });

  it.each([
    ['fullName', '?!', 'rfl:retry.text'],
    ['ageOrBirthDate', 'about forty', 'rfl:retry.age'],
    ['ageOrBirthDate', '150', 'rfl:retry.age'],
    ['lastPlace', 'x'.repeat(301), 'rfl:retry.text'],
    ['contact', 'call me', 'rfl:retry.contact'],
  ])('re-asks %s after %j without moving on', (field, answer, retry) => {
    const index = FIELDS.indexOf(field as (typeof FIELDS)[number]);
    const before = run([...toQuestions, ...allAnswers.slice(0, index)]).snapshot;
    const { snapshot, actions } = run([text(answer)], before);
    expect(snapshot.value).toBe(field);
    expect(said(actions)).toEqual([
      {
        key: retry,
        params: { max: 300 },
        choices: [
          { label: 'rfl:choice.skip', payload: 'rfl.skip' },
          { label: 'common:choice.back', payload: 'nav.back' },
        ],
        expects: 'text',
      },
    ]);
    expect(snapshot.context.answers).toEqual(before.context.answers);
  });

  it('keeps an answer on one line', () => {
    const { snapshot } = run([...toQuestions, text('  Maria\nSantos   Cruz ')]);
    expect(snapshot.context.answers).toEqual({ fullName: 'Maria Santos Cruz' });
  });

  it('leaves skipped questions out of the request and marks them in the summary', () => {
    const events = [...toQuestions, ...allAnswers];
    events[2 + 1] = ev('rfl.skip'); // age
    events[2 + 6] = ev('rfl.skip'); // contact
    const { snapshot, actions } = run(events);
    const [sought, enquirer] = said(actions);
    expect(sought?.params?.lines).toContainEqual({
      key: 'rfl:summary.line',
      params: { field: { key: 'rfl:field.ageOrBirthDate' }, answer: { key: 'rfl:summary.skipped' } },
    });
    expect(enquirer?.params?.lines).toContainEqual({
      key: 'rfl:summary.line',
      params: { field: { key: 'rfl:field.contact' }, answer: { key: 'rfl:summary.skipped' } },
    });
    const request = pending(snapshot);
    expect(request?.data.sought).not.toHaveProperty('ageOrBirthDate');
    expect(request?.data.enquirer).toEqual({ relationship: ANSWERS.relationship });
  });

  it('goes back question by question, showing the answer so far with Keep, and a skip after Back removes it', () => {
    let { snapshot, actions } = run([...toQuestions, text(ANSWERS.fullName), text(ANSWERS.ageOrBirthDate)]);
    expect(snapshot.value).toBe('lastPlace');
    ({ snapshot, actions } = run([ev('nav.back')], snapshot));
    expect(snapshot.value).toBe('ageOrBirthDate');
    expect(said(actions)).toEqual([
      {
        key: 'rfl:askAgain',
        params: { question: { key: 'rfl:ask.ageOrBirthDate', params: { step: 2, total: 7 } }, answer: '34' },
        choices: [
          { label: 'rfl:choice.keep', payload: 'nav.next' },
          { label: 'rfl:choice.skip', payload: 'rfl.skip' },
          { label: 'common:choice.back', payload: 'nav.back' },
        ],
        expects: 'text',
      },
    ]);
    ({ snapshot } = run([ev('nav.back'), ev('nav.next')], snapshot));
    expect(snapshot.value).toBe('ageOrBirthDate');
    expect(snapshot.context.answers).toEqual({ fullName: ANSWERS.fullName, ageOrBirthDate: '34' });
    ({ snapshot } = run([ev('rfl.skip')], snapshot));
    expect(snapshot.value).toBe('lastPlace');
    expect(snapshot.context.answers).toEqual({ fullName: ANSWERS.fullName });
    ({ snapshot } = run([ev('nav.back'), ev('nav.back'), ev('nav.back')], snapshot));
    expect(snapshot.value).toBe('consent');
  });

  it('forgets the answers and the consent when the person goes back to the consent question', () => {
    const events = [...toQuestions, ...allAnswers.slice(0, 3), ev('nav.back'), ev('nav.back'), ev('nav.back'), ev('nav.back')];
    const { snapshot } = run(events);
    expect(snapshot.value).toBe('consent');
    expect(snapshot.context).toEqual({ answers: {} });
    const again = run([ev('rfl.consent')], snapshot);
    expect(said(again.actions).map((o) => o.key)).toEqual(['rfl:ask.fullName']);
  });

  it('keeps no answers once the request is not sent', () => {
    const { snapshot } = run([...toQuestions, ...allAnswers, ev('rfl.cancel')]);
    expect(snapshot.status).toBe('done');
    expect(snapshot.context).toEqual({ answers: {} });
  });

  it('offers Keep only for a question that has an answer', () => {
    const { snapshot } = run(toQuestions);
    expect(snapshot.can(ev('nav.next'))).toBe(false);
  });

  it('goes back from the summary to the last question', () => {
    const { snapshot } = run([...toQuestions, ...allAnswers, ev('nav.back')]);
    expect(snapshot.value).toBe('contact');
  });

  it('has no request to hand over when restored without consent', () => {
    const forged = machine.resolveState({ value: 'review', context: { answers: ANSWERS } });
    expect(pending(forged)).toBeUndefined();
  });

  it('keeps a snapshot that can be saved and restored in the middle of the request', () => {
    const here = run([...toQuestions, ...allAnswers.slice(0, 3)]).snapshot;
    const saved = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(here))) as { value: string; context: unknown };
    const restored = machine.resolveState({ value: saved.value, context: saved.context as never });
    const { snapshot } = run(allAnswers.slice(3), restored);
    expect(snapshot.value).toBe('review');
    expect(pending(snapshot)?.data.sought).toEqual({
      fullName: ANSWERS.fullName,
      ageOrBirthDate: ANSWERS.ageOrBirthDate,
      lastPlace: ANSWERS.lastPlace,
      lastContact: ANSWERS.lastContact,
      circumstances: ANSWERS.circumstances,
    });
  });

  it('says where the person is as unknown when the bot does not know', () => {
    const unknown: FlowEnv = { locale: 'en' };
    const [start] = initialTransition(machine, { env: unknown });
    let snapshot = start;
    for (const e of [...toQuestions, ...allAnswers]) {
      [snapshot] = transition(machine, snapshot, { ...e, env: unknown } as FlowEvent);
    }
    expect(pending(snapshot, unknown)?.data.countries).toEqual({ current: null, origin: null });
  });
});
