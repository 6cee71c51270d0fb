import { checkLimit, committedReply, conversationRow, fromJson, serialiseTurn, toJson, type SerialisedTurn } from '../guards';
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
} from '../store';
import { Rollback, inTransaction, run, sqlState, type PostgresDatabase } from './pool';
import { StatementBatch } from './statement-batch';

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

const OUTBOX_FIELDS = [
  'seq',
  'conversation_key',
  'channel',
  'message_id',
  'message',
  'created_at',
  'delivered_at',
  'attempts',
  'next_attempt_at',
  'last_error',
  'failed_at',
];
const OUTBOX_COLUMNS = OUTBOX_FIELDS.map((f) => `o.${f}`).join(', ');
/** Neither delivered nor given up; `o` names the row being tested. */
const PENDING = 'o.delivered_at IS NULL AND o.failed_at IS NULL';
/**
 * No earlier pending row in the same conversation (served by
 * outbox_pending_by_conversation), so that no reply overtakes an earlier one.
 */
const HEAD = `NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation_key = o.conversation_key AND p.seq < o.seq
  AND p.delivered_at IS NULL AND p.failed_at IS NULL)`;
/** May be tried at $1: due, and no lease or one that has run out. */
const DUE = 'o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until <= $1)';

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

interface TurnStateAsked {
  conversationKey: string;
  messageId: string;
}

interface DeliveredMark {
  seqs: readonly number[];
  now: number;
  keep: boolean;
}

/** A turn with its values already serialised (serialiseTurn), waiting for its commit. */
interface SerialisedCommit {
  c: TurnCommit;
  serialised: SerialisedTurn;
}

/** vv_commit_turn's rows: one with the outcome, one per reply inserted. */
interface CommitRow {
  r_outcome: string;
  r_seq: number | null;
  r_leased: boolean;
}

/** vv_commit_turn's 13 arguments, in order. */
function commitArguments({ c, serialised }: SerialisedCommit): unknown[] {
  return [
    c.conversationKey,
    c.channel,
    c.userId,
    c.expectedRev,
    serialised.record,
    c.messageId,
    c.now,
    serialised.outbox,
    serialised.submissions.map((s) => s.kind),
    serialised.submissions.map((s) => s.data),
    c.lease?.owner ?? null,
    c.lease?.until ?? null,
    c.delivered === true,
  ];
}

/** A JSON array of strings as a text[], in its order. */
const JSON_TEXTS = (json: string) => `ARRAY(SELECT e FROM json_array_elements_text(${json}) WITH ORDINALITY AS x(e, i) ORDER BY x.i)`;

/** The turns' positions sorted by conversation key; the sort is stable, so a conversation's own turns keep their order. */
function byConversation(turns: readonly SerialisedCommit[]): number[] {
  const keys = turns.map((t) => t.c.conversationKey);
  return keys.map((_, i) => i).sort((x, y) => (keys[x]! < keys[y]! ? -1 : keys[x]! > keys[y]! ? 1 : 0));
}

function commitResult({ c, serialised }: SerialisedCommit, rows: readonly CommitRow[]): CommitResult {
  const outcome = rows[0]?.r_outcome;
  if (outcome === 'duplicate') return DUPLICATE;
  if (outcome !== 'ok') return CONFLICT;
  const inserted = rows.filter((r): r is CommitRow & { r_seq: number } => r.r_seq !== null).sort((a, b) => a.r_seq - b.r_seq);
  const outbox = serialised.outbox.map((message, i) => committedReply(c, inserted[i]!.r_seq, message));
  return { ok: true, rev: c.expectedRev + 1, outbox, leased: inserted[0]?.r_leased === true };
}

/** A conversations row as the engine reads it; a record that is not JSON is refused with where it lies. */
function storedConversation(conversationKey: string, row: { data: string; rev: number }): StoredConversation {
  return { data: fromJson(row.data, { table: 'conversations', column: 'data', row: conversationRow(conversationKey) }), rev: row.rev };
}

const CONFLICT: CommitResult = { ok: false, reason: 'conflict' };
const DUPLICATE: CommitResult = { ok: false, reason: 'duplicate' };

/**
 * The store for several instances: every table in PostgreSQL, on one pool
 * shared with the PostgresHandoffStore. The schema must be migrated first
 * (migratePostgres; the app does it before it listens). Concurrency rests on
 * the database, not on this process: a conditional UPDATE on the rev, and
 * unique keys with ON CONFLICT for the processed marks. This store owns the
 * pool and ends it on close; the handoff store on it must be closed first.
 */
export class PostgresStore implements Store {
  private ended: Promise<void> | null = null;
  /** A turn's first read, its commit and its replies' delivered marks, of conversations handled at once, share a round trip each. */
  private readonly turnStates = new StatementBatch((asked: readonly TurnStateAsked[]) => this.turnStatesOf(asked));
  private readonly commits = new StatementBatch((turns: readonly SerialisedCommit[]) => this.commitAll(turns));
  private readonly deliveredMarks = new StatementBatch((marks: readonly DeliveredMark[]) => this.markAllDelivered(marks));

  constructor(private readonly db: PostgresDatabase) {}

  async getConversation(conversationKey: string): Promise<StoredConversation | null> {
    const { rows } = await run<{ data: string; rev: number }>(
      this.db.pool,
      'SELECT data, rev FROM conversations WHERE key = $1',
      [conversationKey],
    );
    const row = rows[0];
    return row ? storedConversation(conversationKey, row) : null;
  }

  async pruneProcessed(conversationKey: string, before: number): Promise<number> {
    // The conversation's marks by processed_pkey's prefix: no index on the time needed.
    const { rowCount } = await run(this.db.pool, 'DELETE FROM processed WHERE conversation_key = $1 AND created_at < $2', [
      conversationKey,
      before,
    ]);
    return rowCount ?? 0;
  }

  async isProcessed(conversationKey: string, messageId: string): Promise<boolean> {
    const { rowCount } = await run(this.db.pool, 'SELECT 1 FROM processed WHERE conversation_key = $1 AND message_id = $2', [
      conversationKey,
      messageId,
    ]);
    return rowCount !== null && rowCount > 0;
  }

  async turnState(conversationKey: string, messageId: string): Promise<TurnState> {
    return this.turnStates.call({ conversationKey, messageId });
  }

  /**
   * The turn states asked for at once, in one round trip: for each, the mark's
   * existence, with the record when there is no mark (one row each, in order).
   */
  private async turnStatesOf(asked: readonly TurnStateAsked[]): Promise<TurnState[]> {
    const { rows } = await run<{ processed: boolean; data: string | null; rev: number | null }>(
      this.db.pool,
      `SELECT m.processed, c.data, c.rev
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS a(key, message_id, n)
       CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM processed p WHERE p.conversation_key = a.key AND p.message_id = a.message_id)
         AS processed) m
       LEFT JOIN conversations c ON NOT m.processed AND c.key = a.key
       ORDER BY a.n`,
      [asked.map((a) => a.conversationKey), asked.map((a) => a.messageId)],
    );
    return rows.map((row, i): TurnState => {
      if (row.processed) return { processed: true, conversation: null };
      if (row.data === null || row.rev === null) return { processed: false, conversation: null };
      return { processed: false, conversation: storedConversation(asked[i]!.conversationKey, { data: row.data, rev: row.rev }) };
    });
  }

  async commitTurn(c: TurnCommit): Promise<CommitResult> {
    // Serialised before the statement, so a value JSON cannot hold fails this turn before anything is written.
    return this.commits.call({ c, serialised: serialiseTurn(c) });
  }

  /**
   * The turns committed at once. One alone is one call of vv_commit_turn; several go as one statement
   * calling it for each, which is one transaction: if any of them raises, the batch writes nothing and
   * StatementBatch sends each again alone. They go in order of conversation, as in every instance, so
   * that two batches never each hold a conversation's row that the other waits for (a deadlock, which
   * PostgreSQL breaks only after deadlock_timeout by aborting one of them).
   */
  private async commitAll(asked: readonly SerialisedCommit[]): Promise<CommitResult[]> {
    if (asked.length === 1) return [await this.commitOne(asked[0]!)];
    const order = byConversation(asked);
    const turns = order.map((i) => asked[i]!);
    const { rows } = await run<CommitRow & { n: number }>(
      this.db.pool,
      `SELECT a.n::int AS n, r.r_outcome, r.r_seq, r.r_leased
       FROM json_array_elements($1::json) WITH ORDINALITY AS a(t, n)
       CROSS JOIN LATERAL vv_commit_turn(a.t->>0, a.t->>1, a.t->>2, (a.t->>3)::integer, a.t->>4, a.t->>5, (a.t->>6)::bigint,
         ${JSON_TEXTS('a.t->7')}, ${JSON_TEXTS('a.t->8')}, ${JSON_TEXTS('a.t->9')},
         a.t->>10, (a.t->>11)::bigint, (a.t->>12)::boolean) r
       ORDER BY a.n`,
      [JSON.stringify(turns.map(commitArguments))],
    );
    const byTurn = turns.map((): CommitRow[] => []);
    for (const row of rows) byTurn[row.n - 1]?.push(row);
    const results = new Array<CommitResult>(asked.length);
    order.forEach((i, position) => (results[i] = commitResult(turns[position]!, byTurn[position]!)));
    return results;
  }

  private async commitOne(turn: SerialisedCommit): Promise<CommitResult> {
    let rows: CommitRow[];
    try {
      // One round trip (migrations 6 to 8): the statement is its own transaction.
      ({ rows } = await run<CommitRow>(
        this.db.pool,
        'SELECT r_outcome, r_seq, r_leased FROM vv_commit_turn($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)',
        commitArguments(turn),
      ));
    } catch (err) {
      // The conversation's mark for this message id appeared after the function's checks: nothing of this turn was kept.
      if (sqlState(err) === 'VVDUP') return DUPLICATE;
      throw err;
    }
    return commitResult(turn, rows);
  }

  async repliesTo(conversationKey: string, messageId: string): Promise<OutboxEntry[] | null> {
    // One statement: no mark means never processed (no row); a mark without replies gives one row of nulls.
    const { rows } = await run<{ [K in keyof OutboxRow]: OutboxRow[K] | null }>(
      this.db.pool,
      `SELECT ${OUTBOX_COLUMNS}
       FROM processed p
       LEFT JOIN outbox o ON o.conversation_key = p.conversation_key AND o.message_id = p.message_id
       WHERE p.conversation_key = $1 AND p.message_id = $2
       ORDER BY o.seq`,
      [conversationKey, messageId],
    );
    if (rows.length === 0) return null;
    return this.entries(rows.filter((r): r is OutboxRow => r.seq !== null));
  }

  async outboxSince(conversationKey: string, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    const { rows } = await run<OutboxRow>(
      this.db.pool,
      `SELECT ${OUTBOX_COLUMNS} FROM outbox o WHERE o.conversation_key = $1 AND o.seq > $2 ORDER BY o.seq LIMIT $3`,
      [conversationKey, afterSeq, limit],
    );
    return this.entries(rows);
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    const { rows } = await run<OutboxRow>(
      this.db.pool,
      `SELECT ${OUTBOX_COLUMNS} FROM outbox o WHERE ${PENDING} ORDER BY o.seq LIMIT $1`,
      [limit],
    );
    return this.entries(rows);
  }

  async dueOutbox(now: number, channels: readonly string[], limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    const { rows } = await run<OutboxRow>(
      this.db.pool,
      `SELECT ${OUTBOX_COLUMNS} FROM outbox o
       WHERE ${PENDING} AND ${DUE} AND o.channel = ANY($2::text[]) AND ${HEAD}
       ORDER BY o.seq LIMIT $3`,
      [now, channels, limit],
    );
    return this.entries(rows);
  }

  async claimOutbox(seq: number, lease: OutboxLease): Promise<OutboxEntry | null> {
    // One statement: a racing claim waits for the row, then finds it leased and takes nothing.
    const { rows } = await run<OutboxRow>(
      this.db.pool,
      `UPDATE outbox o SET lease_owner = $3, lease_until = $4
       WHERE o.seq = $2 AND ${PENDING} AND ${DUE} AND ${HEAD}
       RETURNING ${OUTBOX_COLUMNS}`,
      [lease.now, seq, lease.owner, lease.until],
    );
    return rows[0] ? this.entries(rows)[0]! : null;
  }

  async claimOutboxRun(seqs: readonly number[], lease: OutboxLease): Promise<OutboxEntry[]> {
    const [first, ...rest] = seqs;
    if (first === undefined) return [];
    const rows = await inTransaction(this.db.pool, async (client) => {
      const head = await run<OutboxRow>(
        client,
        `UPDATE outbox o SET lease_owner = $3, lease_until = $4
         WHERE o.seq = $2 AND ${PENDING} AND ${DUE} AND ${HEAD}
         RETURNING ${OUTBOX_COLUMNS}`,
        [lease.now, first, lease.owner, lease.until],
      );
      const [claimed] = head.rows;
      if (!claimed) return [];
      if (rest.length === 0) return [claimed];
      const others = await run<OutboxRow>(
        client,
        `UPDATE outbox o SET lease_owner = $3, lease_until = $4
         WHERE o.seq = ANY($2::bigint[]) AND o.conversation_key = $5 AND ${PENDING} AND ${DUE}
         RETURNING ${OUTBOX_COLUMNS}`,
        [lease.now, rest, lease.owner, lease.until, claimed.conversation_key],
      );
      // All or none: the leases taken here are undone with the transaction.
      if (others.rows.length !== rest.length) throw new Rollback<OutboxRow[]>([]);
      return [claimed, ...others.rows.sort((a, b) => Number(a.seq) - Number(b.seq))];
    });
    return this.entries(rows);
  }

  async renewOutboxLease(seq: number, lease: OutboxLease): Promise<boolean> {
    const { rowCount } = await run(
      this.db.pool,
      `UPDATE outbox o SET lease_until = $3 WHERE o.seq = $1 AND o.lease_owner = $2 AND ${PENDING}`,
      [seq, lease.owner, lease.until],
    );
    return (rowCount ?? 0) > 0;
  }

  async markDelivered(seqs: number[], now: number, options: { keep?: boolean } = {}): Promise<void> {
    if (seqs.length === 0) return;
    await this.deliveredMarks.call({ seqs, now, keep: options.keep !== false });
  }

  /** The delivered marks asked for at once: at most one statement to delete and one to update. */
  private async markAllDelivered(marks: readonly DeliveredMark[]): Promise<void[]> {
    const gone = marks.filter((m) => !m.keep).flatMap((m) => m.seqs);
    const kept = marks.filter((m) => m.keep).flatMap((m) => m.seqs.map((seq) => ({ seq, now: m.now })));
    await Promise.all([
      // The identity column never hands a deleted seq out again.
      gone.length > 0 ? run(this.db.pool, 'DELETE FROM outbox WHERE seq = ANY($1::bigint[])', [gone]) : undefined,
      // coalesce: a retried delivery report must not move the time the person got the reply. Any lease ends.
      kept.length > 0
        ? run(
            this.db.pool,
            `UPDATE outbox o SET delivered_at = coalesce(o.delivered_at, d.now), lease_owner = NULL, lease_until = NULL
             FROM (SELECT seq, min(now) AS now FROM unnest($1::bigint[], $2::bigint[]) AS v(seq, now) GROUP BY seq) d
             WHERE o.seq = d.seq`,
            [kept.map((k) => k.seq), kept.map((k) => k.now)],
          )
        : undefined,
    ]);
    return marks.map(() => undefined);
  }

  async failOutbox(seq: number, f: OutboxFailure): Promise<boolean> {
    const { rowCount } = await run(
      this.db.pool,
      `UPDATE outbox o SET attempts = o.attempts + 1, last_error = $3,
         next_attempt_at = coalesce($5::bigint, o.next_attempt_at),
         failed_at = CASE WHEN $5::bigint IS NULL THEN $4::bigint END,
         lease_owner = NULL, lease_until = NULL
       WHERE o.seq = $1 AND o.lease_owner = $2 AND ${PENDING}`,
      [seq, f.owner, f.error, f.now, f.retryAt],
    );
    return (rowCount ?? 0) > 0;
  }

  async releaseOutbox(owner: string, options: { seq?: number; notBefore?: number } = {}): Promise<number> {
    const { rowCount } = await run(
      this.db.pool,
      `UPDATE outbox o SET lease_owner = NULL, lease_until = NULL,
         next_attempt_at = CASE WHEN $3::bigint IS NOT NULL AND ${PENDING} THEN $3::bigint ELSE o.next_attempt_at END
       WHERE o.lease_owner = $1 AND ($2::bigint IS NULL OR o.seq = $2::bigint)`,
      [owner, options.seq ?? null, options.notBefore ?? null],
    );
    return rowCount ?? 0;
  }

  async outboxDepth(): Promise<OutboxDepth[]> {
    const { rows } = await run<{ channel: string; pending: number; oldest: number }>(
      this.db.pool,
      `SELECT o.channel, count(*) AS pending, min(o.created_at) AS oldest FROM outbox o
       WHERE ${PENDING} GROUP BY o.channel ORDER BY o.channel COLLATE "C"`,
    );
    return rows.map((r) => ({ channel: r.channel, pending: r.pending, oldestCreatedAt: r.oldest }));
  }

  async ping(): Promise<void> {
    // Rejects once the pool is ended, or when no connection can be had.
    await run(this.db.pool, 'SELECT 1');
  }

  async listSubmissions(filter: SubmissionFilter, limit: number): Promise<Submission[]> {
    checkLimit(limit);
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.kind !== undefined) {
      params.push(filter.kind);
      where.push(`kind = $${params.length}`);
    }
    if (filter.conversationKey !== undefined) {
      params.push(filter.conversationKey);
      where.push(`conversation_key = $${params.length}`);
    }
    params.push(limit);
    const { rows } = await run<SubmissionRow>(
      this.db.pool,
      `SELECT id, conversation_key, channel, user_id, kind, data, created_at FROM submissions
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => ({
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
    return inTransaction(this.db.pool, async (client) => {
      // Locked first: a turn committing on one of these conversations waits, then finds it gone (a conflict).
      const { rows } = await run<{ key: string }>(
        client,
        'SELECT key FROM conversations WHERE channel = $1 AND user_id = $2 ORDER BY key FOR UPDATE',
        [channel, userId],
      );
      const keys = rows.map((r) => r.key);
      // The user's own submissions wherever they are, and all of the conversations about to go.
      await run(client, 'DELETE FROM submissions WHERE (channel = $1 AND user_id = $2) OR conversation_key = ANY($3::text[])', [
        channel,
        userId,
        keys,
      ]);
      // Children before their conversations: the foreign keys refuse to orphan them.
      await run(client, 'DELETE FROM outbox WHERE conversation_key = ANY($1::text[])', [keys]);
      await run(client, 'DELETE FROM processed WHERE conversation_key = ANY($1::text[])', [keys]);
      await run(client, 'DELETE FROM channel_refs WHERE channel = $1 AND user_id = $2', [channel, userId]);
      await run(client, 'DELETE FROM deliveries WHERE channel = $1 AND user_id = $2', [channel, userId]);
      await run(client, 'DELETE FROM conversations WHERE key = ANY($1::text[])', [keys]);
      return keys.length;
    });
  }

  async deleteIdleConversations(before: number, keep: readonly string[]): Promise<number> {
    return inTransaction(this.db.pool, async (client) => {
      // Keys whose last use (a turn, or a saved reference) is older than the cut-off, found by the update indexes.
      const { rows: idle } = await run<{ key: string }>(
        client,
        `SELECT c.key FROM conversations c
         WHERE c.updated_at < $1 AND NOT (c.key = ANY($2::text[]))
           AND NOT EXISTS (SELECT 1 FROM channel_refs r WHERE r.conversation_key = c.key AND r.updated_at >= $1)
         UNION
         SELECT r.conversation_key FROM channel_refs r
         WHERE r.updated_at < $1 AND NOT (r.conversation_key = ANY($2::text[]))
           AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.key = r.conversation_key AND c.updated_at >= $1)`,
        [before, keep],
      );
      if (idle.length === 0) return 0;
      // Locked, and looked at again: a person who wrote meanwhile keeps their conversation.
      const { rows: live } = await run<{ key: string; updated_at: number }>(
        client,
        'SELECT key, updated_at FROM conversations WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE',
        [idle.map((r) => r.key)],
      );
      const woke = new Set(live.filter((r) => r.updated_at >= before).map((r) => r.key));
      const keys = idle.map((r) => r.key).filter((key) => !woke.has(key));
      // Children before their conversations: the foreign keys refuse to orphan them.
      for (const table of ['submissions', 'outbox', 'processed', 'deliveries', 'channel_refs']) {
        await run(client, `DELETE FROM ${table} WHERE conversation_key = ANY($1::text[])`, [keys]);
      }
      await run(client, 'DELETE FROM conversations WHERE key = ANY($1::text[])', [keys]);
      return keys.length;
    });
  }

  async saveReference(
    conversationKey: string,
    channel: string,
    userId: string,
    reference: unknown,
    now: number,
  ): Promise<void> {
    await run(
      this.db.pool,
      `INSERT INTO channel_refs (conversation_key, channel, user_id, data, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (conversation_key) DO UPDATE SET
         channel = excluded.channel, user_id = excluded.user_id, data = excluded.data, updated_at = excluded.updated_at`,
      [conversationKey, channel, userId, toJson(reference, 'reference'), now],
    );
  }

  async getReference(conversationKey: string): Promise<unknown | null> {
    const { rows } = await run<{ data: string }>(this.db.pool, 'SELECT data FROM channel_refs WHERE conversation_key = $1', [
      conversationKey,
    ]);
    const row = rows[0];
    if (!row) return null;
    return fromJson(row.data, { table: 'channel_refs', column: 'data', row: conversationRow(conversationKey) });
  }

  async recordDelivery(d: Delivery): Promise<void> {
    // The WHERE makes the upsert skip a state of lower rank: statuses arriving out of order never move a message back.
    await run(
      this.db.pool,
      `INSERT INTO deliveries (channel, external_id, conversation_key, user_id, state, rank, error_code, error_title, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (channel, external_id) DO UPDATE SET
         state = excluded.state, rank = excluded.rank, error_code = excluded.error_code,
         error_title = excluded.error_title, updated_at = excluded.updated_at
       WHERE excluded.rank >= deliveries.rank`,
      [
        d.channel,
        d.externalId,
        d.conversationKey,
        d.userId,
        d.state,
        DELIVERY_RANK[d.state],
        d.errorCode,
        d.errorTitle,
        d.updatedAt,
      ],
    );
  }

  async getDelivery(channel: string, externalId: string): Promise<Delivery | null> {
    const { rows } = await run<DeliveryRow>(
      this.db.pool,
      `SELECT channel, external_id, conversation_key, user_id, state, error_code, error_title, updated_at
       FROM deliveries WHERE channel = $1 AND external_id = $2`,
      [channel, externalId],
    );
    const row = rows[0];
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

  /** Ends the pool once; queries still running finish first. */
  close(): Promise<void> {
    this.ended ??= this.db.pool.end();
    return this.ended;
  }

  private entries(rows: OutboxRow[]): OutboxEntry[] {
    return rows.map((r) => ({
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
