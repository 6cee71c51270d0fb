import type { ConversationRecord } from './record';
import { currentChoices } from './render';
import { isEmptyObject, isPlainObject } from '../util/objects';

/**
 * A conversation record as it is stored (version 3): the record in fewer
 * bytes. Fields at their defaults are left out, a choice is a tuple and a
 * list of countries one entry, the choices that merely repeat the prompt's
 * are not written twice, and a flow snapshot drops what every XState
 * snapshot carries empty.
 *
 * Why it matters: the store rewrites a record on every turn, and SQLite never
 * packs a page again when a row shrinks, so the largest record a conversation
 * ever had (a question with 19 countries to choose from: 2.5 KB as plain JSON)
 * decided how many conversations fit in a page for good.
 */

type Params = NonNullable<ConversationRecord['choices'][number]['params']>;
type Choice = ConversationRecord['choices'][number];
type Output = ConversationRecord['prompt'][number];

/** `[label, payload]`, or `[label, payload, params]`. */
export type StoredChoice = [string, string] | [string, string, Params];

/**
 * Choices in a row that differ only by what follows the last colon of both
 * label and payload, the same in each (`countries:AU` / `situation.here:AU`):
 * a list of countries, written as the two heads and the tails.
 */
export interface StoredChoiceRun {
  label: string;
  payload: string;
  each: string[];
}

export type StoredChoices = (StoredChoice | StoredChoiceRun)[];

export type StoredOutput = Omit<Output, 'choices'> & { choices?: StoredChoices };

export interface StoredRecord {
  version: 3;
  ref: ConversationRecord['ref'];
  locale: string;
  localeSource?: ConversationRecord['localeSource'];
  country?: ConversationRecord['country'];
  flow?: NonNullable<ConversationRecord['flow']>;
  prompt?: StoredOutput[];
  /** Only when they are not the choices of the prompt's last message that offered any. */
  choices?: StoredChoices;
  misses?: number;
  notices?: string[];
  caseId?: string;
  createdAt: number;
  updatedAt: number;
}

/** The snapshot fields XState always writes, and the value each has when there is nothing in it. */
// New objects on each call: a restored snapshot must not share them with another.
const snapshotDefaults = () => ({ status: 'active', historyValue: {}, context: {}, children: {} });
const SNAPSHOT_FIELDS = Object.keys(snapshotDefaults());

export function toStoredRecord(record: ConversationRecord): StoredRecord {
  const stored: StoredRecord = { version: 3, ref: record.ref, locale: record.locale, createdAt: record.createdAt, updatedAt: record.updatedAt };
  if (record.localeSource !== 'default') stored.localeSource = record.localeSource;
  if (record.country.current !== undefined || record.country.origin !== undefined) stored.country = record.country;
  if (record.flow) stored.flow = { ...record.flow, snapshot: compactSnapshot(record.flow.snapshot) };
  if (record.prompt.length > 0) stored.prompt = record.prompt.map(storedOutput);
  if (!sameChoices(record.choices, currentChoices(record.prompt) ?? [])) stored.choices = storedChoices(record.choices);
  if (record.misses !== 0) stored.misses = record.misses;
  if (record.notices.length > 0) stored.notices = record.notices;
  if (record.caseId !== undefined) stored.caseId = record.caseId;
  return stored;
}

/** The record a stored one (already validated) stands for. */
export function fromStoredRecord(stored: StoredRecord): ConversationRecord {
  const prompt = (stored.prompt ?? []).map(outputOf);
  const record: ConversationRecord = {
    version: 3,
    ref: stored.ref,
    locale: stored.locale,
    localeSource: stored.localeSource ?? 'default',
    country: stored.country ?? {},
    flow: stored.flow ? { ...stored.flow, snapshot: fullSnapshot(stored.flow.snapshot) } : null,
    prompt,
    // What "2" answers when nothing else was offered since: the choices of the prompt's question.
    choices: stored.choices ? choicesOf(stored.choices) : (currentChoices(prompt) ?? []),
    misses: stored.misses ?? 0,
    notices: stored.notices ?? [],
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
  if (stored.caseId !== undefined) record.caseId = stored.caseId;
  return record;
}

function sameChoices(a: readonly Choice[], b: readonly Choice[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  return a.every((c, i) => {
    const d = b[i]!;
    return c.label === d.label && c.payload === d.payload && JSON.stringify(c.params) === JSON.stringify(d.params);
  });
}

type Heads = Pick<StoredChoiceRun, 'label' | 'payload'>;

/** Where a choice's label and payload split into a head and the tail they share, if they do. */
function tailOf(c: Choice): (Heads & { tail: string }) | undefined {
  if (c.params !== undefined) return undefined;
  const l = c.label.lastIndexOf(':') + 1;
  const p = c.payload.lastIndexOf(':') + 1;
  const tail = c.label.slice(l);
  if (l === 0 || p === 0 || tail === '' || tail !== c.payload.slice(p)) return undefined;
  return { label: c.label.slice(0, l), payload: c.payload.slice(0, p), tail };
}

function storedChoices(choices: readonly Choice[]): StoredChoices {
  const splits = choices.map(tailOf);
  // Two choices belong to one run when both split, with the same heads.
  const sameRun = (a: Heads | undefined, b: Heads | undefined) =>
    a !== undefined && b !== undefined && a.label === b.label && a.payload === b.payload;
  const out: StoredChoices = [];
  let run: StoredChoiceRun | undefined;
  choices.forEach((c, i) => {
    const split = splits[i];
    if (run && sameRun(split, run)) {
      run.each.push(split!.tail);
    } else if (sameRun(split, splits[i + 1])) {
      run = { label: split!.label, payload: split!.payload, each: [split!.tail] };
      out.push(run);
    } else {
      run = undefined;
      out.push(c.params === undefined ? [c.label, c.payload] : [c.label, c.payload, c.params]);
    }
  });
  return out;
}

function choicesOf(stored: StoredChoices): Choice[] {
  const out: Choice[] = [];
  for (const c of stored) {
    if (!Array.isArray(c)) {
      for (const tail of c.each) out.push({ label: c.label + tail, payload: c.payload + tail });
    } else {
      const [label, payload, params] = c;
      out.push(params === undefined ? { label, payload } : { label, payload, params });
    }
  }
  return out;
}

function storedOutput(o: Output): StoredOutput {
  if (!o.choices) return o as StoredOutput;
  return { ...o, choices: storedChoices(o.choices) };
}

function outputOf(o: StoredOutput): Output {
  if (!o.choices) return o as Output;
  return { ...o, choices: choicesOf(o.choices) };
}

/** The snapshot without the fields at their defaults; anything else is kept as it was. */
function compactSnapshot(snapshot: unknown): unknown {
  if (!isPlainObject(snapshot)) return snapshot;
  const out: Record<string, unknown> = {};
  // for…in rather than Object.entries, which allocates a pair per field on every commit.
  for (const name in snapshot) {
    if (!Object.hasOwn(snapshot, name)) continue;
    const value = snapshot[name];
    if (SNAPSHOT_FIELDS.includes(name) && (name === 'status' ? value === 'active' : isEmptyObject(value))) continue;
    out[name] = value;
  }
  return out;
}

function fullSnapshot(snapshot: unknown): unknown {
  if (!isPlainObject(snapshot)) return snapshot;
  return { ...snapshotDefaults(), ...snapshot };
}
