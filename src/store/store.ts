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
  /** Delivery attempts that failed so far. */
  attempts: number;
  /** Not to be tried before this time (ms since the epoch): the commit's time, then each back-off or pacing delay. */
  nextAttemptAt: number;
  /** The channel's error on the last failed attempt. */
  lastError: string | null;
  /** When the outbox gave up on it after too many failed attempts: it is never tried again. */
  failedAt: number | null;
}

/**
 * A delivery worker's hold on one outbox row while it sends it: no other
 * worker claims the row before `until`, so a worker that dies mid-send only
 * delays the row until its lease runs out.
 */
export interface OutboxLease {
  /** The worker (one per process), e.g. `host:pid:random`. */
  owner: string;
  now: number;
  until: number;
}

/** A failed delivery attempt, recorded by the worker holding the row's lease. */
export interface OutboxFailure {
  owner: string;
  error: string;
  now: number;
  /** When to try again; null gives the row up (it leaves the pending rows, and the next row of its conversation goes). */
  retryAt: number | null;
}

/** Replies waiting to be delivered on one channel. */
export interface OutboxDepth {
  channel: string;
  pending: number;
  /** When the oldest of them was committed. */
  oldestCreatedAt: number;
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
  /**
   * Lease the new replies to this worker in the same transaction, as
   * claimOutboxRun would, when no earlier reply of the conversation is
   * pending: the worker that commits then sends them without a claim of its
   * own, a statement (a round trip on PostgreSQL) less a turn. Otherwise
   * nothing is leased, and the result says so.
   */
  lease?: OutboxLease;
  /**
   * The replies reach the person from the store itself (ChannelPort.deliveredWhenSaved):
   * saved delivered at `now`, so that no worker sends, leases or marks them.
   */
  delivered?: boolean;
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
  | {
      ok: true;
      rev: number;
      outbox: OutboxEntry[];
      /** The replies are leased to `TurnCommit.lease`'s owner (only ever with a lease asked for, and replies to lease). */
      leased: boolean;
    }
  | { ok: false; reason: 'conflict' | 'duplicate' };

/** What a turn reads before it runs: whether its message was handled, and the conversation as stored. */
export interface TurnState {
  processed: boolean;
  /** Null when nothing is stored, and whenever `processed` (the turn is not run then). */
  conversation: StoredConversation | null;
}

export interface Store {
  getConversation(conversationKey: string): Promise<StoredConversation | null>;
  /**
   * Whether the conversation has processed this message id. Marks are kept
   * per conversation, not per channel: every channel's ids are unique within
   * a conversation (a WhatsApp wamid, a Telegram update, a Teams activity, a
   * web chat client's id, a caseworker's `case:…:reply:uuid`), and a platform
   * resends a message to the conversation it came from, so a retry is always
   * caught; the same id in two conversations is two messages. The mark then
   * lives under its conversation's key, found and erased by that prefix.
   */
  isProcessed(conversationKey: string, messageId: string): Promise<boolean>;
  /** isProcessed and getConversation in one read (one round trip on PostgreSQL), as every turn starts. */
  turnState(conversationKey: string, messageId: string): Promise<TurnState>;
  /**
   * Writes the record, the processed mark, the outbox rows and the submissions atomically.
   * Fails with `conflict` when the rev moved, `duplicate` when the conversation
   * already processed the message id (also to commits racing on it: one
   * wins, the others hear `duplicate`); in both cases nothing is written.
   */
  commitTurn(commit: TurnCommit): Promise<CommitResult>;
  /**
   * Forgets the conversation's processed marks made before `before` (ms since
   * the epoch), so that a long conversation's marks do not grow with it: a
   * platform resends a message within days, and the engine prunes only marks
   * far older than that. The replies stay. Returns how many marks went.
   */
  pruneProcessed(conversationKey: string, before: number): Promise<number>;
  /** The replies the conversation's message produced, in order; null if it was never processed there. */
  repliesTo(conversationKey: string, messageId: string): Promise<OutboxEntry[] | null>;
  /** Replies of one conversation after `afterSeq`, oldest first. */
  outboxSince(conversationKey: string, afterSeq: number, limit: number): Promise<OutboxEntry[]>;
  /** Replies of every conversation neither delivered nor given up, oldest first. */
  pendingOutbox(limit: number): Promise<OutboxEntry[]>;
  /**
   * The replies a worker may try now: of each conversation only its first
   * pending reply (so that none overtakes an earlier one), and only when it
   * is due (`nextAttemptAt <= now`), not leased (no lease, or one that ended
   * by `now`) and on one of `channels`. Oldest first; changes nothing.
   */
  dueOutbox(now: number, channels: readonly string[], limit: number): Promise<OutboxEntry[]>;
  /**
   * Takes a lease on one reply for a delivery attempt, atomically, only if
   * it is still pending, first of its conversation, due and not leased by
   * anyone (the owner included); returns it, else null.
   */
  claimOutbox(seq: number, lease: OutboxLease): Promise<OutboxEntry | null>;
  /**
   * Takes leases on the replies one commit wrote (`seqs`, in order, all of
   * one conversation), all or none: only when the first is first in line and
   * every one is pending, due and not leased. Returns them, else []. The
   * worker that committed them then delivers the lot after one claim instead
   * of one per reply.
   */
  claimOutboxRun(seqs: readonly number[], lease: OutboxLease): Promise<OutboxEntry[]>;
  /** Moves the end of a lease the owner still holds on a pending reply; false if it holds none. */
  renewOutboxLease(seq: number, lease: OutboxLease): Promise<boolean>;
  /**
   * Marks replies delivered and ends their leases. The first delivery time is kept.
   * With `keep: false` (a channel whose platform keeps the chat) the replies
   * are deleted instead, leases and all: delivered, they are needed no more.
   * The processed mark stays, so repliesTo then gives [] rather than null;
   * their seqs are never handed out again.
   */
  markDelivered(seqs: number[], now: number, options?: { keep?: boolean }): Promise<void>;
  /**
   * Records a failed attempt of a reply the owner holds: one more attempt,
   * the error, and the next attempt's time or the time it was given up; the
   * lease ends. False (nothing written) when the owner does not hold it.
   */
  failOutbox(seq: number, failure: OutboxFailure): Promise<boolean>;
  /**
   * Hands back the owner's leases without counting an attempt: one reply's
   * (`seq`), or all of them (shutting down). With `notBefore`, the released
   * replies are not due before then (a rate limit's slot). Returns how many.
   */
  releaseOutbox(owner: string, options?: { seq?: number; notBefore?: number }): Promise<number>;
  /** Pending replies per channel, with the oldest one's commit time; channels with none are left out. */
  outboxDepth(): Promise<OutboxDepth[]>;
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
   * Retention: erases every conversation idle since `before` (ms since the
   * epoch: no turn committed and no reference saved at or after it), except
   * those whose keys are in `keep` (an open case), with its marks, replies,
   * submissions, reference and delivery states. A reference saved for a
   * conversation that never committed a turn counts as one. Returns how many
   * conversation keys were erased.
   */
  deleteIdleConversations(before: number, keep: readonly string[]): Promise<number>;
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
  /** Resolves when the database answers a trivial query; rejects otherwise (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
