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
  now: number;
}

export type CommitResult =
  | { ok: true; rev: number; outbox: OutboxEntry[] }
  | { ok: false; reason: 'conflict' | 'duplicate' };

export interface Store {
  getConversation(conversationKey: string): Promise<StoredConversation | null>;
  isProcessed(channel: string, messageId: string): Promise<boolean>;
  /**
   * Writes the record, the processed mark and the outbox rows atomically.
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
  /** Erases every conversation, mark and reply of one user on one channel. Returns conversations removed. */
  deleteUser(channel: string, userId: string): Promise<number>;
  close(): Promise<void>;
}
