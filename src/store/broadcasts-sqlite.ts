import type Database from 'better-sqlite3';
import type {
  Broadcast,
  BroadcastCounts,
  BroadcastPatch,
  BroadcastStatus,
  BroadcastStore,
  NewBroadcast,
  NewRecipient,
  Recipient,
} from '../alerts/broadcasts';
import { broadcastFromRow, recipientFromRow, type BroadcastRow, type RecipientRow } from './broadcasts-rows';
import { checkLimit, toJson } from './guards';
import { MIGRATIONS } from './sqlite-schema';

function prepare(db: Database.Database) {
  return {
    insert: db.prepare(
      `INSERT INTO alert_broadcasts (id, organisation_id, created_by, countries, texts, flow, status, created_at, updated_at)
       VALUES (@id, @organisationId, @createdBy, @countries, @texts, @flow, @status, @createdAt, @updatedAt)`,
    ),
    exists: db.prepare('SELECT 1 FROM alert_broadcasts WHERE id = ?').pluck(),
    get: db.prepare('SELECT * FROM alert_broadcasts WHERE id = ?'),
    list: db.prepare('SELECT * FROM alert_broadcasts WHERE organisation_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?'),
    withStatus: db.prepare('SELECT * FROM alert_broadcasts WHERE status = ? ORDER BY created_at, rowid'),
    insertRecipient: db.prepare(
      `INSERT INTO alert_recipients (broadcast_id, conversation_key, subscription_id, channel, conversation_id, user_id, locale, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')
       ON CONFLICT (broadcast_id, conversation_key) DO NOTHING`,
    ),
    lastSubscription: db
      .prepare('SELECT coalesce(max(subscription_id), 0) FROM alert_recipients WHERE broadcast_id = ?')
      .pluck(),
    pending: db.prepare(
      "SELECT * FROM alert_recipients WHERE broadcast_id = ? AND state = 'pending' AND id > ? ORDER BY id LIMIT ?",
    ),
    mark: db.prepare(
      `UPDATE alert_recipients SET
         state = CASE WHEN state = 'sent' THEN state ELSE @state END,
         error = CASE WHEN state = 'sent' THEN error ELSE @error END
       WHERE broadcast_id = @broadcastId AND subscription_id = @subscriptionId`,
    ),
    counts: db.prepare(
      `SELECT count(*) AS total,
              coalesce(sum(state = 'pending'), 0) AS pending,
              coalesce(sum(state = 'sent'), 0) AS sent,
              coalesce(sum(state = 'failed'), 0) AS failed
       FROM alert_recipients WHERE broadcast_id = ?`,
    ),
    lease: db.prepare(
      `UPDATE alert_broadcasts SET lease_owner = @owner, lease_until = @until
       WHERE id = @id AND (lease_owner IS NULL OR lease_owner = @owner OR lease_until <= @now)`,
    ),
    release: db.prepare('UPDATE alert_broadcasts SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?'),
    deleteUser: db.prepare('DELETE FROM alert_recipients WHERE channel = ? AND user_id = ?'),
    deleteFinished: db.prepare(
      `DELETE FROM alert_recipients WHERE broadcast_id IN
         (SELECT id FROM alert_broadcasts WHERE finished_at IS NOT NULL AND finished_at < ?)`,
    ),
  };
}

/**
 * Broadcasts in the conversations' SQLite file, on their connection
 * (SqliteStore.database), which the SqliteStore owns and closes.
 */
export class SqliteBroadcastStore implements BroadcastStore {
  private readonly sql: ReturnType<typeof prepare>;
  private readonly addTx: Database.Transaction<(broadcastId: string, recipients: readonly NewRecipient[]) => number>;

  constructor(private readonly db: Database.Database) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== MIGRATIONS.length) {
      throw new Error(`the database is at schema version ${version}, not ${MIGRATIONS.length}: open it with SqliteStore first, which migrates it`);
    }
    this.sql = prepare(db);
    this.addTx = db.transaction((broadcastId, recipients) => {
      if (this.sql.exists.get(broadcastId) === undefined) throw new Error('no such broadcast');
      let added = 0;
      for (const r of recipients) {
        added += this.sql.insertRecipient.run(broadcastId, r.conversationKey, r.subscriptionId, r.ref.channel, r.ref.conversationId, r.ref.userId, r.locale).changes;
      }
      return added;
    });
  }

  async create(b: NewBroadcast): Promise<Broadcast> {
    if (this.sql.exists.get(b.id) !== undefined) throw new Error('broadcast id already used');
    this.sql.insert.run({
      id: b.id,
      organisationId: b.organisationId,
      createdBy: b.createdBy,
      countries: toJson(b.countries, 'countries'),
      texts: toJson(b.texts, 'texts'),
      flow: b.flow,
      status: b.status,
      createdAt: b.createdAt,
      updatedAt: b.updatedAt,
    });
    return (await this.get(b.id))!;
  }

  async get(id: string): Promise<Broadcast | null> {
    const row = this.sql.get.get(id) as BroadcastRow | undefined;
    return row ? broadcastFromRow(row) : null;
  }

  async list(organisationId: string, limit: number): Promise<Broadcast[]> {
    checkLimit(limit);
    return (this.sql.list.all(organisationId, limit) as BroadcastRow[]).map(broadcastFromRow);
  }

  async withStatus(status: BroadcastStatus): Promise<Broadcast[]> {
    return (this.sql.withStatus.all(status) as BroadcastRow[]).map(broadcastFromRow);
  }

  async update(id: string, patch: BroadcastPatch, from?: readonly BroadcastStatus[]): Promise<Broadcast | null> {
    const sets = ['updated_at = @updatedAt'];
    const params: Record<string, string | number | null> = { id, updatedAt: patch.updatedAt };
    if (patch.status !== undefined) {
      sets.push('status = @status');
      params.status = patch.status;
    }
    if (patch.audienceDone !== undefined) {
      sets.push('audience_done = @audienceDone');
      params.audienceDone = patch.audienceDone ? 1 : 0;
    }
    if (patch.finishedAt !== undefined) {
      sets.push('finished_at = @finishedAt');
      params.finishedAt = patch.finishedAt;
    }
    let where = 'id = @id';
    if (from) {
      where += ` AND status IN (${from.map((_, i) => `@from${i}`).join(', ') || 'NULL'})`;
      from.forEach((s, i) => (params[`from${i}`] = s));
    }
    const row = this.db.prepare(`UPDATE alert_broadcasts SET ${sets.join(', ')} WHERE ${where} RETURNING *`).get(params) as
      | BroadcastRow
      | undefined;
    return row ? broadcastFromRow(row) : null;
  }

  async addRecipients(broadcastId: string, recipients: readonly NewRecipient[]): Promise<number> {
    return this.addTx(broadcastId, recipients);
  }

  async lastSubscriptionId(broadcastId: string): Promise<number> {
    return this.sql.lastSubscription.get(broadcastId) as number;
  }

  async pending(broadcastId: string, afterId: number, limit: number): Promise<Recipient[]> {
    checkLimit(limit);
    return (this.sql.pending.all(broadcastId, afterId, limit) as RecipientRow[]).map(recipientFromRow);
  }

  async mark(broadcastId: string, subscriptionId: number, state: 'sent' | 'failed', error: string | null): Promise<boolean> {
    const result = this.sql.mark.run({ broadcastId, subscriptionId, state, error: state === 'sent' ? null : error });
    return result.changes > 0;
  }

  async counts(broadcastId: string): Promise<BroadcastCounts> {
    return this.sql.counts.get(broadcastId) as BroadcastCounts;
  }

  async lease(broadcastId: string, owner: string, until: number, now: number): Promise<boolean> {
    return this.sql.lease.run({ id: broadcastId, owner, until, now }).changes > 0;
  }

  async release(broadcastId: string, owner: string): Promise<void> {
    this.sql.release.run(broadcastId, owner);
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    return this.sql.deleteUser.run(channel, userId).changes;
  }

  async deleteFinishedRecipients(before: number): Promise<number> {
    return this.sql.deleteFinished.run(before).changes;
  }
}
