import type { ConversationRef } from '../conversation/record';

/**
 * Alerts a person asked for: emergencies in their home country (`origin`) or
 * in the country they are in now (`current`). Nobody is subscribed without
 * saying yes; `unsubscribe` removes them all.
 */
export type SubscriptionScope = 'origin' | 'current';

export interface Subscription {
  /** Increasing in write order, for paging through subscribers. */
  id: number;
  conversationKey: string;
  ref: ConversationRef;
  scope: SubscriptionScope;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  /** The person's language when they subscribed or last wrote: the alert text they get. */
  locale: string;
  createdAt: number;
  updatedAt: number;
}

export interface SubscriptionUpsert {
  conversationKey: string;
  ref: ConversationRef;
  scope: SubscriptionScope;
  country: string;
  locale: string;
  now: number;
}

/**
 * Whom an alert reaches: subscribers about one of the countries, speaking one
 * of the locales. An empty list matches nobody, so a half-filled form never
 * reaches everyone.
 */
export interface AudienceFilter {
  countries: readonly string[];
  locales: readonly string[];
}

export interface SubscriptionStore {
  /** One subscription per conversation and scope: a second yes updates country and locale. */
  upsert(sub: SubscriptionUpsert): Promise<Subscription>;
  listFor(conversationKey: string): Promise<Subscription[]>;
  /** Removes the conversation's subscriptions (one scope, or all); returns how many. */
  remove(conversationKey: string, scope?: SubscriptionScope): Promise<number>;
  /** Keeps the alert language in step with the person's (a no-op when unchanged or not subscribed). */
  setLocale(conversationKey: string, locale: string, now: number): Promise<void>;
  /**
   * Moves one scope's subscription to another country, e.g. `current` when the
   * person says they are somewhere else now (a no-op when unchanged or not subscribed).
   */
  setCountry(conversationKey: string, scope: SubscriptionScope, country: string, now: number): Promise<void>;
  /**
   * Matching subscribers, one entry per conversation (the lowest id when a
   * person is subscribed under both scopes), in id order after `afterId`.
   */
  audience(filter: AudienceFilter, afterId: number, limit: number): Promise<Subscription[]>;
  /** How many conversations `audience` would give, per channel and locale. */
  countAudience(filter: AudienceFilter): Promise<{ channel: string; locale: string; count: number }[]>;
  /** Conversation keys with a subscription: retention keeps them (the person asked to hear from us). */
  subscribedKeys(): Promise<string[]>;
  /** The right to erasure: every subscription of one user on one channel; returns how many. */
  deleteUser(channel: string, userId: string): Promise<number>;
}
