import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { checkLimit, conversationRow, fromJson, serialiseTurn, toJson, type SerialisedTurn } from './guards';
import { migrate } from './sqlite-schema';
import {
  DELIVERY_RANK,
  type CommitResult,
  type Delivery,
  type DeliveryState,
  type OutboxEntry,
  type Store,
  type StoredConversation,
  type Submission,
  type SubmissionFilter,
  type TurnCommit,
} from './store';

export interface SqliteStoreOptions {
  /** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

interface OutboxRow {
  seq: number;
  conversation_key: string;
  channel: string;
  message_id: string;
  message: string;
  created_at: number;
  delivered_at: number | null;
}

const OUTBOX_COLUMNS = 'seq, conversation_key, channel, message_id, message, created_at, delivered_at';

interface SubmissionRow {
  id: number;
  conversation_key: string;
  channel: string;
  user_id: string;
  kind: string;
  data: string;
  created_at: number;
}

interface DeliveryRow {
  channel: string;
  external_id: string;
  conversation_key: string;
  user_id: string;
  state: DeliveryState;
  error_code: number | null;
  error_title: string | null;
  updated_at: number;
}

const SUBMISSIONS = 'SELECT id, conversation_key, channel, user_id, kind, data, created_at FROM submissions';

/**
 * The store for one instance: a single SQLite file in WAL mode, so readers
 * never wait for the writer. better-sqlite3 is synchronous, so each method
 * runs to completion before the next starts; the IMMEDIATE transactions
 * matter when another process opens the same file.
 */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepare>;
  private readonly commitTx: Database.Transaction<(c: TurnCommit, turn: SerialisedTurn) => CommitResult>;
  private readonly deleteUserTx: Database.Transaction<(channel: string, userId: string) => number>;
  private readonly markDeliveredTx: Database.Transaction<(seqs: number[], now: number) => void>;

  /** `path` is a file (its directory is created if missing) or `:memory:`. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      // WAL must be set outside a transaction, so before the migrations.
      this.db.pragma('journal_mode = WAL');
      // With WAL, NORMAL loses at most the last commits on power loss, never integrity.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      migrate(this.db);
      this.sql = prepare(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.commitTx = this.db.transaction((c, turn) => this.writeTurn(c, turn));
    this.deleteUserTx = this.db.transaction((channel, userId) => this.eraseUser(channel, userId));
    this.markDeliveredTx = this.db.transaction((seqs, now) => {
      for (const seq of seqs) this.sql.markDelivered.run(now, seq);
    });
  }

  /**
   * The connection, for the other stores kept in the same file (the handoff):
   * one connection means one writer and no SQLITE_BUSY between them. This
   * store owns it and closes it; the others must be closed first.
   */
  get database(): Database.Database {
    return this.db;
  }

  async getConversation(conversationKey: string): Promise<StoredConversation | null> {
    const row = this.sql.getConversation.get(conversationKey) as { data: string; rev: number } | undefined;
    if (!row) return null;
    const data = fromJson(row.data, { table: 'conversations', column: 'data', row: conversationRow(conversationKey) });
    return { data, rev: row.rev };
  }

  async isProcessed(channel: string, messageId: string): Promise<boolean> {
    return this.sql.getMark.get(channel, messageId) !== undefined;
  }

  async commitTurn(c: TurnCommit): Promise<CommitResult> {
    return this.commitTx.immediate(c, serialiseTurn(c));
  }

  async repliesTo(channel: string, messageId: string): Promise<OutboxEntry[] | null> {
    const mark = this.sql.getMark.get(channel, messageId) as { conversation_key: string } | undefined;
    if (!mark) return null;
    return this.entries(this.sql.repliesTo.all(mark.conversation_key, channel, messageId));
  }

  async outboxSince(conversationKey: string, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return this.entries(this.sql.outboxSince.all(conversationKey, afterSeq, limit));
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return this.entries(this.sql.pendingOutbox.all(limit));
  }

  async markDelivered(seqs: number[], now: number): Promise<void> {
    if (seqs.length > 0) this.markDeliveredTx.immediate(seqs, now);
  }

  async listSubmissions(filter: SubmissionFilter, limit: number): Promise<Submission[]> {
    checkLimit(limit);
    return (this.submissionRows(filter, limit) as SubmissionRow[]).map((r) => ({
      id: r.id,
      conversationKey: r.conversation_key,
      channel: r.channel,
      userId: r.user_id,
      kind: r.kind,
      data: fromJson(r.data, { table: 'submissions', column: 'data', row: `id ${r.id}` }),
      createdAt: r.created_at,
    }));
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    return this.deleteUserTx.immediate(channel, userId);
  }

  async saveReference(
    conversationKey: string,
    channel: string,
    userId: string,
    reference: unknown,
    now: number,
  ): Promise<void> {
    this.sql.saveReference.run(conversationKey, channel, userId, toJson(reference, 'reference'), now);
  }

  async getReference(conversationKey: string): Promise<unknown | null> {
    const row = this.sql.getReference.get(conversationKey) as { data: string } | undefined;
    if (!row) return null;
    return fromJson(row.data, { table: 'channel_refs', column: 'data', row: conversationRow(conversationKey) });
  }

  async recordDelivery(d: Delivery): Promise<void> {
    this.sql.recordDelivery.run({
      channel: d.channel,
      externalId: d.externalId,
      conversationKey: d.conversationKey,
      userId: d.userId,
      state: d.state,
      rank: DELIVERY_RANK[d.state],
      errorCode: d.errorCode,
      errorTitle: d.errorTitle,
      updatedAt: d.updatedAt,
    });
  }

  async getDelivery(channel: string, externalId: string): Promise<Delivery | null> {
    const row = this.sql.getDelivery.get(channel, externalId) as DeliveryRow | undefined;
    if (!row) return null;
    return {
      channel: row.channel,
      externalId: row.external_id,
      conversationKey: row.conversation_key,
      userId: row.user_id,
      state: row.state,
      errorCode: row.error_code,
      errorTitle: row.error_title,
      updatedAt: row.updated_at,
    };
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Lets SQLite refresh the statistics its query planner relies on; cheap when nothing changed.
    this.db.pragma('optimize');
    this.db.close();
  }

  private writeTurn(c: TurnCommit, { record: data, outbox: messages, submissions }: SerialisedTurn): CommitResult {
    if (this.sql.getMark.get(c.channel, c.messageId)) return { ok: false, reason: 'duplicate' };
    const written =
      c.expectedRev === 0
        ? this.sql.insertConversation.run(c.conversationKey, c.channel, c.userId, data, c.now)
        : this.sql.updateConversation.run(c.channel, c.userId, data, c.now, c.conversationKey, c.expectedRev);
    if (written.changes === 0) return { ok: false, reason: 'conflict' };
    this.sql.insertMark.run(c.channel, c.messageId, c.conversationKey, c.now);
    for (const { kind, data: text } of submissions) {
      this.sql.insertSubmission.run(c.conversationKey, c.channel, c.userId, kind, text, c.now);
    }
    const outbox = messages.map((message): OutboxEntry => {
      const { lastInsertRowid } = this.sql.insertOutbox.run(c.conversationKey, c.channel, c.messageId, message, c.now);
      // A fresh parse, not the caller's object: the result must not alias what the caller still holds.
      return {
        seq: Number(lastInsertRowid),
        conversationKey: c.conversationKey,
        channel: c.channel,
        messageId: c.messageId,
        message: JSON.parse(message) as unknown,
        createdAt: c.now,
        deliveredAt: null,
      };
    });
    return { ok: true, rev: c.expectedRev + 1, outbox };
  }

  private eraseUser(channel: string, userId: string): number {
    // Children first: the foreign keys refuse to orphan marks, replies or submissions.
    this.sql.deleteUserSubmissions.run({ channel, userId });
    this.sql.deleteUserOutbox.run(channel, userId);
    this.sql.deleteUserMarks.run(channel, userId);
    this.sql.deleteUserReferences.run(channel, userId);
    this.sql.deleteUserDeliveries.run(channel, userId);
    return this.sql.deleteUserConversations.run(channel, userId).changes;
  }

  /** One statement per filter shape, so each can use its index rather than a scan. */
  private submissionRows({ kind, conversationKey }: SubmissionFilter, limit: number): unknown[] {
    if (kind !== undefined && conversationKey !== undefined) {
      return this.sql.submissionsOfKindIn.all(kind, conversationKey, limit);
    }
    if (kind !== undefined) return this.sql.submissionsOfKind.all(kind, limit);
    if (conversationKey !== undefined) return this.sql.submissionsIn.all(conversationKey, limit);
    return this.sql.submissions.all(limit);
  }

  private entries(rows: unknown[]): OutboxEntry[] {
    return (rows as OutboxRow[]).map((r) => ({
      seq: r.seq,
      conversationKey: r.conversation_key,
      channel: r.channel,
      messageId: r.message_id,
      message: fromJson(r.message, { table: 'outbox', column: 'message', row: `seq ${r.seq}` }),
      createdAt: r.created_at,
      deliveredAt: r.delivered_at,
    }));
  }
}

/** Every statement, compiled once at open rather than on each call. */
function prepare(db: Database.Database) {
  const userConversations = 'SELECT key FROM conversations WHERE channel = ? AND user_id = ?';
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    getConversation: s('SELECT data, rev FROM conversations WHERE key = ?'),
    insertConversation: s(
      `INSERT INTO conversations (key, channel, user_id, data, rev, updated_at) VALUES (?, ?, ?, ?, 1, ?)
       ON CONFLICT (key) DO NOTHING`,
    ),
    updateConversation: s(
      `UPDATE conversations SET channel = ?, user_id = ?, data = ?, rev = rev + 1, updated_at = ?
       WHERE key = ? AND rev = ?`,
    ),
    getMark: s('SELECT conversation_key FROM processed WHERE channel = ? AND message_id = ?'),
    insertMark: s('INSERT INTO processed (channel, message_id, conversation_key, created_at) VALUES (?, ?, ?, ?)'),
    insertOutbox: s(
      'INSERT INTO outbox (conversation_key, channel, message_id, message, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    // Bounded by the conversation index: the message's replies sit among its conversation's rows.
    repliesTo: s(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conversation_key = ? AND channel = ? AND message_id = ? ORDER BY seq`,
    ),
    outboxSince: s(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conversation_key = ? AND seq > ? ORDER BY seq LIMIT ?`),
    pendingOutbox: s(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE delivered_at IS NULL ORDER BY seq LIMIT ?`),
    markDelivered: s('UPDATE outbox SET delivered_at = ? WHERE seq = ? AND delivered_at IS NULL'),
    deleteUserOutbox: s(`DELETE FROM outbox WHERE conversation_key IN (${userConversations})`),
    deleteUserMarks: s(`DELETE FROM processed WHERE conversation_key IN (${userConversations})`),
    insertSubmission: s(
      `INSERT INTO submissions (conversation_key, channel, user_id, kind, data, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    submissions: s(`${SUBMISSIONS} ORDER BY id LIMIT ?`),
    submissionsOfKind: s(`${SUBMISSIONS} WHERE kind = ? ORDER BY id LIMIT ?`),
    submissionsIn: s(`${SUBMISSIONS} WHERE conversation_key = ? ORDER BY id LIMIT ?`),
    submissionsOfKindIn: s(`${SUBMISSIONS} WHERE kind = ? AND conversation_key = ? ORDER BY id LIMIT ?`),
    // The user's own, wherever they are, and all of the conversations about to go (the foreign key needs that).
    deleteUserSubmissions: s(
      `DELETE FROM submissions WHERE (channel = @channel AND user_id = @userId)
       OR conversation_key IN (SELECT key FROM conversations WHERE channel = @channel AND user_id = @userId)`,
    ),
    saveReference: s(
      `INSERT INTO channel_refs (conversation_key, channel, user_id, data, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (conversation_key) DO UPDATE SET
         channel = excluded.channel, user_id = excluded.user_id, data = excluded.data, updated_at = excluded.updated_at`,
    ),
    getReference: s('SELECT data FROM channel_refs WHERE conversation_key = ?'),
    deleteUserReferences: s('DELETE FROM channel_refs WHERE channel = ? AND user_id = ?'),
    recordDelivery: s(
      `INSERT INTO deliveries (channel, external_id, conversation_key, user_id, state, rank, error_code, error_title, updated_at)
       VALUES (@channel, @externalId, @conversationKey, @userId, @state, @rank, @errorCode, @errorTitle, @updatedAt)
       ON CONFLICT (channel, external_id) DO UPDATE SET
         state = excluded.state, rank = excluded.rank, error_code = excluded.error_code,
         error_title = excluded.error_title, updated_at = excluded.updated_at
       WHERE excluded.rank >= deliveries.rank`,
    ),
    getDelivery: s('SELECT * FROM deliveries WHERE channel = ? AND external_id = ?'),
    deleteUserDeliveries: s('DELETE FROM deliveries WHERE channel = ? AND user_id = ?'),
    deleteUserConversations: s('DELETE FROM conversations WHERE channel = ? AND user_id = ?'),
  };
}
