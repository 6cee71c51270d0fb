import type {
  AuditEntry,
  Case,
  CaseMessage,
  CaseNote,
  CaseStatus,
  CaseTransfer,
  Category,
  Organisation,
  Priority,
  StaffUser,
} from './types';

/** A console session: the cookie holds a random id, the store only its hash. */
export interface StaffSession {
  idHash: string;
  userId: string;
  /** Sent back in the X-CSRF-Token header with every change. */
  csrfToken: string;
  createdAt: number;
  expiresAt: number;
}

export interface CaseFilter {
  organisationId: string;
  status?: CaseStatus | 'open';
  category?: Category;
  locale?: string;
}

/** What may change on a case after it is opened. */
export type CasePatch = Partial<
  Pick<
    Case,
    | 'organisationId'
    | 'priority'
    | 'status'
    | 'assignedTo'
    | 'updatedAt'
    | 'lastPersonMessageAt'
    | 'closedAt'
    | 'closedBy'
    | 'alertedAt'
  >
>;

/** A condition an update needs to hold, checked atomically with it (e.g. "still waiting" for a claim). */
export type CaseExpectation = Partial<Pick<Case, 'status' | 'assignedTo' | 'organisationId' | 'alertedAt'>>;

/**
 * Storage of the handoff: organisations, staff, sessions, cases with their
 * transcripts, notes and transfers, and the audit log. Implementations
 * encrypt the personal text at rest (consent text, tracing details,
 * transcript lines, notes, transfer notes) with the Cipher they are given,
 * and pass one contract suite (test/contracts/handoff-store.contract.ts).
 */
export interface HandoffStore {
  saveOrganisation(org: Organisation): Promise<void>;
  getOrganisation(id: string): Promise<Organisation | null>;
  listOrganisations(): Promise<Organisation[]>;

  /** Inserts or replaces; the email is unique (case-insensitive). */
  saveUser(user: StaffUser): Promise<void>;
  getUser(id: string): Promise<StaffUser | null>;
  findUserByEmail(email: string): Promise<StaffUser | null>;
  listUsers(organisationId?: string): Promise<StaffUser[]>;

  createSession(session: StaffSession): Promise<void>;
  getSession(idHash: string): Promise<StaffSession | null>;
  deleteSession(idHash: string): Promise<void>;
  /** Removes sessions expired at `now`, and every session of a user when `userId` is given. */
  deleteSessions(filter: { expiredAt?: number; userId?: string }): Promise<number>;

  /**
   * Opens a case unless one was already opened from the same message (a
   * retried turn): `created` tells which. Idempotent by conversation and `sourceId`.
   */
  openCase(c: Case, sourceId: string): Promise<{ case: Case; created: boolean }>;
  getCase(id: string): Promise<Case | null>;
  /** The conversation's case that is not closed, if any. */
  openCaseOf(conversationKey: string): Promise<Case | null>;
  /**
   * Applies the patch if the case exists and meets `expect`; returns the
   * updated case, or null (unknown case, or the expectation failed).
   */
  updateCase(id: string, patch: CasePatch, expect?: CaseExpectation): Promise<Case | null>;
  /** Urgent first, then oldest first. */
  listCases(filter: CaseFilter, limit: number): Promise<Case[]>;
  /** Cases waiting (unclaimed) with no alert raised yet, of every organisation, oldest first. */
  unalertedWaiting(limit: number): Promise<Case[]>;

  /** Appends to the transcript; idempotent by case and `sourceId` (gives back the line already written). */
  addMessage(m: Omit<CaseMessage, 'id'>): Promise<CaseMessage>;
  listMessages(caseId: string): Promise<CaseMessage[]>;
  setDelivery(messageId: number, state: 'pending' | 'delivered' | 'failed', error: string | null): Promise<void>;
  /** Caseworker lines whose delivery is pending or failed, oldest first (for retries and the inbox). */
  undelivered(limit: number): Promise<CaseMessage[]>;

  addNote(n: Omit<CaseNote, 'id'>): Promise<CaseNote>;
  listNotes(caseId: string): Promise<CaseNote[]>;
  addTransfer(t: Omit<CaseTransfer, 'id'>): Promise<CaseTransfer>;
  listTransfers(caseId: string): Promise<CaseTransfer[]>;

  audit(entry: Omit<AuditEntry, 'id'>): Promise<AuditEntry>;
  /** Newest first; `before` pages back by id. */
  listAudit(limit: number, before?: number): Promise<AuditEntry[]>;

  /**
   * The right to erasure: removes every case of the user on that channel with
   * its transcript, notes, transfers and tracing details. Returns the ids removed
   * (the caller writes the audit line; the store keeps no content).
   */
  deleteUserCases(channel: string, userId: string): Promise<string[]>;
  /**
   * Retention: removes every case closed before `before` (ms since the epoch)
   * with its transcript, notes, transfers and tracing details. Returns how many.
   */
  deleteClosedCases(before: number): Promise<number>;
  /** The conversation keys of the cases not closed: retention keeps those conversations. */
  openCaseConversations(): Promise<string[]>;
  /** Cases not closed (waiting or assigned), counted by priority, for metrics. */
  countOpenCases(): Promise<Record<Priority, number>>;
  close(): Promise<void>;
}
