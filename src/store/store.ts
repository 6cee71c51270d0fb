/**
 * The storage port. Records and outbox messages are opaque JSON here: the
 * conversation layer validates them (zod) on read, so stores stay small and
 * every implementation can pass one contract suite (test/contracts/store).
 */

export interface StoredConversation {
  data: unknown;
  /** Increases by one on every commit; the basis of optimistic concurrency. */
  rev: number;
}

export interface OutboxEntry {
  seq: number;
  conversationKey: string;
  channel: string;
  /** The channel message id that produced it. */
  messageId: string;
  message: unknown;
  createdAt: number;
  deliveredAt: number | null;
}

export interface TurnCommit {
  conversationKey: string;
  channel: string;
  userId: string;
  /** The rev that was read; 0 when the conversation was new. */
  expectedRev: number;
  record: unknown;
  messageId: string;
  /** Rendered replies, delivered after the commit from the outbox. */
  outbox: unknown[];
  /**
   * Records for people to act on (a family-tracing request, a case). In the
   * turn's transaction so a request exists exactly when the person was told it was sent.
   */
  submissions?: { kind: string; data: unknown }[];
  now: number;
}

export interface Submission {
  /** Increasing in write order and never reused, so staff can refer to one safely even after erasures. */
  id: number;
  conversationKey: string;
  channel: string;
  userId: string;
  kind: string;
  data: unknown;
  createdAt: number;
}

export interface SubmissionFilter {
  kind?: string;
  conversationKey?: string;
}

/**
 * How far a message the bot sent has got, as the platform reports it
 * (WhatsApp's status webhooks). A state never moves back: `read` stays read
 * when a late `delivered` arrives; `failed` is final.
 */
export type DeliveryState = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

export const DELIVERY_RANK: Readonly<Record<DeliveryState, number>> = {
  accepted: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 4,
};

export interface Delivery {
  channel: string;
  /** The platform's id of the sent message (a WhatsApp `wamid`). */
  externalId: string;
  conversationKey: string;
  userId: string;
  state: DeliveryState;
  /** The platform's error code and title, for `failed`. */
  errorCode: number | null;
  errorTitle: string | null;
  updatedAt: number;
}

export type CommitResult =
  | { ok: true; rev: number; outbox: OutboxEntry[] }
  | { ok: false; reason: 'conflict' | 'duplicate' };

export interface Store {
  getConversation(conversationKey: string): Promise<StoredConversation | null>;
  isProcessed(channel: string, messageId: string): Promise<boolean>;
  /**
   * Writes the record, the processed mark, the outbox rows and the submissions atomically.
   * Fails with `conflict` when the rev moved, `duplicate` when the message id
   * was already processed; in both cases nothing is written.
   */
  commitTurn(commit: TurnCommit): Promise<CommitResult>;
  /** The replies a processed message produced, in order; null if it was never processed. */
  repliesTo(channel: string, messageId: string): Promise<OutboxEntry[] | null>;
  /** Replies of one conversation after `afterSeq`, oldest first. */
  outboxSince(conversationKey: string, afterSeq: number, limit: number): Promise<OutboxEntry[]>;
  /** Undelivered replies of every conversation, oldest first. */
  pendingOutbox(limit: number): Promise<OutboxEntry[]>;
  markDelivered(seqs: number[], now: number): Promise<void>;
  /** Submissions matching every given filter field (none: all of them), oldest first. */
  listSubmissions(filter: SubmissionFilter, limit: number): Promise<Submission[]>;
  /**
   * The person's right to erasure: removes every conversation of one user on
   * one channel with its marks, replies and submissions, and also the user's
   * submissions in conversations now held by someone else (a shared chat
   * belongs to whoever wrote last), and the references saved for the user on
   * that channel. Returns conversations removed.
   */
  deleteUser(channel: string, userId: string): Promise<number>;
  /**
   * Keeps what a channel needs to write to a conversation later, unprompted
   * (a Teams ConversationReference), replacing any kept before. Stands alone:
   * it may arrive before the conversation's first turn is committed.
   * `deleteUser` removes the references saved for that user on that channel.
   */
  saveReference(conversationKey: string, channel: string, userId: string, reference: unknown, now: number): Promise<void>;
  /** The reference last saved for the conversation, as a fresh copy; null if none. */
  getReference(conversationKey: string): Promise<unknown | null>;
  /**
   * Records a sent message's state (upsert by channel and external id). A
   * state of lower rank than the one kept is ignored, so statuses arriving
   * out of order never move a message back. `deleteUser` removes the user's.
   */
  recordDelivery(delivery: Delivery): Promise<void>;
  /** The state kept for a sent message; null if none. */
  getDelivery(channel: string, externalId: string): Promise<Delivery | null>;
  close(): Promise<void>;
}
