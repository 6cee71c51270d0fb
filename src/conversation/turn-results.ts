/**
 * What the engine answers its callers (a turn's result, an unprompted
 * write's), tells its listeners, and throws: the types channels and the
 * handoff build on, apart from the engine that produces them.
 */
import type { OutboundMessage } from './channel';
import type { ConversationRef } from './record';
import type { TurnFact } from './turn';
import type { OutboxEntry } from '../store/store';

/** A message that does not fit the inbound schema. Adapters answer it with a 4xx. */
export class InboundError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid message: ${issues.join('; ')}`);
    this.name = 'InboundError';
  }
}

export interface TurnResult {
  /** `duplicate`: this message id was handled before; `replies` are what it produced then. */
  status: 'processed' | 'duplicate';
  replies: OutboundMessage[];
  /**
   * The replies' outbox seqs, in order (none after an erasure, whose goodbye
   * is not kept): a channel that also serves the history (the web chat) tells
   * its client which rows it has shown, without reading them back.
   */
  seqs?: number[];
}

/** What an unprompted write did. */
export interface WriteResult extends TurnResult {
  /** Whether the channel took every reply now; if not, they wait in the outbox for their next attempt. */
  delivered: boolean;
  /**
   * Not delivered yet, and not failed either: waiting for a worker, a rate
   * limit's slot or an earlier reply of the conversation. `onDelivery`
   * listeners hear how it went.
   */
  queued?: boolean;
  /** The channel's error when it did not. */
  error?: string;
}

export interface HandleOptions {
  /**
   * When `handle` resolves. `delivered` (the default): once the turn is over,
   * its replies sent (or left in the outbox for a retry). `committed`: as
   * soon as the turn is saved; its replies are sent after that, still in the
   * conversation's turn, so that the conversation's next message waits for
   * them and replies keep their order. For a webhook whose platform waits
   * for the answer before it sends more (Telegram): the answer no longer
   * waits for the platform's own API. `idle()` waits for what is left.
   */
  until?: 'delivered' | 'committed';
}

/** One message handled, for metrics: its channel, what became of it and how long it took. */
export interface TurnObservation {
  channel: string;
  outcome: 'processed' | 'duplicate' | 'failed';
  seconds: number;
}

export type TurnListener = (turn: TurnObservation) => void;

/**
 * A turn (or an unprompted write) saved: who and where, in which language,
 * and what it did worth counting. Never text. Told after the commit, so a
 * listener never counts what was not saved; a crash right after the commit
 * can lose a count, never invent one.
 */
export interface CommittedTurn {
  ref: ConversationRef;
  conversationKey: string;
  /** The conversation had nothing stored before this turn. */
  isNew: boolean;
  /** A caseworker's reply or another write nobody typed. */
  unprompted: boolean;
  locale: string;
  country: { current?: string; origin?: string };
  facts: readonly TurnFact[];
  now: number;
}

export type CommitListener = (turn: CommittedTurn) => void;

/** The conversation to write to is gone (erased by its person); nothing was written. */
export class ConversationGoneError extends Error {
  constructor() {
    super('the conversation no longer exists');
    this.name = 'ConversationGoneError';
  }
}

/** How far a write's replies have got: all delivered, failed (with the channel's error), or queued. */
export function deliveryOf(entries: readonly OutboxEntry[]): Pick<WriteResult, 'delivered' | 'queued' | 'error'> {
  const waiting = entries.find((e) => e.deliveredAt === null);
  if (!waiting) return { delivered: true };
  if (waiting.lastError !== null) return { delivered: false, error: waiting.lastError };
  return { delivered: false, queued: true };
}

/** The seqs of a turn's outbox rows, when there is one row per reply (not after an erasure, whose goodbye is not kept). */
export function seqsOf(entries: readonly OutboxEntry[], replies: number): Pick<TurnResult, 'seqs'> {
  return entries.length === replies && replies > 0 ? { seqs: entries.map((e) => e.seq) } : {};
}
