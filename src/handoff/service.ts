import type { Case, CaseMessage, CaseNote, CaseTransfer, Category, Consent, Organisation, StaffUser } from './types';
import type { CaseFilter } from './store';
import type { ConversationRef } from '../conversation/record';

/** What happened, for the inbox's live updates and the alerts; never message text. */
export type HandoffEvent =
  | { type: 'case.opened'; caseId: string; organisationId: string; category: Category; priority: Case['priority'] }
  | { type: 'case.updated'; caseId: string; organisationId: string; previousOrganisationId?: string }
  | { type: 'message.added'; caseId: string; organisationId: string; author: CaseMessage['author'] }
  | { type: 'message.delivery'; caseId: string; organisationId: string; messageId: number; state: 'delivered' | 'failed' }
  | { type: 'case.alert'; caseId: string; organisationId: string; priority: Case['priority']; waitingMinutes: number };

export interface OpenCaseRequest {
  ref: ConversationRef;
  conversationKey: string;
  category: Category;
  locale: string;
  country: { current?: string; origin?: string };
  consent: Consent;
  tracing: unknown | null;
  /** The channel message id that said yes: opening twice from it opens one case. */
  sourceId: string;
  now: number;
}

/** Everything a caseworker sees of one case. */
export interface CaseView {
  case: Case;
  organisation: Organisation;
  messages: CaseMessage[];
  notes: CaseNote[];
  transfers: CaseTransfer[];
}

/** A staff action refused: the inbox answers 403/404/409 with the reason. */
export class HandoffError extends Error {
  constructor(
    readonly code: 'not-found' | 'forbidden' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'HandoffError';
  }
}

/**
 * The handoff as the person's side (engine middleware) and the staff side
 * (the console) use it. Every staff method checks that the user belongs to the
 * case's organisation (else `not-found`: another organisation's case does not
 * exist for them), writes the audit log, and emits a HandoffEvent.
 */
export interface Handoff {
  /** The organisation a new case in this country goes to: the one serving it, else the default. */
  organisationFor(country: { current?: string; origin?: string }): Promise<Organisation>;
  open(req: OpenCaseRequest): Promise<{ case: Case; created: boolean }>;

  listCases(user: StaffUser, filter: Omit<CaseFilter, 'organisationId'>, limit: number): Promise<Case[]>;
  view(user: StaffUser, caseId: string): Promise<CaseView>;
  claim(user: StaffUser, caseId: string): Promise<Case>;
  /** Sends a reply on the person's channel (through the engine's outbox); the line records its delivery. */
  reply(user: StaffUser, caseId: string, text: string): Promise<CaseMessage>;
  note(user: StaffUser, caseId: string, text: string): Promise<CaseNote>;
  transfer(user: StaffUser, caseId: string, organisationId: string, note: string): Promise<Case>;
  close(user: StaffUser, caseId: string): Promise<Case>;

  subscribe(listener: (event: HandoffEvent) => void): () => void;
  /**
   * Tells every subscriber about an event raised outside these methods (the
   * time-limit alerts of src/handoff/alerts.ts). A HandoffEvents hub
   * (src/handoff/events.ts) implements both this and `subscribe`.
   */
  publish(event: HandoffEvent): void;
}
