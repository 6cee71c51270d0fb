import { randomBytes, randomUUID } from 'node:crypto';
import { ConversationGoneError } from '../conversation/engine';
import { MENU_FLOW, type FlowRunner } from '../conversation/flows';
import { errorFields, type Logger } from '../conversation/logger';
import type { ConversationRef } from '../conversation/record';
import type { Turn } from '../conversation/turn';
import { HandoffEvents } from './events';
import {
  HandoffError,
  type CaseView,
  type Handoff,
  type HandoffEvent,
  type OpenCaseRequest,
} from './service';
import type { CaseExpectation, CaseFilter, CasePatch, HandoffStore } from './store';
import type { Author, Case, CaseMessage, CaseNote, Organisation, StaffUser } from './types';

/**
 * How the handoff writes to a person unprompted: the engine, which says it
 * through the conversation's lock, record and outbox. Set after the engine
 * is built, since the engine's handoff step needs this service first.
 */
export interface PersonWriter {
  write(
    ref: ConversationRef,
    sourceId: string,
    act: (turn: Turn) => void | Promise<void>,
  ): Promise<{ delivered: boolean; error?: string }>;
  readonly flowRunner: FlowRunner;
}

/** One line the person's side adds to a transcript. */
export interface PersonLine {
  author: Exclude<Author, 'caseworker'>;
  text: string;
  locale: string | null;
  /** The channel message id (or one derived from it): a retried turn adds the line once. */
  sourceId: string;
  at: number;
}

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

/** What the person is told to expect when no one has said otherwise. */
export const DEFAULT_RESPONSE_MINUTES = 60;
export const TEXT_MAX = 4000;

const newCaseId = () => randomBytes(12).toString('base64url');

/** `case:<id>:reply:<uuid>`: a caseworker's line and the outbox rows it went out as share this id. */
const replySource = (caseId: string) => `case:${caseId}:reply:${randomUUID()}`;
const REPLY_SOURCE = /^case:([A-Za-z0-9_-]+):reply:/;

/** A write that must not land: the person's conversation has moved on from this case. */
class CaseLeftError extends Error {
  constructor() {
    super('the person is no longer in this case');
    this.name = 'CaseLeftError';
  }
}

/**
 * The handoff from the bot to a caseworker and back. The person's side (the
 * engine's handoff step) opens cases, relays messages, stops and escalates;
 * the staff side (the console) lists, claims, replies, notes, transfers and
 * closes. Staff see only their organisation's cases (another's is
 * `not-found`), every staff action is audited without content, and every
 * change is published as a HandoffEvent.
 */
export class HandoffService implements Handoff {
  private readonly clock: () => number;
  private readonly events: HandoffEvents;
  private writer: PersonWriter | null = null;
  private defaultOrg: Promise<Organisation> | null = null;
  /** Replies being written now: their own call marks them, so the engine's report of that attempt is not applied twice. */
  private readonly sending = new Set<string>();

  constructor(private readonly opts: HandoffServiceOptions) {
    this.clock = opts.clock ?? Date.now;
    this.events = opts.events ?? new HandoffEvents(opts.log);
  }

  /** Late binding to the engine (it takes the handoff step, which takes this service). */
  connect(writer: PersonWriter): void {
    this.writer = writer;
  }

  subscribe(listener: (event: HandoffEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  /** The organisation HANDOFF_DEFAULT_ORGANISATION names (by name, as `npm run admin:create` finds it), created if missing. */
  ensureDefaultOrganisation(): Promise<Organisation> {
    this.defaultOrg ??= this.findOrCreateDefault().catch((err: unknown) => {
      // A failed store call is retried on the next use rather than remembered.
      this.defaultOrg = null;
      throw err;
    });
    return this.defaultOrg;
  }

  private async findOrCreateDefault(): Promise<Organisation> {
    const { store, defaultOrganisation: name } = this.opts;
    const wanted = name.toLocaleLowerCase();
    const existing = (await store.listOrganisations()).find((o) => o.name.toLocaleLowerCase() === wanted);
    if (existing) return existing;
    const now = this.clock();
    const org: Organisation = {
      id: randomBytes(9).toString('base64url'),
      name,
      languages: [...this.opts.languages],
      countries: [],
      expectedResponseMinutes: DEFAULT_RESPONSE_MINUTES,
      alertTarget: null,
      createdAt: now,
    };
    await store.saveOrganisation(org);
    await this.audit(null, 'organisation.created', null, { organisation: org.id, via: 'default' }, now);
    this.opts.log.info({ event: 'handoff-default-organisation', organisation: org.id });
    return org;
  }

  /**
   * The organisation serving the country the person is in now; else the
   * default. (Where they are from does not route: the default organisation
   * can transfer the case home, with the person told who has it then.)
   */
  async organisationFor(country: { current?: string; origin?: string }): Promise<Organisation> {
    const fallback = await this.ensureDefaultOrganisation();
    const here = country.current;
    const serving = here === undefined ? undefined : (await this.opts.store.listOrganisations()).find((o) => o.countries.includes(here));
    // Read again: an admin may have changed the default since it was found.
    return serving ?? (await this.opts.store.getOrganisation(fallback.id)) ?? fallback;
  }

  /** The organisation a case is with now (after any transfer). */
  organisationOf(c: Case): Promise<Organisation> {
    return this.organisation(c.organisationId);
  }

  // ------------------------------------------------------------ the person's side

  async open(req: OpenCaseRequest): Promise<{ case: Case; created: boolean }> {
    const org = await this.organisationFor(req.country);
    const c: Case = {
      id: newCaseId(),
      organisationId: org.id,
      category: req.category,
      priority: req.category === 'danger' ? 'urgent' : 'normal',
      status: 'waiting',
      ref: { channel: req.ref.channel, conversationId: req.ref.conversationId, userId: req.ref.userId },
      conversationKey: req.conversationKey,
      locale: req.locale,
      country: definedOnly(req.country),
      consent: req.consent,
      tracing: req.tracing,
      assignedTo: null,
      createdAt: req.now,
      updatedAt: req.now,
      lastPersonMessageAt: null,
      closedAt: null,
      closedBy: null,
      alertedAt: null,
    };
    const result = await this.opts.store.openCase(c, req.sourceId);
    if (result.created) {
      const opened = result.case;
      await this.audit(null, 'case.opened', opened.id, { category: opened.category, priority: opened.priority, organisation: opened.organisationId }, req.now);
      this.opts.log.info({ event: 'case-opened', category: opened.category, priority: opened.priority, organisation: opened.organisationId });
      this.publish({ type: 'case.opened', caseId: opened.id, organisationId: opened.organisationId, priority: opened.priority });
    }
    return result;
  }

  /** The case a record names, while it is open and belongs to that conversation; else null. */
  async openCase(caseId: string, conversationKey: string): Promise<Case | null> {
    const c = await this.opts.store.getCase(caseId);
    return c && c.status !== 'closed' && c.conversationKey === conversationKey ? c : null;
  }

  openCaseOf(conversationKey: string): Promise<Case | null> {
    return this.opts.store.openCaseOf(conversationKey);
  }

  /** Adds what the person wrote (or what the bot told them) to the transcript. */
  async relay(c: Case, line: PersonLine): Promise<CaseMessage> {
    const message = await this.opts.store.addMessage({
      caseId: c.id,
      author: line.author,
      userId: null,
      text: line.text,
      locale: line.locale,
      sourceId: line.sourceId,
      delivery: null,
      deliveryError: null,
      createdAt: line.at,
    });
    if (line.author === 'person') await this.opts.store.updateCase(c.id, { lastPersonMessageAt: line.at, updatedAt: line.at });
    this.publish({ type: 'message.added', caseId: c.id, organisationId: c.organisationId, author: line.author });
    return message;
  }

  /** A danger signal during a case: urgent from now on, and alerted again at the urgent time limit. */
  async escalate(c: Case, now: number): Promise<void> {
    if (c.priority === 'urgent') return;
    const updated = await this.opts.store.updateCase(c.id, { priority: 'urgent', alertedAt: null, updatedAt: now }, { status: c.status });
    if (!updated) return;
    await this.audit(null, 'case.escalated', c.id, { reason: 'sos' }, now);
    this.opts.log.info({ event: 'case-escalated', organisation: c.organisationId });
    this.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
  }

  /** `stop` from the person: the case closes; the bot takes over again. */
  async stopByPerson(c: Case, now: number): Promise<void> {
    const updated = await this.opts.store.updateCase(
      c.id,
      { status: 'closed', closedAt: now, closedBy: 'person', updatedAt: now },
      { status: c.status },
    );
    if (!updated) return;
    await this.audit(null, 'case.stopped', c.id, { by: 'person' }, now);
    this.opts.log.info({ event: 'case-stopped', organisation: c.organisationId });
    this.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
  }

  /**
   * "Delete my data": every case of the person on that channel goes, with
   * its transcript, notes, transfers and tracing details. The audit log
   * keeps that it happened and how many cases, never what they held.
   */
  async erasePerson(channel: string, userId: string): Promise<number> {
    const now = this.clock();
    const affected = await this.openCasesOf(channel, userId);
    const removed = await this.opts.store.deleteUserCases(channel, userId);
    if (removed.length === 0) return 0;
    await this.audit(null, 'person.erased', null, { cases: removed.length, channel }, now);
    this.opts.log.info({ event: 'cases-erased', cases: removed.length });
    for (const c of affected) this.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    return removed.length;
  }

  /** Open cases of one person, for the inboxes that show them; erasure is rare enough to look through every queue. */
  private async openCasesOf(channel: string, userId: string): Promise<Case[]> {
    const found: Case[] = [];
    for (const org of await this.opts.store.listOrganisations()) {
      const open = await this.opts.store.listCases({ organisationId: org.id, status: 'open' }, 10_000);
      found.push(...open.filter((c) => c.ref.channel === channel && c.ref.userId === userId));
    }
    return found;
  }

  // ------------------------------------------------------------ the staff side

  async listCases(user: StaffUser, filter: Omit<CaseFilter, 'organisationId'>, limit: number): Promise<Case[]> {
    const staff = await this.active(user);
    return this.opts.store.listCases({ ...filter, organisationId: staff.organisationId }, limit);
  }

  async view(user: StaffUser, caseId: string): Promise<CaseView> {
    const staff = await this.active(user);
    const c = await this.caseFor(staff, caseId);
    const [organisation, messages, notes, transfers] = await Promise.all([
      this.organisation(c.organisationId),
      this.opts.store.listMessages(c.id),
      this.opts.store.listNotes(c.id),
      this.opts.store.listTransfers(c.id),
    ]);
    // Reading a transcript is an access to personal data: it is audited like a change.
    await this.audit(staff.id, 'case.viewed', c.id, {}, this.clock());
    return { case: c, organisation, messages, notes, transfers };
  }

  async claim(user: StaffUser, caseId: string): Promise<Case> {
    const staff = await this.active(user);
    const c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is closed');
    if (c.assignedTo === staff.id) return c;
    if (c.assignedTo !== null) throw new HandoffError('conflict', 'another caseworker has claimed this case');
    return this.take(staff, c, this.clock());
  }

  async reply(user: StaffUser, caseId: string, text: string): Promise<CaseMessage> {
    const staff = await this.active(user);
    const body = checkedText(text, 'the reply');
    let c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is closed');
    if (c.assignedTo !== null && c.assignedTo !== staff.id) throw new HandoffError('conflict', 'another caseworker has claimed this case');
    const now = this.clock();
    // Answering a waiting case takes it: the person now has a caseworker, and the time-limit alert stops.
    if (c.assignedTo === null) c = await this.take(staff, c, now);
    const org = await this.organisation(c.organisationId);
    const line = await this.opts.store.addMessage({
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
    await this.audit(staff.id, 'case.replied', c.id, { message: line.id }, now);
    this.publish({ type: 'message.added', caseId: c.id, organisationId: c.organisationId, author: 'caseworker' });
    this.sending.add(line.sourceId);
    try {
      const outcome = await this.toPerson(c, line.sourceId, (turn) => {
        turn.say({ key: 'handoff:reply', params: { organisation: org.name, text: body } });
      });
      return await this.markDelivery(c, line, outcome);
    } finally {
      this.sending.delete(line.sourceId);
    }
  }

  async note(user: StaffUser, caseId: string, text: string): Promise<CaseNote> {
    const staff = await this.active(user);
    const body = checkedText(text, 'the note');
    const c = await this.caseFor(staff, caseId);
    const now = this.clock();
    const note = await this.opts.store.addNote({ caseId: c.id, userId: staff.id, text: body, createdAt: now });
    await this.opts.store.updateCase(c.id, { updatedAt: now });
    await this.audit(staff.id, 'case.noted', c.id, { note: note.id }, now);
    this.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    return note;
  }

  async transfer(user: StaffUser, caseId: string, organisationId: string, note: string): Promise<Case> {
    const staff = await this.active(user);
    const body = checkedText(note, 'the note');
    const c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is closed');
    if (organisationId === c.organisationId) throw new HandoffError('invalid', 'the case is already with this organisation');
    const to = await this.opts.store.getOrganisation(organisationId);
    if (!to) throw new HandoffError('invalid', 'no such organisation');
    const now = this.clock();
    // Back in the queue of the receiving organisation, unclaimed, with its own time limit.
    const moved = await this.opts.store.updateCase(
      c.id,
      { organisationId: to.id, status: 'waiting', assignedTo: null, alertedAt: null, updatedAt: now },
      { organisationId: c.organisationId, status: c.status, assignedTo: c.assignedTo },
    );
    if (!moved) throw new HandoffError('conflict', 'the case changed meanwhile; try again');
    const transfer = await this.opts.store.addTransfer({ caseId: c.id, from: c.organisationId, to: to.id, userId: staff.id, note: body, at: now });
    await this.audit(staff.id, 'case.transferred', c.id, { from: c.organisationId, to: to.id }, now);
    this.opts.log.info({ event: 'case-transferred', from: c.organisationId, to: to.id });
    this.publish({ type: 'case.updated', caseId: c.id, organisationId: to.id, previousOrganisationId: c.organisationId });
    // The person agreed to one organisation reading; they are told who reads now, and that stop still works.
    await this.tellPerson(moved, `case:${c.id}:transfer:${transfer.id}`, {
      key: 'handoff:transferred',
      params: { organisation: to.name },
    });
    return moved;
  }

  async close(user: StaffUser, caseId: string): Promise<Case> {
    const staff = await this.active(user);
    const c = await this.caseFor(staff, caseId);
    if (c.status === 'closed') throw new HandoffError('conflict', 'this case is already closed');
    const now = this.clock();
    const closed = await this.opts.store.updateCase(
      c.id,
      { status: 'closed', closedAt: now, closedBy: 'caseworker', updatedAt: now },
      { organisationId: staff.organisationId, status: c.status },
    );
    if (!closed) throw new HandoffError('conflict', 'the case changed meanwhile; try again');
    await this.audit(staff.id, 'case.closed', c.id, { by: 'caseworker' }, now);
    this.opts.log.info({ event: 'case-closed', organisation: c.organisationId });
    this.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    const org = await this.organisation(c.organisationId);
    await this.tellPerson(closed, `case:${c.id}:closed`, { key: 'handoff:closed', params: { organisation: org.name } }, true);
    return closed;
  }

  // ------------------------------------------------------------ delivery

  /**
   * What the engine reports after each delivery attempt (a reply's first
   * try, or a retry by `redeliver`): the reply's line follows it.
   */
  async deliveryReported(entries: readonly { messageId: string }[], outcome: { ok: boolean; error?: string }): Promise<void> {
    const sources = [...new Set(entries.map((e) => e.messageId))].filter((id) => REPLY_SOURCE.test(id) && !this.sending.has(id));
    for (const sourceId of sources) {
      const caseId = REPLY_SOURCE.exec(sourceId)![1]!;
      const c = await this.opts.store.getCase(caseId);
      if (!c) continue;
      const line = (await this.opts.store.listMessages(caseId)).find((m) => m.sourceId === sourceId);
      if (!line) continue;
      await this.markDelivery(c, line, outcome.ok ? { delivered: true } : { delivered: false, error: outcome.error ?? 'not delivered' });
    }
  }

  private async markDelivery(c: Case, line: CaseMessage, outcome: { delivered: boolean; error?: string }): Promise<CaseMessage> {
    const state = outcome.delivered ? 'delivered' : 'failed';
    const error = outcome.delivered ? null : (outcome.error ?? 'not delivered');
    // Delivered is final: a late report of an earlier failure must not undo it.
    if (line.delivery === 'delivered' || (line.delivery === state && line.deliveryError === error)) return line;
    await this.opts.store.setDelivery(line.id, state, error);
    this.publish({ type: 'message.delivery', caseId: c.id, organisationId: c.organisationId, messageId: line.id, state });
    return { ...line, delivery: state, deliveryError: error };
  }

  // ------------------------------------------------------------ helpers

  /** Writes to the person while they are still in this case; a conversation erased or moved on is reported, not thrown. */
  private async toPerson(
    c: Case,
    sourceId: string,
    act: (turn: Turn) => void,
    leaving = false,
  ): Promise<{ delivered: boolean; error?: string }> {
    if (!this.writer) throw new Error('the handoff is not connected to the engine');
    const writer = this.writer;
    try {
      return await writer.write(c.ref, sourceId, (turn) => {
        // The person has since opened another case: this one's news would only confuse.
        if (turn.record.caseId !== undefined && turn.record.caseId !== c.id) throw new CaseLeftError();
        act(turn);
        if (leaving && turn.record.caseId === c.id) {
          delete turn.record.caseId;
          writer.flowRunner.start(turn, MENU_FLOW);
        }
      });
    } catch (err) {
      if (err instanceof ConversationGoneError) return { delivered: false, error: 'the person has deleted this conversation' };
      if (err instanceof CaseLeftError) return { delivered: false, error: 'the person has left this conversation' };
      throw err;
    }
  }

  /** Tells the person something about their case (transfer, close), kept in the transcript as the bot's line. */
  private async tellPerson(
    c: Case,
    sourceId: string,
    output: { key: string; params: Record<string, string> },
    leaving = false,
  ): Promise<void> {
    const said: { text?: string; locale?: string } = {};
    try {
      const outcome = await this.toPerson(
        c,
        sourceId,
        (turn) => {
          turn.say(output);
          said.text = turn.tr.t(output.key, turn.locale, output.params);
          said.locale = turn.locale;
        },
        leaving,
      );
      if (!outcome.delivered) this.opts.log.warn({ event: 'case-notice-undelivered', notice: output.key });
    } catch (err) {
      // The case has changed already and stays changed; only the notice is lost, and the log says so.
      this.opts.log.error({ event: 'case-notice-failed', notice: output.key, ...errorFields(err) });
    }
    if (said.text !== undefined) {
      await this.relay(c, { author: 'bot', text: said.text, locale: said.locale ?? null, sourceId, at: this.clock() });
    }
  }

  private async take(staff: StaffUser, c: Case, now: number): Promise<Case> {
    const expect: CaseExpectation = { organisationId: staff.organisationId, status: c.status, assignedTo: null };
    const patch: CasePatch = { status: 'assigned', assignedTo: staff.id, updatedAt: now };
    const claimed = await this.opts.store.updateCase(c.id, patch, expect);
    if (!claimed) throw new HandoffError('conflict', 'another caseworker has claimed this case');
    await this.audit(staff.id, 'case.claimed', c.id, {}, now);
    this.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    return claimed;
  }

  /** The user as stored now: a disabled account can do nothing, whatever its session says. */
  private async active(user: StaffUser): Promise<StaffUser> {
    const current = await this.opts.store.getUser(user.id);
    if (!current || current.disabled) throw new HandoffError('forbidden', 'this account is disabled');
    return current;
  }

  /** Another organisation's case does not exist for this user. */
  private async caseFor(staff: StaffUser, caseId: string): Promise<Case> {
    const c = await this.opts.store.getCase(caseId);
    if (!c || c.organisationId !== staff.organisationId) throw new HandoffError('not-found', 'no such case');
    return c;
  }

  private async organisation(id: string): Promise<Organisation> {
    const org = await this.opts.store.getOrganisation(id);
    if (!org) throw new Error(`organisation ${id} of a case is missing`);
    return org;
  }

  private async audit(userId: string | null, action: string, caseId: string | null, detail: Record<string, string | number | boolean | null>, at: number): Promise<void> {
    await this.opts.store.audit({ at, userId, action, caseId, detail });
  }

  /** For events raised outside these methods (the time-limit alerts). */
  publish(event: HandoffEvent): void {
    this.events.publish(event);
  }
}

function checkedText(text: string, what: string): string {
  const body = typeof text === 'string' ? text.trim() : '';
  if (body.length === 0) throw new HandoffError('invalid', `${what} is empty`);
  if (body.length > TEXT_MAX) throw new HandoffError('invalid', `${what} is longer than ${TEXT_MAX} characters`);
  return body;
}

function definedOnly(country: { current?: string; origin?: string }): { current?: string; origin?: string } {
  return {
    ...(country.current !== undefined && { current: country.current }),
    ...(country.origin !== undefined && { origin: country.origin }),
  };
}
