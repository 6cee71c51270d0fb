import type { Logger } from '../conversation/logger';
import { HandoffContext } from './handoff-context';
import { HandoffEvents } from './events';
import { PersonNotices, type PersonWriter } from './person-notices';
import { PersonSide, type PersonLine } from './person-side';
import type { CaseView, Handoff, HandoffEvent, OpenCaseRequest } from './service';
import { StaffSide } from './staff-side';
import type { CaseFilter, HandoffStore } from './store';
import type { Case, CaseMessage, CaseNote, Organisation, StaffUser } from './types';

export interface HandoffServiceOptions {
  store: HandoffStore;
  log: Logger;
  /** HANDOFF_DEFAULT_ORGANISATION: takes cases from countries no organisation serves; created if missing. */
  defaultOrganisation: string;
  /** The languages the bot speaks: those of a default organisation created here. */
  languages: readonly string[];
  /** The process's event hub, shared with the alerts and the inbox; a private one if none. */
  events?: HandoffEvents;
  clock?: () => number;
}

/**
 * The handoff from the bot to a caseworker and back, in one object for the
 * composition root: the person's side (src/handoff/person-side.ts: the
 * engine's handoff step opens cases, relays messages, stops and escalates)
 * and the staff side (src/handoff/staff-side.ts: the console lists, claims,
 * replies, notes, transfers and closes), which share one store, audit log
 * and event hub.
 */
export class HandoffService implements Handoff {
  private readonly ctx: HandoffContext;
  private readonly person: PersonSide;
  private readonly notices: PersonNotices;
  private readonly staff: StaffSide;

  constructor(opts: HandoffServiceOptions) {
    this.ctx = new HandoffContext(opts.store, opts.log, opts.events ?? new HandoffEvents(opts.log), opts.clock ?? Date.now);
    this.person = new PersonSide(this.ctx, { name: opts.defaultOrganisation, languages: opts.languages });
    this.notices = new PersonNotices(this.ctx, (c, line) => this.person.relay(c, line));
    this.staff = new StaffSide(this.ctx, this.notices);
  }

  /** Late binding to the engine (it takes the handoff step, which takes this service). */
  connect(writer: PersonWriter): void {
    this.notices.connect(writer);
  }

  subscribe(listener: (event: HandoffEvent) => void): () => void {
    return this.ctx.events.subscribe(listener);
  }

  /** For events raised outside these methods (the time-limit alerts). */
  publish(event: HandoffEvent): void {
    this.ctx.publish(event);
  }

  // ------------------------------------------------------------ the person's side

  ensureDefaultOrganisation(): Promise<Organisation> {
    return this.person.ensureDefaultOrganisation();
  }

  organisationFor(country: { current?: string; origin?: string }): Promise<Organisation> {
    return this.person.organisationFor(country);
  }

  organisationOf(c: Case): Promise<Organisation> {
    return this.person.organisationOf(c);
  }

  open(req: OpenCaseRequest): Promise<{ case: Case; created: boolean }> {
    return this.person.open(req);
  }

  openCase(caseId: string, conversationKey: string): Promise<Case | null> {
    return this.person.openCase(caseId, conversationKey);
  }

  openCaseOf(conversationKey: string): Promise<Case | null> {
    return this.person.openCaseOf(conversationKey);
  }

  relay(c: Case, line: PersonLine): Promise<CaseMessage> {
    return this.person.relay(c, line);
  }

  escalate(c: Case, now: number): Promise<void> {
    return this.person.escalate(c, now);
  }

  stopByPerson(c: Case, now: number): Promise<void> {
    return this.person.stopByPerson(c, now);
  }

  erasePerson(channel: string, userId: string): Promise<number> {
    return this.person.erasePerson(channel, userId);
  }

  // ------------------------------------------------------------ the staff side

  listCases(user: StaffUser, filter: Omit<CaseFilter, 'organisationId'>, limit: number): Promise<Case[]> {
    return this.staff.listCases(user, filter, limit);
  }

  view(user: StaffUser, caseId: string): Promise<CaseView> {
    return this.staff.view(user, caseId);
  }

  claim(user: StaffUser, caseId: string): Promise<Case> {
    return this.staff.claim(user, caseId);
  }

  reply(user: StaffUser, caseId: string, text: string): Promise<CaseMessage> {
    return this.staff.reply(user, caseId, text);
  }

  note(user: StaffUser, caseId: string, text: string): Promise<CaseNote> {
    return this.staff.note(user, caseId, text);
  }

  transfer(user: StaffUser, caseId: string, organisationId: string, note: string): Promise<Case> {
    return this.staff.transfer(user, caseId, organisationId, note);
  }

  close(user: StaffUser, caseId: string): Promise<Case> {
    return this.staff.close(user, caseId);
  }

  deliveryReported(entries: readonly { messageId: string }[], outcome: { ok: boolean; error?: string }): Promise<void> {
    return this.staff.deliveryReported(entries, outcome);
  }
}
