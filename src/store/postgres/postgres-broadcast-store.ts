import type {
  Broadcast,
  BroadcastCounts,
  BroadcastPatch,
  BroadcastStatus,
  BroadcastStore,
  NewBroadcast,
  NewRecipient,
  Recipient,
} from '../../alerts/broadcasts';
import { broadcastFromRow, recipientFromRow, type BroadcastRow, type RecipientRow } from '../broadcasts-rows';
import { checkLimit, toJson } from '../guards';
import { inTransaction, run, sqlState, type PostgresDatabase } from './pool';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/** Broadcasts on the conversations' pool (PostgresDatabase), which the PostgresStore owns and ends. */
export class PostgresBroadcastStore implements BroadcastStore {
  constructor(private readonly db: PostgresDatabase) {}

  async create(b: NewBroadcast): Promise<Broadcast> {
    try {
      const { rows } = await run<BroadcastRow>(
        this.db.pool,
        `INSERT INTO alert_broadcasts (id, organisation_id, created_by, countries, texts, flow, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [b.id, b.organisationId, b.createdBy, toJson(b.countries, 'countries'), toJson(b.texts, 'texts'), b.flow, b.status, b.createdAt, b.updatedAt],
      );
      return broadcastFromRow(rows[0]!);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new Error('broadcast id already used');
      throw err;
    }
  }

  async get(id: string): Promise<Broadcast | null> {
    const { rows } = await run<BroadcastRow>(this.db.pool, 'SELECT * FROM alert_broadcasts WHERE id = $1', [id]);
    return rows[0] ? broadcastFromRow(rows[0]) : null;
  }

  async list(organisationId: string, limit: number): Promise<Broadcast[]> {
    checkLimit(limit);
    const { rows } = await run<BroadcastRow>(
      this.db.pool,
      'SELECT * FROM alert_broadcasts WHERE organisation_id = $1 ORDER BY created_at DESC, seq DESC LIMIT $2',
      [organisationId, limit],
    );
    return rows.map(broadcastFromRow);
  }

  async withStatus(status: BroadcastStatus): Promise<Broadcast[]> {
    const { rows } = await run<BroadcastRow>(this.db.pool, 'SELECT * FROM alert_broadcasts WHERE status = $1 ORDER BY created_at, seq', [
      status,
    ]);
    return rows.map(broadcastFromRow);
  }

  async update(id: string, patch: BroadcastPatch, from?: readonly BroadcastStatus[]): Promise<Broadcast | null> {
    const params: unknown[] = [id, patch.updatedAt];
    const sets = ['updated_at = $2'];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (patch.status !== undefined) set('status', patch.status);
    if (patch.audienceDone !== undefined) set('audience_done', patch.audienceDone);
    if (patch.finishedAt !== undefined) set('finished_at', patch.finishedAt);
    let where = 'id = $1';
    if (from) {
      params.push([...from]);
      where += ` AND status = ANY($${params.length}::text[])`;
    }
    const { rows } = await run<BroadcastRow>(this.db.pool, `UPDATE alert_broadcasts SET ${sets.join(', ')} WHERE ${where} RETURNING *`, params);
    return rows[0] ? broadcastFromRow(rows[0]) : null;
  }

  async addRecipients(broadcastId: string, recipients: readonly NewRecipient[]): Promise<number> {
    try {
      return await inTransaction(this.db.pool, async (client) => {
        const exists = await run(client, 'SELECT 1 FROM alert_broadcasts WHERE id = $1', [broadcastId]);
        if (exists.rowCount === 0) throw new Error('no such broadcast');
        if (recipients.length === 0) return 0;
        const { rowCount } = await run(
          client,
          `INSERT INTO alert_recipients (broadcast_id, conversation_key, subscription_id, channel, conversation_id, user_id, locale, state)
           SELECT $1, k, s, c, ci, u, l, 'pending'
           FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(k, s, c, ci, u, l)
           ON CONFLICT (broadcast_id, conversation_key) DO NOTHING`,
          [
            broadcastId,
            recipients.map((r) => r.conversationKey),
            recipients.map((r) => r.subscriptionId),
            recipients.map((r) => r.ref.channel),
            recipients.map((r) => r.ref.conversationId),
            recipients.map((r) => r.ref.userId),
            recipients.map((r) => r.locale),
          ],
        );
        return rowCount ?? 0;
      });
    } catch (err) {
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw new Error('no such broadcast');
      throw err;
    }
  }

  async lastSubscriptionId(broadcastId: string): Promise<number> {
    const { rows } = await run<{ last: number }>(
      this.db.pool,
      'SELECT coalesce(max(subscription_id), 0)::bigint AS last FROM alert_recipients WHERE broadcast_id = $1',
      [broadcastId],
    );
    return rows[0]!.last;
  }

  async pending(broadcastId: string, afterId: number, limit: number): Promise<Recipient[]> {
    checkLimit(limit);
    const { rows } = await run<RecipientRow>(
      this.db.pool,
      "SELECT * FROM alert_recipients WHERE broadcast_id = $1 AND state = 'pending' AND id > $2 ORDER BY id LIMIT $3",
      [broadcastId, afterId, limit],
    );
    return rows.map(recipientFromRow);
  }

  async mark(broadcastId: string, subscriptionId: number, state: 'sent' | 'failed', error: string | null): Promise<boolean> {
    const { rowCount } = await run(
      this.db.pool,
      `UPDATE alert_recipients SET
         state = CASE WHEN state = 'sent' THEN state ELSE $3 END,
         error = CASE WHEN state = 'sent' THEN error ELSE $4 END
       WHERE broadcast_id = $1 AND subscription_id = $2`,
      [broadcastId, subscriptionId, state, state === 'sent' ? null : error],
    );
    return (rowCount ?? 0) > 0;
  }

  async counts(broadcastId: string): Promise<BroadcastCounts> {
    const { rows } = await run<BroadcastCounts>(
      this.db.pool,
      `SELECT count(*)::bigint AS total,
              count(*) FILTER (WHERE state = 'pending')::bigint AS pending,
              count(*) FILTER (WHERE state = 'sent')::bigint AS sent,
              count(*) FILTER (WHERE state = 'failed')::bigint AS failed
       FROM alert_recipients WHERE broadcast_id = $1`,
      [broadcastId],
    );
    return rows[0]!;
  }

  async lease(broadcastId: string, owner: string, until: number, now: number): Promise<boolean> {
    const { rowCount } = await run(
      this.db.pool,
      `UPDATE alert_broadcasts SET lease_owner = $2, lease_until = $3
       WHERE id = $1 AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until <= $4)`,
      [broadcastId, owner, until, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async release(broadcastId: string, owner: string): Promise<void> {
    await run(this.db.pool, 'UPDATE alert_broadcasts SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [
      broadcastId,
      owner,
    ]);
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    const { rowCount } = await run(this.db.pool, 'DELETE FROM alert_recipients WHERE channel = $1 AND user_id = $2', [channel, userId]);
    return rowCount ?? 0;
  }

  async deleteFinishedRecipients(before: number): Promise<number> {
    const { rowCount } = await run(
      this.db.pool,
      `DELETE FROM alert_recipients WHERE broadcast_id IN
         (SELECT id FROM alert_broadcasts WHERE finished_at IS NOT NULL AND finished_at < $1)`,
      [before],
    );
    return rowCount ?? 0;
  }
}
