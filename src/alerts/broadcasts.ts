import type { ConversationRef } from '../conversation/record';

/**
 * An alert an admin sends to subscribers (src/alerts/subscriptions.ts):
 * `sending` until every recipient was tried (`done`), unless an admin pauses
 * or cancels it. What a recipient gets is the admin's text in the
 * recipient's language; a language without text gets nothing.
 */
export type BroadcastStatus = 'sending' | 'paused' | 'cancelled' | 'done';

export const BROADCAST_STATUSES: readonly BroadcastStatus[] = ['sending', 'paused', 'cancelled', 'done'];

/** `failed` keeps the reason in `error` (the channel's, or `unsubscribed` when the person left meanwhile). */
export type RecipientState = 'pending' | 'sent' | 'failed';

export interface Broadcast {
  id: string;
  organisationId: string;
  /** The staff user who composed it. */
  createdBy: string;
  /** ISO 3166-1 alpha-2, upper case. */
  countries: string[];
  /** The alert's text per locale; only these locales receive it. */
  texts: Record<string, string>;
  /** The flow offered as a link under the text, or none. */
  flow: string | null;
  status: BroadcastStatus;
  /** Every recipient has been written down (the audience when sending started). */
  audienceDone: boolean;
  createdAt: number;
  updatedAt: number;
  /** When it became `done` or `cancelled`: retention counts from here. */
  finishedAt: number | null;
}

export type NewBroadcast = Omit<Broadcast, 'audienceDone' | 'finishedAt'>;

export interface BroadcastPatch {
  status?: BroadcastStatus;
  audienceDone?: boolean;
  finishedAt?: number | null;
  updatedAt: number;
}

export interface NewRecipient {
  conversationKey: string;
  subscriptionId: number;
  ref: ConversationRef;
  locale: string;
}

export interface Recipient extends NewRecipient {
  /** Increasing in write order, for paging. */
  id: number;
  broadcastId: string;
  state: RecipientState;
  error: string | null;
}

export interface BroadcastCounts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
}

export interface BroadcastStore {
  create(broadcast: NewBroadcast): Promise<Broadcast>;
  get(id: string): Promise<Broadcast | null>;
  /** An organisation's broadcasts, newest first. */
  list(organisationId: string, limit: number): Promise<Broadcast[]>;
  /** Every broadcast in this status (a restart resumes those left `sending`). */
  withStatus(status: BroadcastStatus): Promise<Broadcast[]>;
  /**
   * Changes the broadcast only when its status is one of `from` (none: any),
   * so a pause and a finish racing each other cannot both win. Null when it
   * did not change (missing, or in another status).
   */
  update(id: string, patch: BroadcastPatch, from?: readonly BroadcastStatus[]): Promise<Broadcast | null>;
  /** Adds recipients as `pending`; one per conversation, a second add of one is ignored. Returns how many were new. */
  addRecipients(broadcastId: string, recipients: readonly NewRecipient[]): Promise<number>;
  /** The highest subscription id written down, to continue the audience after a restart; 0 for none. */
  lastSubscriptionId(broadcastId: string): Promise<number>;
  /** Pending recipients in id order after `afterId`. */
  pending(broadcastId: string, afterId: number, limit: number): Promise<Recipient[]>;
  /**
   * Records how a recipient's alert went. `sent` is final: a late report of
   * an earlier failure does not undo it. False when there is no such recipient.
   */
  mark(broadcastId: string, subscriptionId: number, state: 'sent' | 'failed', error: string | null): Promise<boolean>;
  counts(broadcastId: string): Promise<BroadcastCounts>;
  /**
   * Takes (or renews) the right to send the broadcast until `until`: granted
   * when nobody holds it, this owner holds it, or the holder's time ran out.
   */
  lease(broadcastId: string, owner: string, until: number, now: number): Promise<boolean>;
  /** Gives the lease back, if this owner holds it. */
  release(broadcastId: string, owner: string): Promise<void>;
  /** The right to erasure: every recipient row of one user on one channel; returns how many. */
  deleteUser(channel: string, userId: string): Promise<number>;
  /** Retention: the recipient rows of broadcasts finished before `before`; returns how many. */
  deleteFinishedRecipients(before: number): Promise<number>;
}
