import { randomUUID } from 'node:crypto';
import type { HandoffContext } from './handoff-context';
import type { PersonNotices, WriteOutcome } from './person-notices';
import { HandoffError, type CaseView } from './service';
import type { CaseExpectation, CaseFilter, CasePatch } from './store';
import type { Case, CaseMessage, CaseNote, StaffUser } from './types';

export const TEXT_MAX = 4000;

/** `case:<id>:reply:<uuid>`: a caseworker's line and the outbox rows it went out as share this id. */
const replySource = (caseId: string) => `case:${caseId}:reply:${randomUUID()}`;
const REPLY_SOURCE = /^case:([A-Za-z0-9_-]+):reply:/;

/** The engine's report of an attempt as the line keeps it. */
const delivery = (report: { ok: boolean; error?: string }): WriteOutcome =>
  report.ok ? { delivered: true } : { delivered: false, error: report.error ?? 'not delivered' };

/**
 * The staff side of the handoff, as the console uses it: listing, viewing,
 * claiming, replying, noting, transferring and closing. Staff see only their
 * organisation's cases (another's is `not-found`), every action is audited
 * without content, and every change is published.
 */
export class StaffSide {
  /**
   * Replies being written now: their own call marks them, so the engine's
   * report of that attempt is not applied twice. A report that comes while
   * the write still runs is kept here, for a write that ends up queued.
   */
  private readonly sending = new Map<string, { ok: boolean; error?: string } | null>();

  constructor(
    private readonly ctx: HandoffContext,
    private readonly notices: PersonNotices,
  ) {}

  async listCases(user: StaffUser, filter: Omit<CaseFilter, 'organisationId'>, limit: number): Promise<Case[]> {
    const staff = await this.active(user);
    return this.ctx.store.listCases({ ...filter, organisationId: staff.organisationId }, limit);
  }

  async view(user: StaffUser, caseId: string): Promise<CaseView> {
    const staff = await this.active(user);
    const c = await this.caseFor(staff, caseId);
    const [organisation, messages, notes, transfers] = await Promise.all([
      this.ctx.organisation(c.organisationId),
      this.ctx.store.listMessages(c.id),
      this.ctx.store.listNotes(c.id),
      this.ctx.store.listTransfers(c.id),
    ]);
    // Reading a transcript is an access to personal data: it is audited like a change.
    await this.ctx.audit(staff.id, 'case.viewed', c.id, {}, this.ctx.clock());
    return { case: c, organisation, messages, notes, transfers };
  }

  async claim(user: StaffUser, caseId: string): Promise<Case> {
    const staff = await this.active(user);
    const c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is closed');
    if (c.assignedTo === staff.id) return c;
    if (c.assignedTo !== null) throw new HandoffError('conflict', 'another caseworker has claimed this case');
    return this.take(staff, c, this.ctx.clock());
  }

  async reply(user: StaffUser, caseId: string, text: string): Promise<CaseMessage> {
    const staff = await this.active(user);
    const body = checkedText(text, 'the reply');
    let c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is closed');
    if (c.assignedTo !== null && c.assignedTo !== staff.id) throw new HandoffError('conflict', 'another caseworker has claimed this case');
    const now = this.ctx.clock();
    // Answering a waiting case takes it: the person now has a caseworker, and the time-limit alert stops.
    if (c.assignedTo === null) c = await this.take(staff, c, now);
    const org = await this.ctx.organisation(c.organisationId);
    const line = await this.ctx.store.addMessage({
      caseId: c.id,
      author: 'caseworker',
      userId: staff.id,
      text: body,
      locale: null,
      sourceId: replySource(c.id),
      delivery: 'pending',
      deliveryError: null,
      createdAt: now,
    });
    await this.ctx.audit(staff.id, 'case.replied', c.id, { message: line.id }, now);
    this.ctx.publish({ type: 'message.added', caseId: c.id, organisationId: c.organisationId, author: 'caseworker' });
    this.sending.set(line.sourceId, null);
    let outcome: WriteOutcome;
    let reported: { ok: boolean; error?: string } | null;
    try {
      outcome = await this.notices.write(c, line.sourceId, (turn) => {
        turn.say({ key: 'handoff:reply', params: { organisation: org.name, text: body } });
      });
    } finally {
      reported = this.sending.get(line.sourceId) ?? null;
      this.sending.delete(line.sourceId);
    }
    // Queued: it stays pending, and the engine's report (come already, or to come) settles it.
    if (outcome.queued) return reported ? this.markDelivery(c, line, delivery(reported)) : line;
    return this.markDelivery(c, line, outcome);
  }

  async note(user: StaffUser, caseId: string, text: string): Promise<CaseNote> {
    const staff = await this.active(user);
    const body = checkedText(text, 'the note');
    const c = await this.caseFor(staff, caseId);
    const now = this.ctx.clock();
    const note = await this.ctx.store.addNote({ caseId: c.id, userId: staff.id, text: body, createdAt: now });
    await this.ctx.store.updateCase(c.id, { updatedAt: now });
    await this.ctx.audit(staff.id, 'case.noted', c.id, { note: note.id }, now);
    this.ctx.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    return note;
  }

  async transfer(user: StaffUser, caseId: string, organisationId: string, note: string): Promise<Case> {
    const staff = await this.active(user);
    const body = checkedText(note, 'the note');
    const c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is closed');
    if (organisationId === c.organisationId) throw new HandoffError('invalid', 'the case is already with this organisation');
    const to = await this.ctx.store.getOrganisation(organisationId);
    if (!to) throw new HandoffError('invalid', 'no such organisation');
    const now = this.ctx.clock();
    // Back in the queue of the receiving organisation, unclaimed, with its own time limit.
    const moved = await this.ctx.store.updateCase(
      c.id,
      { organisationId: to.id, status: 'waiting', assignedTo: null, alertedAt: null, updatedAt: now },
      { organisationId: c.organisationId, status: c.status, assignedTo: c.assignedTo },
    );
    if (!moved) throw new HandoffError('conflict', 'the case changed meanwhile; try again');
    const transfer = await this.ctx.store.addTransfer({ caseId: c.id, from: c.organisationId, to: to.id, userId: staff.id, note: body, at: now });
    await this.ctx.audit(staff.id, 'case.transferred', c.id, { from: c.organisationId, to: to.id }, now);
    this.ctx.log.info({ event: 'case-transferred', from: c.organisationId, to: to.id });
    this.ctx.publish({ type: 'case.updated', caseId: c.id, organisationId: to.id, previousOrganisationId: c.organisationId });
    // The person agreed to one organisation reading; they are told who reads now, and that stop still works.
    await this.notices.tell(moved, `case:${c.id}:transfer:${transfer.id}`, {
      key: 'handoff:transferred',
      params: { organisation: to.name },
    });
    return moved;
  }

  async close(user: StaffUser, caseId: string): Promise<Case> {
    const staff = await this.active(user);
    const c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is already closed');
    const now = this.ctx.clock();
    const closed = await this.ctx.store.updateCase(
      c.id,
      { status: 'closed', closedAt: now, closedBy: 'caseworker', updatedAt: now },
      { organisationId: staff.organisationId, status: c.status },
    );
    if (!closed) throw new HandoffError('conflict', 'the case changed meanwhile; try again');
    await this.ctx.audit(staff.id, 'case.closed', c.id, { by: 'caseworker' }, now);
    this.ctx.log.info({ event: 'case-closed', organisation: c.organisationId });
    this.ctx.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    const org = await this.ctx.organisation(c.organisationId);
    await this.notices.tell(closed, `case:${c.id}:closed`, { key: 'handoff:closed', params: { organisation: org.name } }, true);
    return closed;
  }

  /**
   * What the engine reports after each delivery attempt (a reply's first
   * try, or a retry by the outbox): the reply's line follows it.
   */
  async deliveryReported(entries: readonly { messageId: string }[], outcome: { ok: boolean; error?: string }): Promise<void> {
    // Every reply is reported here; almost none is a caseworker's.
    if (!entries.some((e) => REPLY_SOURCE.test(e.messageId))) return;
    const ids = [...new Set(entries.map((e) => e.messageId))].filter((id) => REPLY_SOURCE.test(id));
    for (const id of ids) if (this.sending.has(id)) this.sending.set(id, outcome);
    const sources = ids.filter((id) => !this.sending.has(id));
    for (const sourceId of sources) {
      const caseId = REPLY_SOURCE.exec(sourceId)![1]!;
      const c = await this.ctx.store.getCase(caseId);
      if (!c) continue;
      const line = (await this.ctx.store.listMessages(caseId)).find((m) => m.sourceId === sourceId);
      if (!line) continue;
      await this.markDelivery(c, line, delivery(outcome));
    }
  }

  private async markDelivery(c: Case, line: CaseMessage, outcome: { delivered: boolean; error?: string }): Promise<CaseMessage> {
    const state = outcome.delivered ? 'delivered' : 'failed';
    const error = outcome.delivered ? null : (outcome.error ?? 'not delivered');
    // Delivered is final: a late report of an earlier failure must not undo it.
    if (line.delivery === 'delivered' || (line.delivery === state && line.deliveryError === error)) return line;
    await this.ctx.store.setDelivery(line.id, state, error);
    this.ctx.publish({ type: 'message.delivery', caseId: c.id, organisationId: c.organisationId, messageId: line.id, state });
    return { ...line, delivery: state, deliveryError: error };
  }

  private async take(staff: StaffUser, c: Case, now: number): Promise<Case> {
    const expect: CaseExpectation = { organisationId: staff.organisationId, status: c.status, assignedTo: null };
    const patch: CasePatch = { status: 'assigned', assignedTo: staff.id, updatedAt: now };
    const claimed = await this.ctx.store.updateCase(c.id, patch, expect);
    if (!claimed) throw new HandoffError('conflict', 'another caseworker has claimed this case');
    await this.ctx.audit(staff.id, 'case.claimed', c.id, {}, now);
    this.ctx.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    return claimed;
  }

  /** The user as stored now: a disabled account can do nothing, whatever its session says. */
  private async active(user: StaffUser): Promise<StaffUser> {
    const current = await this.ctx.store.getUser(user.id);
    if (!current || current.disabled) throw new HandoffError('forbidden', 'this account is disabled');
    return current;
  }

  /** Another organisation's case does not exist for this user. */
  private async caseFor(staff: StaffUser, caseId: string): Promise<Case> {
    const c = await this.ctx.store.getCase(caseId);
    if (!c || c.organisationId !== staff.organisationId) throw new HandoffError('not-found', 'no such case');
    return c;
  }
}

function checkedText(text: string, what: string): string {
  const body = typeof text === 'string' ? text.trim() : '';
  if (body.length === 0) throw new HandoffError('invalid', `${what} is empty`);
  if (body.length > TEXT_MAX) throw new HandoffError('invalid', `${what} is longer than ${TEXT_MAX} characters`);
  return body;
}
