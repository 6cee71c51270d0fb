import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Cipher } from '../handoff/cipher';
import type { CaseExpectation, CaseFilter, CasePatch, HandoffStore, StaffSession } from '../handoff/store';
import type {
  AuditEntry,
  Case,
  CaseMessage,
  CaseNote,
  CaseTransfer,
  Organisation,
  Priority,
  StaffUser,
} from '../handoff/types';
import { checkLimit, toJson } from './guards';
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
} from './handoff-rows';
import { MIGRATIONS } from './sqlite-schema';

type UserRow = StaffUserRow<number>;

type SqlValue = string | number | null;

/** Message of the error a second user with the same email gets, as MemoryHandoffStore says it. */
const EMAIL_TAKEN = 'email already used by another user';

/**
 * The handoff in the same SQLite file as the conversations, on the same
 * connection (SqliteStore.database): one writer, and one file to back up and
 * erase from. Personal text goes in and out only through the Cipher; the
 * connection belongs to the SqliteStore, which closes it.
 */
export class SqliteHandoffStore implements HandoffStore {
  private readonly sql: ReturnType<typeof prepare>;
  /** Statements whose shape depends on the arguments (patches, filters), compiled once per shape. */
  private readonly shaped = new Map<string, Statement>();
  private readonly openCaseTx: Database.Transaction<(row: Record<string, SqlValue>) => { row: CaseRow; created: boolean }>;
  private readonly addMessageTx: Database.Transaction<(row: Record<string, SqlValue>) => MessageRow>;
  private readonly deleteUserCasesTx: Database.Transaction<(channel: string, userId: string) => string[]>;
  private readonly deleteClosedTx: Database.Transaction<(before: number) => number>;

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: Cipher,
  ) {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== MIGRATIONS.length) {
      throw new Error(
        `the database is at schema version ${version}, not ${MIGRATIONS.length}: ` +
          'open it with SqliteStore first, which migrates it',
      );
    }
    // Without it, transcript lines could outlive an erased case.
    if (db.pragma('foreign_keys', { simple: true }) !== 1) throw new Error('the connection must have foreign_keys = ON');
    this.sql = prepare(db);
    this.openCaseTx = db.transaction((row) => {
      const existing = this.sql.caseBySource.get(row.conversationKey, row.sourceId) as CaseRow | undefined;
      if (existing) return { row: existing, created: false };
      // Said in words, as every store says it, rather than as the primary key's bare constraint error.
      if (this.sql.caseExists.get(row.id) !== undefined) throw new Error('case id already used');
      this.sql.insertCase.run(row);
      return { row: this.sql.getCase.get(row.id) as CaseRow, created: true };
    });
    this.addMessageTx = db.transaction((row) => {
      const existing = this.sql.messageBySource.get(row.caseId, row.sourceId) as MessageRow | undefined;
      if (existing) return existing;
      this.requireCase(row.caseId as string);
      const { lastInsertRowid } = this.sql.insertMessage.run(row);
      return this.sql.getMessage.get(lastInsertRowid) as MessageRow;
    });
    this.deleteUserCasesTx = db.transaction((channel, userId) => {
      const ids = this.sql.userCaseIds.all(channel, userId) as string[];
      // Children first: the foreign keys refuse to orphan them.
      this.sql.deleteUserMessages.run(channel, userId);
      this.sql.deleteUserNotes.run(channel, userId);
      this.sql.deleteUserTransfers.run(channel, userId);
      this.sql.deleteUserCases.run(channel, userId);
      return ids;
    });
    this.deleteClosedTx = db.transaction((before) => {
      for (const statement of this.sql.deleteClosedChildren) statement.run(before);
      return this.sql.deleteClosed.run(before).changes;
    });
  }

  async saveOrganisation(org: Organisation): Promise<void> {
    this.sql.saveOrganisation.run({
      id: org.id,
      name: org.name,
      languages: toJson(org.languages, 'languages'),
      countries: toJson(org.countries, 'countries'),
      expectedResponseMinutes: org.expectedResponseMinutes,
      alertTarget: org.alertTarget === null ? null : toJson(org.alertTarget, 'alertTarget'),
      createdAt: org.createdAt,
    });
  }

  async getOrganisation(id: string): Promise<Organisation | null> {
    const row = this.sql.getOrganisation.get(id) as OrganisationRow | undefined;
    return row ? organisationFromRow(row) : null;
  }

  async listOrganisations(): Promise<Organisation[]> {
    // Sorted here, not by SQL: localeCompare, as every store sorts names.
    return (this.sql.listOrganisations.all() as OrganisationRow[])
      .map(organisationFromRow)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async saveUser(user: StaffUser): Promise<void> {
    try {
      this.sql.saveUser.run({
        id: user.id,
        email: user.email,
        emailKey: user.email.toLowerCase(),
        name: user.name,
        role: user.role,
        organisationId: user.organisationId,
        passwordHash: user.passwordHash,
        disabled: user.disabled ? 1 : 0,
        createdAt: user.createdAt,
      });
    } catch (err) {
      if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new Error(EMAIL_TAKEN, { cause: err });
      throw err;
    }
  }

  async getUser(id: string): Promise<StaffUser | null> {
    const row = this.sql.getUser.get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async findUserByEmail(email: string): Promise<StaffUser | null> {
    const row = this.sql.userByEmail.get(email.toLowerCase()) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async listUsers(organisationId?: string): Promise<StaffUser[]> {
    const rows = (
      organisationId === undefined ? this.sql.listUsers.all() : this.sql.listUsersOf.all(organisationId)
    ) as UserRow[];
    return rows.map(toUser).sort((a, b) => a.email.localeCompare(b.email));
  }

  async createSession(session: StaffSession): Promise<void> {
    this.sql.createSession.run(session.idHash, session.userId, session.csrfToken, session.createdAt, session.expiresAt);
  }

  async getSession(idHash: string): Promise<StaffSession | null> {
    const row = this.sql.getSession.get(idHash) as SessionRow | undefined;
    if (!row) return null;
    return sessionFromRow(row);
  }

  async deleteSession(idHash: string): Promise<void> {
    this.sql.deleteSession.run(idHash);
  }

  async deleteSessions(filter: { expiredAt?: number; userId?: string }): Promise<number> {
    return this.sql.deleteSessions.run({ expiredAt: filter.expiredAt ?? null, userId: filter.userId ?? null }).changes;
  }

  async openCase(c: Case, sourceId: string): Promise<{ case: Case; created: boolean }> {
    // Encrypted before the transaction, so the write lock is held only for the writes.
    const { row, created } = this.openCaseTx.immediate({
      id: c.id,
      organisationId: c.organisationId,
      category: c.category,
      priority: c.priority,
      status: c.status,
      channel: c.ref.channel,
      conversationId: c.ref.conversationId,
      userId: c.ref.userId,
      conversationKey: c.conversationKey,
      sourceId,
      locale: c.locale,
      countryCurrent: c.country.current ?? null,
      countryOrigin: c.country.origin ?? null,
      consentVersion: c.consent.version,
      consentLocale: c.consent.locale,
      consentText: this.cipher.encrypt(c.consent.text),
      consentAt: c.consent.at,
      tracing: c.tracing === null ? null : this.cipher.encrypt(toJson(c.tracing, 'tracing')),
      assignedTo: c.assignedTo,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      lastPersonMessageAt: c.lastPersonMessageAt,
      closedAt: c.closedAt,
      closedBy: c.closedBy,
      alertedAt: c.alertedAt,
    });
    return { case: this.toCase(row), created };
  }

  async getCase(id: string): Promise<Case | null> {
    const row = this.sql.getCase.get(id) as CaseRow | undefined;
    return row ? this.toCase(row) : null;
  }

  async openCaseOf(conversationKey: string): Promise<Case | null> {
    const row = this.sql.openCaseOf.get(conversationKey) as CaseRow | undefined;
    return row ? this.toCase(row) : null;
  }

  async updateCase(id: string, patch: CasePatch, expect: CaseExpectation = {}): Promise<Case | null> {
    const params: Record<string, SqlValue> = { id };
    const sets = columnsOf(patch, PATCH_COLUMNS, 'set', params).map(([column, name]) => `${column} = @${name}`);
    // IS, not =: it also matches an expected null ("not assigned to anyone").
    const conditions = columnsOf(expect, EXPECT_COLUMNS, 'is', params).map(([column, name]) => `${column} IS @${name}`);
    const where = ['id = @id', ...conditions].join(' AND ');
    // One statement, so the check and the change are atomic, also against another process on the file.
    const sql =
      sets.length === 0
        ? `SELECT * FROM cases WHERE ${where}`
        : `UPDATE cases SET ${sets.join(', ')} WHERE ${where} RETURNING *`;
    const row = this.statement(sql).get(params) as CaseRow | undefined;
    return row ? this.toCase(row) : null;
  }

  async listCases(filter: CaseFilter, limit: number): Promise<Case[]> {
    checkLimit(limit);
    const params: Record<string, SqlValue> = { organisationId: filter.organisationId, limit };
    const where = ['organisation_id = @organisationId'];
    if (filter.status === 'open') where.push("status IN ('waiting', 'assigned')");
    else if (filter.status !== undefined) {
      where.push('status = @status');
      params.status = filter.status;
    }
    if (filter.category !== undefined) {
      where.push('category = @category');
      params.category = filter.category;
    }
    if (filter.locale !== undefined) {
      where.push('locale = @locale');
      params.locale = filter.locale;
    }
    // rowid last: cases opened in the same millisecond keep the order they were opened in.
    const sql = `SELECT * FROM cases WHERE ${where.join(' AND ')} ORDER BY priority DESC, created_at, rowid LIMIT @limit`;
    return (this.statement(sql).all(params) as CaseRow[]).map((r) => this.toCase(r));
  }

  async unalertedWaiting(limit: number): Promise<Case[]> {
    checkLimit(limit);
    return (this.sql.unalertedWaiting.all(limit) as CaseRow[]).map((r) => this.toCase(r));
  }

  async addMessage(m: Omit<CaseMessage, 'id'>): Promise<CaseMessage> {
    const row = this.addMessageTx.immediate({
      caseId: m.caseId,
      author: m.author,
      userId: m.userId,
      text: this.cipher.encrypt(m.text),
      locale: m.locale,
      sourceId: m.sourceId,
      delivery: m.delivery,
      deliveryError: m.deliveryError,
      createdAt: m.createdAt,
    });
    return this.toMessage(row);
  }

  async listMessages(caseId: string): Promise<CaseMessage[]> {
    return (this.sql.listMessages.all(caseId) as MessageRow[]).map((r) => this.toMessage(r));
  }

  async setDelivery(messageId: number, state: 'pending' | 'delivered' | 'failed', error: string | null): Promise<void> {
    this.sql.setDelivery.run(state, error, messageId);
  }

  async undelivered(limit: number): Promise<CaseMessage[]> {
    checkLimit(limit);
    return (this.sql.undelivered.all(limit) as MessageRow[]).map((r) => this.toMessage(r));
  }

  async addNote(n: Omit<CaseNote, 'id'>): Promise<CaseNote> {
    const text = this.cipher.encrypt(n.text);
    this.requireCase(n.caseId);
    const { lastInsertRowid } = this.sql.insertNote.run(n.caseId, n.userId, text, n.createdAt);
    return this.toNote(this.sql.getNote.get(lastInsertRowid) as NoteRow);
  }

  async listNotes(caseId: string): Promise<CaseNote[]> {
    return (this.sql.listNotes.all(caseId) as NoteRow[]).map((r) => this.toNote(r));
  }

  async addTransfer(t: Omit<CaseTransfer, 'id'>): Promise<CaseTransfer> {
    const note = this.cipher.encrypt(t.note);
    this.requireCase(t.caseId);
    const { lastInsertRowid } = this.sql.insertTransfer.run(t.caseId, t.from, t.to, t.userId, note, t.at);
    return this.toTransfer(this.sql.getTransfer.get(lastInsertRowid) as TransferRow);
  }

  async listTransfers(caseId: string): Promise<CaseTransfer[]> {
    return (this.sql.listTransfers.all(caseId) as TransferRow[]).map((r) => this.toTransfer(r));
  }

  async audit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const detail = toJson(entry.detail, 'detail');
    const { lastInsertRowid } = this.sql.insertAudit.run(entry.at, entry.userId, entry.action, entry.caseId, detail);
    return auditFromRow(this.sql.getAudit.get(lastInsertRowid) as AuditRow);
  }

  async listAudit(limit: number, before?: number): Promise<AuditEntry[]> {
    checkLimit(limit);
    const rows = before === undefined ? this.sql.listAudit.all(limit) : this.sql.listAuditBefore.all(before, limit);
    return (rows as AuditRow[]).map(auditFromRow);
  }

  async deleteUserCases(channel: string, userId: string): Promise<string[]> {
    return this.deleteUserCasesTx.immediate(channel, userId);
  }

  async deleteClosedCases(before: number): Promise<number> {
    return this.deleteClosedTx.immediate(before);
  }

  async countOpenCases(): Promise<Record<Priority, number>> {
    const counts: Record<Priority, number> = { urgent: 0, normal: 0 };
    for (const row of this.sql.countOpenCases.all() as { priority: Priority; n: number }[]) counts[row.priority] = row.n;
    return counts;
  }

  async openCaseConversations(): Promise<string[]> {
    return this.sql.openCaseConversations.all() as string[];
  }

  /** Releases nothing: the connection is the SqliteStore's, which closes it after this. */
  async close(): Promise<void> {}

  /** A clear refusal before the foreign key's bare "constraint failed", and for every store alike. */
  private requireCase(caseId: string): void {
    if (this.sql.caseExists.get(caseId) === undefined) throw new Error('no such case');
  }

  private statement(sql: string): Statement {
    let s = this.shaped.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.shaped.set(sql, s);
    }
    return s;
  }

  // Rows to the handoff's types (src/store/handoff-rows.ts), decrypting with this store's cipher.
  private readonly toCase = (r: CaseRow): Case => caseFromRow(r, this.cipher);
  private readonly toMessage = (r: MessageRow): CaseMessage => messageFromRow(r, this.cipher);
  private readonly toNote = (r: NoteRow): CaseNote => noteFromRow(r, this.cipher);
  private readonly toTransfer = (r: TransferRow): CaseTransfer => transferFromRow(r, this.cipher);
}

/**
 * The columns of the fields given (a field set to undefined is left out, as
 * if absent), with their values put in `params` under a prefixed name.
 */
function columnsOf(
  fields: object,
  columns: Record<string, string>,
  prefix: string,
  params: Record<string, SqlValue>,
): [column: string, name: string][] {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => {
      const column = columns[field];
      if (column === undefined) throw new TypeError(`a case's ${field} cannot be changed or expected`);
      params[`${prefix}_${field}`] = value as SqlValue;
      return [column, `${prefix}_${field}`];
    });
}

function toUser(r: UserRow): StaffUser {
  return userFromRow(r, r.disabled === 1);
}

/** Every fixed statement, compiled once at open rather than on each call. */
function prepare(db: Database.Database) {
  const s = (sql: string): Statement => db.prepare(sql);
  const userCases = 'SELECT id FROM cases WHERE channel = ? AND user_id = ?';
  const closedCases = "SELECT id FROM cases WHERE status = 'closed' AND closed_at < ?";
  return {
    saveOrganisation: s(
      `INSERT INTO organisations (id, name, languages, countries, expected_response_minutes, alert_target, created_at)
       VALUES (@id, @name, @languages, @countries, @expectedResponseMinutes, @alertTarget, @createdAt)
       ON CONFLICT (id) DO UPDATE SET
         name = excluded.name, languages = excluded.languages, countries = excluded.countries,
         expected_response_minutes = excluded.expected_response_minutes, alert_target = excluded.alert_target,
         created_at = excluded.created_at`,
    ),
    getOrganisation: s('SELECT * FROM organisations WHERE id = ?'),
    listOrganisations: s('SELECT * FROM organisations'),
    // A clash on email_key is not handled here: it must fail, not overwrite another user.
    saveUser: s(
      `INSERT INTO staff_users (id, email, email_key, name, role, organisation_id, password_hash, disabled, created_at)
       VALUES (@id, @email, @emailKey, @name, @role, @organisationId, @passwordHash, @disabled, @createdAt)
       ON CONFLICT (id) DO UPDATE SET
         email = excluded.email, email_key = excluded.email_key, name = excluded.name, role = excluded.role,
         organisation_id = excluded.organisation_id, password_hash = excluded.password_hash,
         disabled = excluded.disabled, created_at = excluded.created_at`,
    ),
    getUser: s('SELECT * FROM staff_users WHERE id = ?'),
    userByEmail: s('SELECT * FROM staff_users WHERE email_key = ?'),
    listUsers: s('SELECT * FROM staff_users'),
    listUsersOf: s('SELECT * FROM staff_users WHERE organisation_id = ?'),
    createSession: s(
      'INSERT INTO staff_sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    ),
    getSession: s('SELECT * FROM staff_sessions WHERE id_hash = ?'),
    deleteSession: s('DELETE FROM staff_sessions WHERE id_hash = ?'),
    deleteSessions: s(
      `DELETE FROM staff_sessions
       WHERE (@expiredAt IS NOT NULL AND expires_at <= @expiredAt) OR (@userId IS NOT NULL AND user_id = @userId)`,
    ),
    insertCase: s(
      `INSERT INTO cases (
         id, organisation_id, category, priority, status, channel, conversation_id, user_id, conversation_key,
         source_id, locale, country_current, country_origin, consent_version, consent_locale, consent_text,
         consent_at, tracing, assigned_to, created_at, updated_at, last_person_message_at, closed_at, closed_by,
         alerted_at)
       VALUES (
         @id, @organisationId, @category, @priority, @status, @channel, @conversationId, @userId, @conversationKey,
         @sourceId, @locale, @countryCurrent, @countryOrigin, @consentVersion, @consentLocale, @consentText,
         @consentAt, @tracing, @assignedTo, @createdAt, @updatedAt, @lastPersonMessageAt, @closedAt, @closedBy,
         @alertedAt)`,
    ),
    getCase: s('SELECT * FROM cases WHERE id = ?'),
    caseExists: s('SELECT 1 FROM cases WHERE id = ?'),
    caseBySource: s('SELECT * FROM cases WHERE conversation_key = ? AND source_id = ?'),
    // The condition as the partial index states it, so the planner uses that index.
    openCaseOf: s("SELECT * FROM cases WHERE conversation_key = ? AND status <> 'closed' ORDER BY rowid LIMIT 1"),
    unalertedWaiting: s(
      "SELECT * FROM cases WHERE status = 'waiting' AND alerted_at IS NULL ORDER BY created_at, rowid LIMIT ?",
    ),
    insertMessage: s(
      `INSERT INTO case_messages (case_id, author, user_id, text, locale, source_id, delivery, delivery_error, created_at)
       VALUES (@caseId, @author, @userId, @text, @locale, @sourceId, @delivery, @deliveryError, @createdAt)`,
    ),
    getMessage: s('SELECT * FROM case_messages WHERE id = ?'),
    messageBySource: s('SELECT * FROM case_messages WHERE case_id = ? AND source_id = ?'),
    listMessages: s('SELECT * FROM case_messages WHERE case_id = ? ORDER BY id'),
    setDelivery: s('UPDATE case_messages SET delivery = ?, delivery_error = ? WHERE id = ?'),
    undelivered: s(
      "SELECT * FROM case_messages WHERE author = 'caseworker' AND delivery IN ('pending', 'failed') ORDER BY id LIMIT ?",
    ),
    insertNote: s('INSERT INTO case_notes (case_id, user_id, text, created_at) VALUES (?, ?, ?, ?)'),
    getNote: s('SELECT * FROM case_notes WHERE id = ?'),
    listNotes: s('SELECT * FROM case_notes WHERE case_id = ? ORDER BY id'),
    insertTransfer: s(
      `INSERT INTO case_transfers (case_id, from_organisation, to_organisation, user_id, note, at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    getTransfer: s('SELECT * FROM case_transfers WHERE id = ?'),
    listTransfers: s('SELECT * FROM case_transfers WHERE case_id = ? ORDER BY id'),
    insertAudit: s('INSERT INTO audit_log (at, user_id, action, case_id, detail) VALUES (?, ?, ?, ?, ?)'),
    getAudit: s('SELECT * FROM audit_log WHERE id = ?'),
    listAudit: s('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?'),
    listAuditBefore: s('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?'),
    userCaseIds: db.prepare(`${userCases} ORDER BY rowid`).pluck(),
    deleteUserMessages: s(`DELETE FROM case_messages WHERE case_id IN (${userCases})`),
    deleteUserNotes: s(`DELETE FROM case_notes WHERE case_id IN (${userCases})`),
    deleteUserTransfers: s(`DELETE FROM case_transfers WHERE case_id IN (${userCases})`),
    deleteUserCases: s('DELETE FROM cases WHERE channel = ? AND user_id = ?'),
    deleteClosedChildren: [
      s(`DELETE FROM case_messages WHERE case_id IN (${closedCases})`),
      s(`DELETE FROM case_notes WHERE case_id IN (${closedCases})`),
      s(`DELETE FROM case_transfers WHERE case_id IN (${closedCases})`),
    ],
    deleteClosed: s(`DELETE FROM cases WHERE id IN (${closedCases})`),
    // The condition as the partial index states it, so the planner uses that index.
    openCaseConversations: db.prepare("SELECT DISTINCT conversation_key FROM cases WHERE status <> 'closed'").pluck(),
    countOpenCases: s("SELECT priority, count(*) AS n FROM cases WHERE status <> 'closed' GROUP BY priority"),
  };
}
