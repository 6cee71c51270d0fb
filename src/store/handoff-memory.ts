import type { Cipher } from '../handoff/cipher';
import type { CaseExpectation, CaseFilter, CasePatch, HandoffStore, StaffSession } from '../handoff/store';
import type { AuditEntry, Case, CaseMessage, CaseNote, CaseTransfer, Organisation, Priority, StaffUser } from '../handoff/types';
import { checkLimit, toJson } from './guards';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The handoff in process memory: for tests and the terminal chat. Personal
 * text is kept as the cipher writes it, as a database would hold it, so that
 * the same contract suite proves encryption for every implementation.
 */
export class MemoryHandoffStore implements HandoffStore {
  private readonly organisations = new Map<string, Organisation>();
  private readonly users = new Map<string, StaffUser>();
  private readonly sessions = new Map<string, StaffSession>();
  private readonly cases = new Map<string, Case & { sourceId: string }>();
  private readonly messages: CaseMessage[] = [];
  private readonly notes: CaseNote[] = [];
  private readonly transfers: CaseTransfer[] = [];
  private readonly auditLog: AuditEntry[] = [];
  private nextId = 1;

  constructor(private readonly cipher: Cipher) {}

  async saveOrganisation(org: Organisation): Promise<void> {
    this.organisations.set(org.id, clone(org));
  }

  async getOrganisation(id: string): Promise<Organisation | null> {
    const org = this.organisations.get(id);
    return org ? clone(org) : null;
  }

  async listOrganisations(): Promise<Organisation[]> {
    return [...this.organisations.values()].sort((a, b) => a.name.localeCompare(b.name)).map(clone);
  }

  async saveUser(user: StaffUser): Promise<void> {
    const taken = await this.findUserByEmail(user.email);
    if (taken && taken.id !== user.id) throw new Error(`email already used by another user`);
    this.users.set(user.id, clone(user));
  }

  async getUser(id: string): Promise<StaffUser | null> {
    const user = this.users.get(id);
    return user ? clone(user) : null;
  }

  async findUserByEmail(email: string): Promise<StaffUser | null> {
    const wanted = email.toLowerCase();
    const user = [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
    return user ? clone(user) : null;
  }

  async listUsers(organisationId?: string): Promise<StaffUser[]> {
    return [...this.users.values()]
      .filter((u) => organisationId === undefined || u.organisationId === organisationId)
      .sort((a, b) => a.email.localeCompare(b.email))
      .map(clone);
  }

  async createSession(session: StaffSession): Promise<void> {
    this.sessions.set(session.idHash, clone(session));
  }

  async getSession(idHash: string): Promise<StaffSession | null> {
    const session = this.sessions.get(idHash);
    return session ? clone(session) : null;
  }

  async deleteSession(idHash: string): Promise<void> {
    this.sessions.delete(idHash);
  }

  async deleteSessions(filter: { expiredAt?: number; userId?: string }): Promise<number> {
    let removed = 0;
    for (const [key, s] of this.sessions) {
      const expired = filter.expiredAt !== undefined && s.expiresAt <= filter.expiredAt;
      const theirs = filter.userId !== undefined && s.userId === filter.userId;
      if (expired || theirs) {
        this.sessions.delete(key);
        removed++;
      }
    }
    return removed;
  }

  async openCase(c: Case, sourceId: string): Promise<{ case: Case; created: boolean }> {
    const existing = [...this.cases.values()].find((k) => k.conversationKey === c.conversationKey && k.sourceId === sourceId);
    if (existing) return { case: this.reveal(existing), created: false };
    if (this.cases.has(c.id)) throw new Error('case id already used');
    this.cases.set(c.id, { ...this.conceal(c), sourceId });
    return { case: this.reveal(this.cases.get(c.id)!), created: true };
  }

  async getCase(id: string): Promise<Case | null> {
    const c = this.cases.get(id);
    return c ? this.reveal(c) : null;
  }

  async openCaseOf(conversationKey: string): Promise<Case | null> {
    const c = [...this.cases.values()].find((k) => k.conversationKey === conversationKey && k.status !== 'closed');
    return c ? this.reveal(c) : null;
  }

  async updateCase(id: string, patch: CasePatch, expect: CaseExpectation = {}): Promise<Case | null> {
    const c = this.cases.get(id);
    if (!c) return null;
    // A field given as undefined is left out, as if absent (SQL has no undefined to compare or write).
    for (const [field, value] of Object.entries(expect)) {
      if (value !== undefined && c[field as keyof CaseExpectation] !== value) return null;
    }
    for (const [field, value] of Object.entries(patch)) {
      if (value !== undefined) Object.assign(c, { [field]: value });
    }
    return this.reveal(c);
  }

  async listCases(filter: CaseFilter, limit: number): Promise<Case[]> {
    checkLimit(limit);
    return [...this.cases.values()]
      .filter((c) => c.organisationId === filter.organisationId)
      .filter((c) => matchesStatus(c, filter.status))
      .filter((c) => filter.category === undefined || c.category === filter.category)
      .filter((c) => filter.locale === undefined || c.locale === filter.locale)
      .sort(queueOrder)
      .slice(0, limit)
      .map((c) => this.reveal(c));
  }

  async unalertedWaiting(limit: number): Promise<Case[]> {
    checkLimit(limit);
    return [...this.cases.values()]
      .filter((c) => c.status === 'waiting' && c.alertedAt === null)
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, limit)
      .map((c) => this.reveal(c));
  }

  async addMessage(m: Omit<CaseMessage, 'id'>): Promise<CaseMessage> {
    const existing = this.messages.find((x) => x.caseId === m.caseId && x.sourceId === m.sourceId);
    if (existing) return this.revealText(existing);
    this.requireCase(m.caseId);
    const line = { ...clone(m), id: this.nextId++, text: this.cipher.encrypt(m.text) };
    this.messages.push(line);
    return this.revealText(line);
  }

  async listMessages(caseId: string): Promise<CaseMessage[]> {
    return this.messages.filter((m) => m.caseId === caseId).map((m) => this.revealText(m));
  }

  async setDelivery(messageId: number, state: 'pending' | 'delivered' | 'failed', error: string | null): Promise<void> {
    const line = this.messages.find((m) => m.id === messageId);
    if (line) Object.assign(line, { delivery: state, deliveryError: error });
  }

  async undelivered(limit: number): Promise<CaseMessage[]> {
    checkLimit(limit);
    return this.messages
      .filter((m) => m.author === 'caseworker' && (m.delivery === 'pending' || m.delivery === 'failed'))
      .slice(0, limit)
      .map((m) => this.revealText(m));
  }

  async addNote(n: Omit<CaseNote, 'id'>): Promise<CaseNote> {
    this.requireCase(n.caseId);
    const note = { ...clone(n), id: this.nextId++, text: this.cipher.encrypt(n.text) };
    this.notes.push(note);
    return this.revealText(note);
  }

  async listNotes(caseId: string): Promise<CaseNote[]> {
    return this.notes.filter((n) => n.caseId === caseId).map((n) => this.revealText(n));
  }

  async addTransfer(t: Omit<CaseTransfer, 'id'>): Promise<CaseTransfer> {
    this.requireCase(t.caseId);
    const transfer = { ...clone(t), id: this.nextId++, note: this.cipher.encrypt(t.note) };
    this.transfers.push(transfer);
    return { ...clone(transfer), note: this.cipher.decrypt(transfer.note) };
  }

  async listTransfers(caseId: string): Promise<CaseTransfer[]> {
    return this.transfers
      .filter((t) => t.caseId === caseId)
      .map((t) => ({ ...clone(t), note: this.cipher.decrypt(t.note) }));
  }

  async audit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry> {
    const line = { ...clone(entry), id: this.nextId++ };
    this.auditLog.push(line);
    return clone(line);
  }

  async listAudit(limit: number, before?: number): Promise<AuditEntry[]> {
    checkLimit(limit);
    return this.auditLog
      .filter((a) => before === undefined || a.id < before)
      .sort((a, b) => b.id - a.id)
      .slice(0, limit)
      .map(clone);
  }

  async deleteUserCases(channel: string, userId: string): Promise<string[]> {
    const ids = [...this.cases.values()]
      .filter((c) => c.ref.channel === channel && c.ref.userId === userId)
      .map((c) => c.id);
    this.removeCases(ids);
    return ids;
  }

  async deleteClosedCases(before: number): Promise<number> {
    const ids = [...this.cases.values()]
      .filter((c) => c.status === 'closed' && c.closedAt !== null && c.closedAt < before)
      .map((c) => c.id);
    this.removeCases(ids);
    return ids.length;
  }

  async countOpenCases(): Promise<Record<Priority, number>> {
    const counts: Record<Priority, number> = { urgent: 0, normal: 0 };
    for (const c of this.cases.values()) if (c.status !== 'closed') counts[c.priority] += 1;
    return counts;
  }

  async openCaseConversations(): Promise<string[]> {
    return [...new Set([...this.cases.values()].filter((c) => c.status !== 'closed').map((c) => c.conversationKey))];
  }

  async close(): Promise<void> {
    // Nothing to release.
  }

  /** The raw stored form (encrypted values), for tests that check nothing personal is kept in the clear. */
  dump(): string {
    return JSON.stringify([...this.cases.values(), this.messages, this.notes, this.transfers, this.auditLog]);
  }

  /** Cases with their transcripts, notes and transfers. */
  private removeCases(ids: readonly string[]): void {
    const gone = new Set(ids);
    for (const id of ids) this.cases.delete(id);
    const keep = <T extends { caseId: string }>(list: T[]) => {
      const left = list.filter((x) => !gone.has(x.caseId));
      list.splice(0, list.length, ...left);
    };
    keep(this.messages);
    keep(this.notes);
    keep(this.transfers);
  }

  /** A line for an erased case would be personal text with nothing to erase it by. */
  private requireCase(caseId: string): void {
    if (!this.cases.has(caseId)) throw new Error('no such case');
  }

  private conceal(c: Case): Case {
    return {
      ...clone(c),
      consent: { ...c.consent, text: this.cipher.encrypt(c.consent.text) },
      tracing: c.tracing === null ? null : this.cipher.encrypt(toJson(c.tracing, 'tracing')),
    };
  }

  private reveal(stored: Case & { sourceId?: string }): Case {
    const { sourceId: _sourceId, ...c } = clone(stored);
    return {
      ...c,
      consent: { ...c.consent, text: this.cipher.decrypt(c.consent.text) },
      tracing: c.tracing === null ? null : (JSON.parse(this.cipher.decrypt(c.tracing as string)) as unknown),
    };
  }

  private revealText<T extends { text: string }>(row: T): T {
    return { ...clone(row), text: this.cipher.decrypt(row.text) };
  }
}

function matchesStatus(c: Case, status: CaseFilter['status']): boolean {
  if (status === undefined) return true;
  if (status === 'open') return c.status !== 'closed';
  return c.status === status;
}

/** The queue: urgent first, then whoever has waited longest. */
export function queueOrder(a: Case, b: Case): number {
  if (a.priority !== b.priority) return a.priority === 'urgent' ? -1 : 1;
  return a.createdAt - b.createdAt;
}
