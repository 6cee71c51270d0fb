import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { checkLimit, committedReply, conversationRow, fromJson, serialiseTurn, toJson, type SerialisedTurn } from './guards';
import { migrate } from './sqlite-schema';
import { ReadBatch } from './sqlite-read-batch';
import { WriteBatch } from './sqlite-write-batch';
import {
  DELIVERY_RANK,
  type CommitResult,
  type Delivery,
  type DeliveryState,
  type OutboxDepth,
  type OutboxEntry,
  type OutboxFailure,
  type OutboxLease,
  type Store,
  type StoredConversation,
  type Submission,
  type SubmissionFilter,
  type TurnCommit,
  type TurnState,
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
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  failed_at: number | null;
}

const OUTBOX_COLUMNS =
  'seq, conversation_key, channel, message_id, message, created_at, delivered_at, attempts, next_attempt_at, last_error, failed_at';
/** Neither delivered nor given up; `o` names the row being tested. */
const PENDING = 'o.delivered_at IS NULL AND o.failed_at IS NULL';
/** No earlier pending row in the same conversation (served by outbox_pending_by_conversation). */
const HEAD = `NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation_key = o.conversation_key AND p.seq < o.seq
  AND p.delivered_at IS NULL AND p.failed_at IS NULL)`;
/** May be tried at @now: due, and no lease or one that has run out. */
const DUE = 'o.next_attempt_at <= @now AND (o.lease_until IS NULL OR o.lease_until <= @now)';

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
  private readonly deleteUserTx: Database.Transaction<(channel: string, userId: string) => number>;
  private readonly deleteIdleTx: Database.Transaction<(before: number, keep: string) => number>;
  /** The turn's writes (commit, claim, delivered mark) of conversations handled at once share one commit. */
  private readonly writes: WriteBatch;
  /** The turn's reads (its mark and record) of conversations handled at once share one read transaction. */
  private readonly reads: ReadBatch;

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
      // Erased rows are overwritten with zeros, not left readable in free pages of the file.
      this.db.pragma('secure_delete = ON');
      migrate(this.db);
      this.sql = prepare(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.deleteUserTx = this.db.transaction((channel, userId) => this.eraseUser(channel, userId));
    this.deleteIdleTx = this.db.transaction((before, keep) => {
      const keys = this.sql.idleKeys.all({ before, keep }) as string[];
      if (keys.length === 0) return 0;
      const list = JSON.stringify(keys);
      for (const statement of this.sql.deleteKeyed) statement.run(list);
      return keys.length;
    });
    this.writes = new WriteBatch(this.db);
    this.reads = new ReadBatch(this.db);
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
    return this.reads.read(() => this.conversation(conversationKey));
  }

  async isProcessed(conversationKey: string, messageId: string): Promise<boolean> {
    return this.sql.getMark.get(conversationKey, messageId) !== undefined;
  }

  async turnState(conversationKey: string, messageId: string): Promise<TurnState> {
    // Both in one read: nothing can come between them.
    return this.reads.read(() =>
      this.sql.getMark.get(conversationKey, messageId) !== undefined
        ? { processed: true, conversation: null }
        : { processed: false, conversation: this.conversation(conversationKey) },
    );
  }

  async commitTurn(c: TurnCommit): Promise<CommitResult> {
    const turn = serialiseTurn(c);
    return this.writes.write(() => this.writeTurn(c, turn));
  }

  async pruneProcessed(conversationKey: string, before: number): Promise<number> {
    return this.writes.write(() => this.sql.pruneMarks.run(conversationKey, before).changes);
  }

  async repliesTo(conversationKey: string, messageId: string): Promise<OutboxEntry[] | null> {
    if (this.sql.getMark.get(conversationKey, messageId) === undefined) return null;
    return this.entries(this.sql.repliesTo.all(conversationKey, messageId));
  }

  async outboxSince(conversationKey: string, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return this.entries(this.sql.outboxSince.all(conversationKey, afterSeq, limit));
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return this.entries(this.sql.pendingOutbox.all(limit));
  }

  async dueOutbox(now: number, channels: readonly string[], limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return this.entries(this.sql.dueOutbox.all({ now, channels: JSON.stringify(channels), limit }));
  }

  async claimOutbox(seq: number, lease: OutboxLease): Promise<OutboxEntry | null> {
    const row = await this.writes.write(() => this.sql.claimOutbox.get({ seq, now: lease.now, owner: lease.owner, until: lease.until }));
    return row === undefined ? null : this.entries([row])[0]!;
  }

  async claimOutboxRun(seqs: readonly number[], lease: OutboxLease): Promise<OutboxEntry[]> {
    const [first, ...rest] = seqs;
    if (first === undefined) return [];
    const rows = await this.writes.write(() => {
      const head = this.sql.claimOutbox.get({ seq: first, now: lease.now, owner: lease.owner, until: lease.until }) as
        | OutboxRow
        | undefined;
      if (!head) return [];
      if (rest.length === 0) return [head];
      const others = this.sql.claimOutboxRest.all({
        seqs: JSON.stringify(rest),
        key: head.conversation_key,
        now: lease.now,
        owner: lease.owner,
        until: lease.until,
      }) as OutboxRow[];
      if (others.length === rest.length) return [head, ...others.sort((a, b) => a.seq - b.seq)];
      // All or none: inside the same write, so no other worker ever saw these leases.
      this.sql.unclaimOutbox.run({ seqs: JSON.stringify([first, ...others.map((o) => o.seq)]), owner: lease.owner });
      return [];
    });
    return this.entries(rows);
  }

  async renewOutboxLease(seq: number, lease: OutboxLease): Promise<boolean> {
    return this.sql.renewOutboxLease.run({ seq, owner: lease.owner, until: lease.until }).changes > 0;
  }

  async markDelivered(seqs: number[], now: number, options: { keep?: boolean } = {}): Promise<void> {
    if (seqs.length === 0) return;
    const keep = options.keep !== false;
    await this.writes.write(() => {
      for (const seq of seqs) {
        if (keep) this.sql.markDelivered.run(now, seq);
        else this.sql.deleteDelivered.run(seq);
      }
    });
  }

  async failOutbox(seq: number, f: OutboxFailure): Promise<boolean> {
    const written = this.sql.failOutbox.run({ seq, owner: f.owner, error: f.error, now: f.now, retryAt: f.retryAt });
    return written.changes > 0;
  }

  async releaseOutbox(owner: string, options: { seq?: number; notBefore?: number } = {}): Promise<number> {
    const { seq = null, notBefore = null } = options;
    return this.sql.releaseOutbox.run({ owner, seq, notBefore }).changes;
  }

  async outboxDepth(): Promise<OutboxDepth[]> {
    const rows = this.sql.outboxDepth.all() as { channel: string; pending: number; oldest: number }[];
    return rows.map((r) => ({ channel: r.channel, pending: r.pending, oldestCreatedAt: r.oldest }));
  }

  async ping(): Promise<void> {
    // Throws once the connection is closed, or when the file cannot be read.
    this.sql.ping.get();
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
    const removed = this.deleteUserTx.immediate(channel, userId);
    this.forgetErased();
    return removed;
  }

  async deleteIdleConversations(before: number, keep: readonly string[]): Promise<number> {
    const removed = this.deleteIdleTx.immediate(before, JSON.stringify(keep));
    if (removed > 0) this.forgetErased();
    return removed;
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
    this.reads.flush();
    this.writes.flush();
    // Lets SQLite refresh the statistics its query planner relies on; cheap when nothing changed.
    this.db.pragma('optimize');
    this.db.close();
  }

  private conversation(conversationKey: string): StoredConversation | null {
    const row = this.sql.getConversation.get(conversationKey) as { data: string; rev: number } | undefined;
    if (!row) return null;
    const data = fromJson(row.data, { table: 'conversations', column: 'data', row: conversationRow(conversationKey) });
    return { data, rev: row.rev };
  }

  private writeTurn(c: TurnCommit, { record: data, outbox: messages, submissions }: SerialisedTurn): CommitResult {
    if (this.sql.getMark.get(c.conversationKey, c.messageId)) return { ok: false, reason: 'duplicate' };
    const written =
      c.expectedRev === 0
        ? this.sql.insertConversation.run(c.conversationKey, c.channel, c.userId, data, c.now)
        : this.sql.updateConversation.run(c.channel, c.userId, data, c.now, c.conversationKey, c.expectedRev);
    if (written.changes === 0) return { ok: false, reason: 'conflict' };
    this.sql.insertMark.run(c.conversationKey, c.messageId, c.now);
    for (const { kind, data: text } of submissions) {
      this.sql.insertSubmission.run(c.conversationKey, c.channel, c.userId, kind, text, c.now);
    }
    // Leased only as a run claimed right after would be: nothing earlier of the conversation still pending.
    const lease = c.lease && !c.delivered && messages.length > 0 && !this.sql.anyPending.get(c.conversationKey) ? c.lease : undefined;
    const deliveredAt = c.delivered === true ? c.now : null;
    const outbox = messages.map((message): OutboxEntry => {
      const { lastInsertRowid } = this.sql.insertOutbox.run(
        c.conversationKey,
        c.channel,
        c.messageId,
        message,
        c.now,
        c.now,
        lease?.owner ?? null,
        lease?.until ?? null,
        deliveredAt,
      );
      return committedReply(c, Number(lastInsertRowid), message);
    });
    return { ok: true, rev: c.expectedRev + 1, outbox, leased: lease !== undefined };
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

  /**
   * Erased rows are zeroed in the file (secure_delete), but the write-ahead
   * log still holds the pages as they were until a checkpoint: copying it
   * into the file and truncating it leaves no trace of them on disk. A reader
   * holding the log open can defer that to a later checkpoint; it is not an error.
   */
  private forgetErased(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
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
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      lastError: r.last_error,
      failedAt: r.failed_at,
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
    getMark: s('SELECT 1 FROM processed WHERE conversation_key = ? AND message_id = ?'),
    insertMark: s('INSERT INTO processed (conversation_key, message_id, created_at) VALUES (?, ?, ?)'),
    // The conversation's marks by the primary key's prefix: a few dozen rows at most, no index on the time needed.
    pruneMarks: s('DELETE FROM processed WHERE conversation_key = ? AND created_at < ?'),
    insertOutbox: s(
      `INSERT INTO outbox (conversation_key, channel, message_id, message, created_at, next_attempt_at, lease_owner, lease_until, delivered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Served by outbox_pending_by_conversation.
    anyPending: s(`SELECT 1 FROM outbox o WHERE o.conversation_key = ? AND ${PENDING} LIMIT 1`),
    // Bounded by the conversation index: the message's replies sit among its conversation's rows.
    repliesTo: s(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conversation_key = ? AND message_id = ? ORDER BY seq`),
    outboxSince: s(`SELECT ${OUTBOX_COLUMNS} FROM outbox WHERE conversation_key = ? AND seq > ? ORDER BY seq LIMIT ?`),
    pendingOutbox: s(`SELECT ${OUTBOX_COLUMNS} FROM outbox o WHERE ${PENDING} ORDER BY seq LIMIT ?`),
    dueOutbox: s(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox o
       WHERE ${PENDING} AND ${DUE} AND o.channel IN (SELECT value FROM json_each(@channels)) AND ${HEAD}
       ORDER BY o.seq LIMIT @limit`,
    ),
    // One statement, so that the checks and the lease are one atomic step even across processes.
    claimOutbox: s(
      `UPDATE outbox AS o SET lease_owner = @owner, lease_until = @until
       WHERE o.seq = @seq AND ${PENDING} AND ${DUE} AND ${HEAD}
       RETURNING ${OUTBOX_COLUMNS}`,
    ),
    claimOutboxRest: s(
      `UPDATE outbox AS o SET lease_owner = @owner, lease_until = @until
       WHERE o.seq IN (SELECT value FROM json_each(@seqs)) AND o.conversation_key = @key AND ${PENDING} AND ${DUE}
       RETURNING ${OUTBOX_COLUMNS}`,
    ),
    unclaimOutbox: s(
      'UPDATE outbox SET lease_owner = NULL, lease_until = NULL WHERE seq IN (SELECT value FROM json_each(@seqs)) AND lease_owner = @owner',
    ),
    renewOutboxLease: s(
      `UPDATE outbox AS o SET lease_until = @until WHERE o.seq = @seq AND o.lease_owner = @owner AND ${PENDING}`,
    ),
    // A row keeps the time of its first delivery; any lease on it ends.
    markDelivered: s(
      'UPDATE outbox SET delivered_at = coalesce(delivered_at, ?), lease_owner = NULL, lease_until = NULL WHERE seq = ?',
    ),
    // AUTOINCREMENT: a deleted seq is never handed out again (secure_delete zeroes the row in the file).
    deleteDelivered: s('DELETE FROM outbox WHERE seq = ?'),
    failOutbox: s(
      `UPDATE outbox AS o SET attempts = attempts + 1, last_error = @error,
         next_attempt_at = coalesce(@retryAt, next_attempt_at),
         failed_at = CASE WHEN @retryAt IS NULL THEN @now END,
         lease_owner = NULL, lease_until = NULL
       WHERE o.seq = @seq AND o.lease_owner = @owner AND ${PENDING}`,
    ),
    releaseOutbox: s(
      `UPDATE outbox AS o SET lease_owner = NULL, lease_until = NULL,
         next_attempt_at = CASE WHEN @notBefore IS NOT NULL AND ${PENDING} THEN @notBefore ELSE next_attempt_at END
       WHERE o.lease_owner = @owner AND (@seq IS NULL OR o.seq = @seq)`,
    ),
    outboxDepth: s(
      `SELECT channel, count(*) AS pending, min(created_at) AS oldest FROM outbox o
       WHERE ${PENDING} GROUP BY channel ORDER BY channel`,
    ),
    ping: s('SELECT 1'),
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
    // Conversations idle since @before: the latest turn or reference is older. Their keys, as a JSON list,
    // feed the deletes below (children first, for the foreign keys).
    idleKeys: db
      .prepare(
        `SELECT key FROM (
           SELECT key, updated_at FROM conversations
           UNION ALL SELECT conversation_key AS key, updated_at FROM channel_refs
         ) GROUP BY key
         HAVING max(updated_at) < @before AND key NOT IN (SELECT value FROM json_each(@keep))`,
      )
      .pluck(),
    deleteKeyed: [
      s('DELETE FROM submissions WHERE conversation_key IN (SELECT value FROM json_each(?))'),
      s('DELETE FROM outbox WHERE conversation_key IN (SELECT value FROM json_each(?))'),
      s('DELETE FROM processed WHERE conversation_key IN (SELECT value FROM json_each(?))'),
      s('DELETE FROM deliveries WHERE conversation_key IN (SELECT value FROM json_each(?))'),
      s('DELETE FROM channel_refs WHERE conversation_key IN (SELECT value FROM json_each(?))'),
      s('DELETE FROM conversations WHERE key IN (SELECT value FROM json_each(?))'),
    ],
  };
}
