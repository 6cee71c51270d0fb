import { z } from 'zod';
import type { Subscription, SubscriptionUpsert } from '../alerts/subscriptions';

/**
 * The `alert_subscriptions` row as both SQL stores (SQLite, PostgreSQL) read
 * it back: checked, so a bad row fails loudly instead of sending an alert to
 * the wrong place or in a language nobody asked for.
 */
const SubscriptionRowSchema = z.object({
  id: z.number().int().positive(),
  conversation_key: z.string(),
  channel: z.string(),
  conversation_id: z.string(),
  user_id: z.string(),
  scope: z.enum(['origin', 'current']),
  country: z.string(),
  locale: z.string(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

export function subscriptionFromRow(row: unknown): Subscription {
  const r = SubscriptionRowSchema.parse(row);
  return {
    id: r.id,
    conversationKey: r.conversation_key,
    ref: { channel: r.channel, conversationId: r.conversation_id, userId: r.user_id },
    scope: r.scope,
    country: r.country,
    locale: r.locale,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const CountrySchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, upper case');

const UpsertSchema = z.object({
  conversationKey: z.string().min(1),
  ref: z.object({ channel: z.string().min(1), conversationId: z.string().min(1), userId: z.string().min(1) }),
  scope: z.enum(['origin', 'current']),
  country: CountrySchema,
  locale: z.string().min(1),
  now: z.number().int(),
});

/** What every store refuses before writing: a subscription nobody could be alerted by. */
export function checkUpsert(sub: SubscriptionUpsert): void {
  UpsertSchema.parse(sub);
}

export function checkCountry(country: string): void {
  CountrySchema.parse(country);
}
