/**
 * What every store checks at its edge: values go in as JSON text, come back
 * out as fresh objects, and page sizes are real counts.
 */
import { hashKey } from '../util/hash-key';
import type { OutboxEntry, TurnCommit } from './store';

/** Where a stored JSON value lives, so a bad row can be found without logging personal ids. */
export interface JsonSource {
  table: string;
  column: string;
  /** `seq 42`, or a hashed conversation key: keys carry phone numbers and chat ids. */
  row: string;
}

/** A stored value that cannot be read back. The store refuses it instead of guessing. */
export class StoreDataError extends Error {
  readonly table: string;
  readonly column: string;
  readonly row: string;

  constructor(source: JsonSource, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${source.table}.${source.column} of ${source.row} is not valid JSON: ${reason}`, { cause });
    this.name = 'StoreDataError';
    this.table = source.table;
    this.column = source.column;
    this.row = source.row;
  }
}

/**
 * Serialises before anything is written, so a value JSON cannot hold fails the
 * whole commit instead of leaving half a turn behind.
 */
export function toJson(value: unknown, what: string): string {
  const text = JSON.stringify(value) as string | undefined;
  if (text === undefined) throw new TypeError(`${what} is not JSON-serialisable (got ${typeof value})`);
  return text;
}

/** A turn's values as the JSON text every store writes. */
export interface SerialisedTurn {
  record: string;
  outbox: string[];
  submissions: { kind: string; data: string }[];
}

/** All of a turn at once, before any check or write, for the same all-or-nothing reason as `toJson`. */
export function serialiseTurn(c: TurnCommit): SerialisedTurn {
  return {
    record: toJson(c.record, 'record'),
    outbox: c.outbox.map((m, i) => toJson(m, `outbox[${i}]`)),
    submissions: (c.submissions ?? []).map(({ kind, data }, i) => ({
      kind,
      data: toJson(data, `submissions[${i}].data`),
    })),
  };
}

export function fromJson(text: string, source: JsonSource): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new StoreDataError(source, err);
  }
}

export function conversationRow(conversationKey: string): string {
  return `conversation ${hashKey(conversationKey)}`;
}

/** Page sizes are counts; a negative one would mean "everything" to SQLite and "all but the last" to slice(). */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}

/**
 * A reply as its commit wrote it (`message` serialised, `seq` given by the
 * store): not tried yet, due at once. The message is parsed afresh, not the
 * caller's object, so the result never aliases what the caller still holds.
 */
export function committedReply(c: TurnCommit, seq: number, message: string): OutboxEntry {
  return {
    seq,
    conversationKey: c.conversationKey,
    channel: c.channel,
    messageId: c.messageId,
    message: JSON.parse(message) as unknown,
    createdAt: c.now,
    deliveredAt: c.delivered === true ? c.now : null,
    attempts: 0,
    nextAttemptAt: c.now,
    lastError: null,
    failedAt: null,
  };
}
