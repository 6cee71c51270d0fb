import type {
  AudienceFilter,
  Subscription,
  SubscriptionScope,
  SubscriptionStore,
  SubscriptionUpsert,
} from '../../alerts/subscriptions';
import { checkLimit } from '../guards';
import { checkCountry, checkUpsert, subscriptionFromRow } from '../subscription-rows';
import { run, type PostgresDatabase } from './pool';

/** The audience condition on `alias`: $1 the countries, $2 the locales. */
const MATCHES = (alias: string) => `${alias}.country = ANY($1::text[]) AND ${alias}.locale = ANY($2::text[])`;

/** Each conversation's first matching row only: a person subscribed about both countries gets one alert. */
const FIRST_MATCH = `${MATCHES('s')}
  AND NOT EXISTS (
    SELECT 1 FROM alert_subscriptions o
    WHERE o.conversation_key = s.conversation_key AND o.id < s.id AND ${MATCHES('o')}
  )`;

interface CountRow {
  channel: string;
  locale: string;
  count: number;
}

/**
 * Alert subscriptions in PostgreSQL, on the pool of the PostgresStore (which
 * ends it). Each method is one statement; the unique key on (conversation,
 * scope) makes a second yes an update.
 */
export class PostgresSubscriptionStore implements SubscriptionStore {
  constructor(private readonly db: PostgresDatabase) {}

  async upsert(sub: SubscriptionUpsert): Promise<Subscription> {
    checkUpsert(sub);
    const { rows } = await run(
      this.db.pool,
      `INSERT INTO alert_subscriptions
         (conversation_key, channel, conversation_id, user_id, scope, country, locale, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
       ON CONFLICT (conversation_key, scope) DO UPDATE SET
         channel = excluded.channel, conversation_id = excluded.conversation_id, user_id = excluded.user_id,
         country = excluded.country, locale = excluded.locale, updated_at = excluded.updated_at
       RETURNING *`,
      [sub.conversationKey, sub.ref.channel, sub.ref.conversationId, sub.ref.userId, sub.scope, sub.country, sub.locale, sub.now],
    );
    return subscriptionFromRow(rows[0]);
  }

  async listFor(conversationKey: string): Promise<Subscription[]> {
    const { rows } = await run(this.db.pool, 'SELECT * FROM alert_subscriptions WHERE conversation_key = $1 ORDER BY id', [
      conversationKey,
    ]);
    return rows.map(subscriptionFromRow);
  }

  async remove(conversationKey: string, scope?: SubscriptionScope): Promise<number> {
    const result =
      scope === undefined
        ? await run(this.db.pool, 'DELETE FROM alert_subscriptions WHERE conversation_key = $1', [conversationKey])
        : await run(this.db.pool, 'DELETE FROM alert_subscriptions WHERE conversation_key = $1 AND scope = $2', [
            conversationKey,
            scope,
          ]);
    return result.rowCount ?? 0;
  }

  async setLocale(conversationKey: string, locale: string, now: number): Promise<void> {
    await run(
      this.db.pool,
      'UPDATE alert_subscriptions SET locale = $2, updated_at = $3 WHERE conversation_key = $1 AND locale <> $2',
      [conversationKey, locale, now],
    );
  }

  async setCountry(conversationKey: string, scope: SubscriptionScope, country: string, now: number): Promise<void> {
    checkCountry(country);
    await run(
      this.db.pool,
      `UPDATE alert_subscriptions SET country = $3, updated_at = $4
       WHERE conversation_key = $1 AND scope = $2 AND country <> $3`,
      [conversationKey, scope, country, now],
    );
  }

  async audience(filter: AudienceFilter, afterId: number, limit: number): Promise<Subscription[]> {
    checkLimit(limit);
    const { rows } = await run(
      this.db.pool,
      `SELECT s.* FROM alert_subscriptions s WHERE s.id > $3 AND ${FIRST_MATCH} ORDER BY s.id LIMIT $4`,
      [filter.countries, filter.locales, afterId, limit],
    );
    return rows.map(subscriptionFromRow);
  }

  async countAudience(filter: AudienceFilter): Promise<{ channel: string; locale: string; count: number }[]> {
    // "C": byte order, as SQLite and the memory store sort, whatever the database's locale.
    const { rows } = await run<CountRow>(
      this.db.pool,
      `SELECT s.channel, s.locale, COUNT(*)::int AS count FROM alert_subscriptions s WHERE ${FIRST_MATCH}
       GROUP BY s.channel, s.locale ORDER BY s.channel COLLATE "C", s.locale COLLATE "C"`,
      [filter.countries, filter.locales],
    );
    return rows.map((r) => ({ channel: r.channel, locale: r.locale, count: r.count }));
  }

  async subscribedKeys(): Promise<string[]> {
    const { rows } = await run<{ conversation_key: string }>(
      this.db.pool,
      'SELECT DISTINCT conversation_key COLLATE "C" AS conversation_key FROM alert_subscriptions ORDER BY 1',
    );
    return rows.map((r) => r.conversation_key);
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    const result = await run(this.db.pool, 'DELETE FROM alert_subscriptions WHERE channel = $1 AND user_id = $2', [channel, userId]);
    return result.rowCount ?? 0;
  }
}
