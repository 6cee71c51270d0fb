import type Database from 'better-sqlite3';
import type {
  AudienceFilter,
  Subscription,
  SubscriptionScope,
  SubscriptionStore,
  SubscriptionUpsert,
} from '../alerts/subscriptions';
import { checkLimit, toJson } from './guards';
import { MIGRATIONS } from './sqlite-schema';
import { checkCountry, checkUpsert, subscriptionFromRow } from './subscription-rows';

/** The audience condition on `s`, with the lists as JSON so one statement serves every filter. */
const MATCHES = (alias: string) => `
  ${alias}.country IN (SELECT value FROM json_each(@countries))
  AND ${alias}.locale IN (SELECT value FROM json_each(@locales))`;

/** Each conversation's first matching row only: a person subscribed about both countries gets one alert. */
const FIRST_MATCH = `${MATCHES('s')}
  AND NOT EXISTS (
    SELECT 1 FROM alert_subscriptions o
    WHERE o.conversation_key = s.conversation_key AND o.id < s.id AND ${MATCHES('o')}
  )`;

function prepare(db: Database.Database) {
  return {
    upsert: db.prepare(`
      INSERT INTO alert_subscriptions
        (conversation_key, channel, conversation_id, user_id, scope, country, locale, created_at, updated_at)
      VALUES (@conversationKey, @channel, @conversationId, @userId, @scope, @country, @locale, @now, @now)
      ON CONFLICT (conversation_key, scope) DO UPDATE SET
        channel = excluded.channel, conversation_id = excluded.conversation_id, user_id = excluded.user_id,
        country = excluded.country, locale = excluded.locale, updated_at = excluded.updated_at
      RETURNING *`),
    listFor: db.prepare('SELECT * FROM alert_subscriptions WHERE conversation_key = ? ORDER BY id'),
    removeAll: db.prepare('DELETE FROM alert_subscriptions WHERE conversation_key = ?'),
    removeScope: db.prepare('DELETE FROM alert_subscriptions WHERE conversation_key = ? AND scope = ?'),
    setLocale: db.prepare(
      'UPDATE alert_subscriptions SET locale = @locale, updated_at = @now WHERE conversation_key = @key AND locale <> @locale',
    ),
    setCountry: db.prepare(
      `UPDATE alert_subscriptions SET country = @country, updated_at = @now
       WHERE conversation_key = @key AND scope = @scope AND country <> @country`,
    ),
    audience: db.prepare(`SELECT s.* FROM alert_subscriptions s WHERE s.id > @afterId AND ${FIRST_MATCH} ORDER BY s.id LIMIT @limit`),
    countAudience: db.prepare(`
      SELECT s.channel, s.locale, COUNT(*) AS count FROM alert_subscriptions s WHERE ${FIRST_MATCH}
      GROUP BY s.channel, s.locale ORDER BY s.channel, s.locale`),
    keys: db.prepare('SELECT DISTINCT conversation_key FROM alert_subscriptions ORDER BY conversation_key'),
    deleteUser: db.prepare('DELETE FROM alert_subscriptions WHERE channel = ? AND user_id = ?'),
  };
}

/**
 * Alert subscriptions in the same SQLite file as the conversations, on the
 * same connection (SqliteStore.database), which the SqliteStore closes.
 */
export class SqliteSubscriptionStore implements SubscriptionStore {
  private readonly sql: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== MIGRATIONS.length) {
      throw new Error(
        `the database is at schema version ${version}, not ${MIGRATIONS.length}: open it with SqliteStore first, which migrates it`,
      );
    }
    this.sql = prepare(db);
  }

  async upsert(sub: SubscriptionUpsert): Promise<Subscription> {
    checkUpsert(sub);
    const row = this.sql.upsert.get({
      conversationKey: sub.conversationKey,
      channel: sub.ref.channel,
      conversationId: sub.ref.conversationId,
      userId: sub.ref.userId,
      scope: sub.scope,
      country: sub.country,
      locale: sub.locale,
      now: sub.now,
    });
    return subscriptionFromRow(row);
  }

  async listFor(conversationKey: string): Promise<Subscription[]> {
    return this.sql.listFor.all(conversationKey).map(subscriptionFromRow);
  }

  async remove(conversationKey: string, scope?: SubscriptionScope): Promise<number> {
    const result = scope === undefined ? this.sql.removeAll.run(conversationKey) : this.sql.removeScope.run(conversationKey, scope);
    return result.changes;
  }

  async setLocale(conversationKey: string, locale: string, now: number): Promise<void> {
    this.sql.setLocale.run({ key: conversationKey, locale, now });
  }

  async setCountry(conversationKey: string, scope: SubscriptionScope, country: string, now: number): Promise<void> {
    checkCountry(country);
    this.sql.setCountry.run({ key: conversationKey, scope, country, now });
  }

  async audience(filter: AudienceFilter, afterId: number, limit: number): Promise<Subscription[]> {
    checkLimit(limit);
    return this.sql.audience.all({ ...lists(filter), afterId, limit }).map(subscriptionFromRow);
  }

  async countAudience(filter: AudienceFilter): Promise<{ channel: string; locale: string; count: number }[]> {
    return this.sql.countAudience.all(lists(filter)) as { channel: string; locale: string; count: number }[];
  }

  async subscribedKeys(): Promise<string[]> {
    return (this.sql.keys.all() as { conversation_key: string }[]).map((r) => r.conversation_key);
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    return this.sql.deleteUser.run(channel, userId).changes;
  }
}

function lists(filter: AudienceFilter): { countries: string; locales: string } {
  return { countries: toJson(filter.countries, 'countries'), locales: toJson(filter.locales, 'locales') };
}
