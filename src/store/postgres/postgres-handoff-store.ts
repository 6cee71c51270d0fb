import type { Cipher } from '../../handoff/cipher';
import type { CaseExpectation, CaseFilter, CasePatch, HandoffStore, StaffSession } from '../../handoff/store';
import type {
  AuditEntry,
  Case,
  CaseMessage,
  CaseNote,
  CaseTransfer,
  Organisation,
  Priority,
  StaffUser,
} from '../../handoff/types';
import { checkLimit, toJson } from '../guards';
import {
  EXPECT_COLUMNS,
  PATCH_COLUMNS,
  auditFromRow,
  caseFromRow,
  messageFromRow,
  noteFromRow,
  organisationFromRow,
  sessionFromRow,
  transferFromRow,
  userFromRow,
  type AuditRow,
  type CaseRow,
  type MessageRow,
  type NoteRow,
  type OrganisationRow,
  type SessionRow,
  type StaffUserRow,
  type TransferRow,
} from '../handoff-rows';
import { constraintOf, run, sqlState, type PostgresDatabase } from './pool';

type UserRow = StaffUserRow<boolean>;

/** The case columns in the order `insertCase` writes them. */
const CASE_COLUMNS = [
  'id',
  'organisation_id',
  'category',
  'priority',
  'status',
  'channel',
  'conversation_id',
  'user_id',
  'conversation_key',
  'source_id',
  'locale',
  'country_current',
  'country_origin',
  'consent_version',
  'consent_locale',
  'consent_text',
  'consent_at',
  'tracing',
  'assigned_to',
  'created_at',
  'updated_at',
  'last_person_message_at',
  'closed_at',
  'closed_by',
  'alerted_at',
];

const INSERT_CASE = `INSERT INTO cases (${CASE_COLUMNS.join(', ')})
  VALUES (${CASE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (conversation_key, source_id) DO NOTHING
  RETURNING *`;

/** Said as every store says them, rather than as the database's bare constraint errors. */
const EMAIL_TAKEN = 'email already used by another user';
const CASE_ID_TAKEN = 'case id already used';
const NO_SUCH_CASE = 'no such case';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

/**
 * The handoff in PostgreSQL, on the pool of the PostgresStore (which ends it).
 * Personal text goes in and out only through the Cipher. Each method is one
 * statement, so the database makes it atomic: a claim is a conditional
 * UPDATE, an erased case takes its transcript, notes and transfers with it
 * (ON DELETE CASCADE), and idempotent writes rest on unique keys.
 */
export class PostgresHandoffStore implements HandoffStore {
  constructor(
    private readonly db: PostgresDatabase,
    private readonly cipher: Cipher,
  ) {}

  async saveOrganisation(org: Organisation): Promise<void> {
    await run(
      this.db.pool,
      `INSERT INTO organisations (id, name, languages, countries, expected_response_minutes, alert_target, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET
         name = excluded.name, languages = excluded.languages, countries = excluded.countries,
         expected_response_minutes = excluded.expected_response_minutes, alert_target = excluded.alert_target,
         created_at = excluded.created_at`,
      [
        org.id,
        org.name,
        toJson(org.languages, 'languages'),
        toJson(org.countries, 'countries'),
        org.expectedResponseMinutes,
        org.alertTarget === null ? null : toJson(org.alertTarget, 'alertTarget'),
        org.createdAt,
      ],
    );
  }

  async getOrganisation(id: string): Promise<Organisation | null> {
    const { rows } = await run<OrganisationRow>(this.db.pool, 'SELECT * FROM organisations WHERE id = $1', [id]);
    return rows[0] ? organisationFromRow(rows[0]) : null;
  }

  async listOrganisations(): Promise<Organisation[]> {
    // Sorted here, not by SQL: localeCompare, as every store sorts names.
    const { rows } = await run<OrganisationRow>(this.db.pool, 'SELECT * FROM organisations');
    return rows.map(organisationFromRow).sort((a, b) => a.name.localeCompare(b.name));
  }

  async saveUser(user: StaffUser): Promise<void> {
    try {
      // A clash on the email is not handled here: it must fail, not overwrite another user.
      await run(
        this.db.pool,
        `INSERT INTO staff_users (id, email, email_key, name, role, organisation_id, password_hash, disabled, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET
           email = excluded.email, email_key = excluded.email_key, name = excluded.name, role = excluded.role,
           organisation_id = excluded.organisation_id, password_hash = excluded.password_hash,
           disabled = excluded.disabled, created_at = excluded.created_at`,
        [
          user.id,
          user.email,
          user.email.toLowerCase(),
          user.name,
          user.role,
          user.organisationId,
          user.passwordHash,
          user.disabled,
          user.createdAt,
        ],
      );
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION && constraintOf(err) === 'staff_users_email_unique') {
        throw new Error(EMAIL_TAKEN, { cause: err });
      }
      throw err;
    }
  }

  async getUser(id: string): Promise<StaffUser | null> {
    const { rows } = await run<UserRow>(this.db.pool, 'SELECT * FROM staff_users WHERE id = $1', [id]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async findUserByEmail(email: string): Promise<StaffUser | null> {
    // Lowercased by JavaScript, as when saved: SQL's lower() depends on the database's locale.
    const { rows } = await run<UserRow>(this.db.pool, 'SELECT * FROM staff_users WHERE email_key = $1', [
      email.toLowerCase(),
    ]);
    return rows[0] ? toUser(rows[0]) : null;
  }

  async listUsers(organisationId?: string): Promise<StaffUser[]> {
    const { rows } =
      organisationId === undefined
        ? await run<UserRow>(this.db.pool, 'SELECT * FROM staff_users')
        : await run<UserRow>(this.db.pool, 'SELECT * FROM staff_users WHERE organisation_id = $1', [organisationId]);
    return rows.map(toUser).sort((a, b) => a.email.localeCompare(b.email));
  }

  async createSession(session: StaffSession): Promise<void> {
    await run(
      this.db.pool,
      'INSERT INTO staff_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [session.idHash, session.userId, session.csrfToken, session.createdAt, session.expiresAt],
    );
  }

  async getSession(idHash: string): Promise<StaffSession | null> {
    const { rows } = await run<SessionRow>(this.db.pool, 'SELECT * FROM staff_sessions WHERE id_hash = $1', [idHash]);
    const row = rows[0];
    if (!row) return null;
    return sessionFromRow(row);
  }

  async deleteSession(idHash: string): Promise<void> {
    await run(this.db.pool, 'DELETE FROM staff_sessions WHERE id_hash = $1', [idHash]);
  }

  async deleteSessions(filter: { expiredAt?: number; userId?: string }): Promise<number> {
    const { rowCount } = await run(
      this.db.pool,
      `DELETE FROM staff_sessions
       WHERE ($1::bigint IS NOT NULL AND expires_at <= $1) OR ($2::text IS NOT NULL AND user_id = $2)`,
      [filter.expiredAt ?? null, filter.userId ?? null],
    );
    return rowCount ?? 0;
  }

  async openCase(c: Case, sourceId: string): Promise<{ case: Case; created: boolean }> {
    const values = [
      c.id,
      c.organisationId,
      c.category,
      c.priority,
      c.status,
      c.ref.channel,
      c.ref.conversationId,
      c.ref.userId,
      c.conversationKey,
      sourceId,
      c.locale,
      c.country.current ?? null,
      c.country.origin ?? null,
      c.consent.version,
      c.consent.locale,
      this.cipher.encrypt(c.consent.text),
      c.consent.at,
      c.tracing === null ? null : this.cipher.encrypt(toJson(c.tracing, 'tracing')),
      c.assignedTo,
      c.createdAt,
      c.updatedAt,
      c.lastPersonMessageAt,
      c.closedAt,
      c.closedBy,
      c.alertedAt,
    ];
    let inserted: CaseRow | undefined;
    try {
      // ON CONFLICT on the message that said yes: a retried turn (even one racing the first) gets the case it opened.
      inserted = (await run<CaseRow>(this.db.pool, INSERT_CASE, values)).rows[0];
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION && constraintOf(err) === 'cases_pkey') {
        throw new Error(CASE_ID_TAKEN, { cause: err });
      }
      throw err;
    }
    if (inserted) return { case: this.toCase(inserted), created: true };
    const { rows } = await run<CaseRow>(
      this.db.pool,
      'SELECT * FROM cases WHERE conversation_key = $1 AND source_id = $2',
      [c.conversationKey, sourceId],
    );
    // Erased between the two statements: the person asked for their data to go, so nothing is opened again.
    if (!rows[0]) throw new Error(NO_SUCH_CASE);
    return { case: this.toCase(rows[0]), created: false };
  }

  async getCase(id: string): Promise<Case | null> {
    const { rows } = await run<CaseRow>(this.db.pool, 'SELECT * FROM cases WHERE id = $1', [id]);
    return rows[0] ? this.toCase(rows[0]) : null;
  }

  async openCaseOf(conversationKey: string): Promise<Case | null> {
    // The condition as the partial index states it, so the planner uses that index.
    const { rows } = await run<CaseRow>(
      this.db.pool,
      "SELECT * FROM cases WHERE conversation_key = $1 AND status <> 'closed' ORDER BY seq LIMIT 1",
      [conversationKey],
    );
    return rows[0] ? this.toCase(rows[0]) : null;
  }

  async updateCase(id: string, patch: CasePatch, expect: CaseExpectation = {}): Promise<Case | null> {
    const params: unknown[] = [id];
    const sets = columnsOf(patch, PATCH_COLUMNS, params).map(([column, at]) => `${column} = ${at}`);
    // IS NOT DISTINCT FROM, not =: it also matches an expected null ("not assigned to anyone").
    const conditions = columnsOf(expect, EXPECT_COLUMNS, params).map(([column, at]) => `${column} IS NOT DISTINCT FROM ${at}`);
    const where = ['id = $1', ...conditions].join(' AND ');
    // One statement: a racing update waits for the row, then checks the conditions again on what the first wrote.
    const sql =
      sets.length === 0
        ? `SELECT * FROM cases WHERE ${where}`
        : `UPDATE cases SET ${sets.join(', ')} WHERE ${where} RETURNING *`;
    const { rows } = await run<CaseRow>(this.db.pool, sql, params);
    return rows[0] ? this.toCase(rows[0]) : null;
  }

  async listCases(filter: CaseFilter, limit: number): Promise<Case[]> {
    checkLimit(limit);
    const params: unknown[] = [filter.organisationId];
    const where = ['organisation_id = $1'];
    if (filter.status === 'open') where.push("status IN ('waiting', 'assigned')");
    else if (filter.status !== undefined) {
      params.push(filter.status);
      where.push(`status = $${params.length}`);
    }
    if (filter.category !== undefined) {
      params.push(filter.category);
      where.push(`category = $${params.length}`);
    }
    if (filter.locale !== undefined) {
      params.push(filter.locale);
      where.push(`locale = $${params.length}`);
    }
    params.push(limit);
    // seq last: cases opened in the same millisecond keep the order they were opened in.
    const { rows } = await run<CaseRow>(
      this.db.pool,
      `SELECT * FROM cases WHERE ${where.join(' AND ')} ORDER BY priority DESC, created_at, seq LIMIT $${params.length}`,
      params,
    );
    return rows.map((r) => this.toCase(r));
  }

  async unalertedWaiting(limit: number): Promise<Case[]> {
    checkLimit(limit);
    const { rows } = await run<CaseRow>(
      this.db.pool,
      "SELECT * FROM cases WHERE status = 'waiting' AND alerted_at IS NULL ORDER BY created_at, seq LIMIT $1",
      [limit],
    );
    return rows.map((r) => this.toCase(r));
  }

  async addMessage(m: Omit<CaseMessage, 'id'>): Promise<CaseMessage> {
    const text = this.cipher.encrypt(m.text);
    const inserted = await this.insertForCase<MessageRow>(
      `INSERT INTO case_messages (case_id, author, user_id, text, locale, source_id, delivery, delivery_error, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (case_id, source_id) DO NOTHING
       RETURNING *`,
      [m.caseId, m.author, m.userId, text, m.locale, m.sourceId, m.delivery, m.deliveryError, m.createdAt],
    );
    if (inserted) return this.toMessage(inserted);
    // Written before (a retried turn or delivery): the line already there, as it was written.
    const { rows } = await run<MessageRow>(this.db.pool, 'SELECT * FROM case_messages WHERE case_id = $1 AND source_id = $2', [
      m.caseId,
      m.sourceId,
    ]);
    if (!rows[0]) throw new Error(NO_SUCH_CASE);
    return this.toMessage(rows[0]);
  }

  async listMessages(caseId: string): Promise<CaseMessage[]> {
    const { rows } = await run<MessageRow>(this.db.pool, 'SELECT * FROM case_messages WHERE case_id = $1 ORDER BY id', [
      caseId,
    ]);
    return rows.map((r) => this.toMessage(r));
  }

  async setDelivery(messageId: number, state: 'pending' | 'delivered' | 'failed', error: string | null): Promise<void> {
    await run(this.db.pool, 'UPDATE case_messages SET delivery = $1, delivery_error = $2 WHERE id = $3', [
      state,
      error,
      messageId,
    ]);
  }

  async undelivered(limit: number): Promise<CaseMessage[]> {
    checkLimit(limit);
    const { rows } = await run<MessageRow>(
      this.db.pool,
      "SELECT * FROM case_messages WHERE author = 'caseworker' AND delivery IN ('pending', 'failed') ORDER BY id LIMIT $1",
      [limit],
    );
    return rows.map((r) => this.toMessage(r));
  }

  async addNote(n: Omit<CaseNote, 'id'>): Promise<CaseNote> {
    const row = await this.insertForCase<NoteRow>(
      'INSERT INTO case_notes (case_id, user_id, text, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
      [n.caseId, n.userId, this.cipher.encrypt(n.text), n.createdAt],
    );
    return this.toNote(row!);
  }

  async listNotes(caseId: string): Promise<CaseNote[]> {
    const { rows } = await run<NoteRow>(this.db.pool, 'SELECT * FROM case_notes WHERE case_id = $1 ORDER BY id', [caseId]);
    return rows.map((r) => this.toNote(r));
  }

  async addTransfer(t: Omit<CaseTransfer, 'id'>): Promise<CaseTransfer> {
    const row = await this.insertForCase<TransferRow>(
      `INSERT INTO case_transfers (case_id, from_organisation, to_organisation, user_id, note, at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [t.caseId, t.from, t.to, t.userId, this.cipher.encrypt(t.note), t.at],
    );
    return this.toTransfer(row!);
  }

  async listTransfers(caseId: string): Promise<CaseTransfer[]> {
    const { rows } = await run<TransferRow>(this.db.pool, 'SELECT * FROM case_transfers WHERE case_id = $1 ORDER BY id', [
      caseId,
    ]);
    return rows.map((r) => this.toTransfer(r));
  }

  async audit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const { rows } = await run<AuditRow>(
      this.db.pool,
      'INSERT INTO audit_log (at, user_id, action, case_id, detail) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [entry.at, entry.userId, entry.action, entry.caseId, toJson(entry.detail, 'detail')],
    );
    return auditFromRow(rows[0]!);
  }

  async listAudit(limit: number, before?: number): Promise<AuditEntry[]> {
    checkLimit(limit);
    const { rows } =
      before === undefined
        ? await run<AuditRow>(this.db.pool, 'SELECT * FROM audit_log ORDER BY id DESC LIMIT $1', [limit])
        : await run<AuditRow>(this.db.pool, 'SELECT * FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2', [
            before,
            limit,
          ]);
    return rows.map(auditFromRow);
  }

  async deleteUserCases(channel: string, userId: string): Promise<string[]> {
    // One statement, so all or nothing; the cascade takes each case's transcript, notes and transfers.
    const { rows } = await run<{ id: string }>(
      this.db.pool,
      `WITH gone AS (DELETE FROM cases WHERE channel = $1 AND user_id = $2 RETURNING id, seq)
       SELECT id FROM gone ORDER BY seq`,
      [channel, userId],
    );
    return rows.map((r) => r.id);
  }

  async deleteClosedCases(before: number): Promise<number> {
    // The cascade takes each case's transcript, notes and transfers in the same statement.
    const { rowCount } = await run(this.db.pool, "DELETE FROM cases WHERE status = 'closed' AND closed_at < $1", [before]);
    return rowCount ?? 0;
  }

  async countOpenCases(): Promise<Record<Priority, number>> {
    const counts: Record<Priority, number> = { urgent: 0, normal: 0 };
    const { rows } = await run<{ priority: Priority; n: number }>(
      this.db.pool,
      "SELECT priority, count(*) AS n FROM cases WHERE status <> 'closed' GROUP BY priority",
    );
    for (const row of rows) counts[row.priority] = row.n;
    return counts;
  }

  async openCaseConversations(): Promise<string[]> {
    // The condition as the partial index states it, so the planner can use that index.
    const { rows } = await run<{ conversation_key: string }>(
      this.db.pool,
      "SELECT DISTINCT conversation_key FROM cases WHERE status <> 'closed'",
    );
    return rows.map((r) => r.conversation_key);
  }

  /** Releases nothing: the pool is the PostgresStore's, which ends it after this. */
  async close(): Promise<void> {}

  /** An insert into a table that belongs to a case; a line for a missing (erased) case is refused in words. */
  private async insertForCase<R extends object>(sql: string, params: unknown[]): Promise<R | undefined> {
    try {
      return (await run<R & Record<string, unknown>>(this.db.pool, sql, params)).rows[0];
    } catch (err) {
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw new Error(NO_SUCH_CASE, { cause: err });
      throw err;
    }
  }

  // Rows to the handoff's types (src/store/handoff-rows.ts), decrypting with this store's cipher.
  private readonly toCase = (r: CaseRow): Case => caseFromRow(r, this.cipher);
  private readonly toMessage = (r: MessageRow): CaseMessage => messageFromRow(r, this.cipher);
  private readonly toNote = (r: NoteRow): CaseNote => noteFromRow(r, this.cipher);
  private readonly toTransfer = (r: TransferRow): CaseTransfer => transferFromRow(r, this.cipher);
}

/**
 * The columns of the fields given (a field set to undefined is left out, as
 * if absent), each with the placeholder its value was appended to `params` under.
 */
function columnsOf(fields: object, columns: Record<string, string>, params: unknown[]): [column: string, at: string][] {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      const column = columns[field];
      if (column === undefined) throw new TypeError(`a case's ${field} cannot be changed or expected`);
      params.push(value);
      return [column, `$${params.length}`];
    });
}

function toUser(r: UserRow): StaffUser {
  return userFromRow(r, r.disabled);
}

