import { randomBytes } from 'node:crypto';
import type { HandoffContext } from './handoff-context';
import type { OpenCaseRequest } from './service';
import type { Author, Case, CaseMessage, Organisation } from './types';

/** One line the person's side adds to a transcript. */
export interface PersonLine {
  author: Exclude<Author, 'caseworker'>;
  text: string;
  locale: string | null;
  /** The channel message id (or one derived from it): a retried turn adds the line once. */
  sourceId: string;
  at: number;
}

/** What the person is told to expect when no one has said otherwise. */
export const DEFAULT_RESPONSE_MINUTES = 60;

const newCaseId = () => randomBytes(12).toString('base64url');

/**
 * The person's side of the handoff, as the engine's handoff step uses it:
 * opening a case in the organisation that serves the person's country,
 * relaying their messages, escalating, stopping, and erasing their cases.
 */
export class PersonSide {
  private defaultOrg: Promise<Organisation> | null = null;

  constructor(
    private readonly ctx: HandoffContext,
    private readonly defaults: { name: string; languages: readonly string[] },
  ) {}

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
    const { store } = this.ctx;
    const { name } = this.defaults;
    const wanted = name.toLocaleLowerCase();
    const existing = (await store.listOrganisations()).find((o) => o.name.toLocaleLowerCase() === wanted);
    if (existing) return existing;
    const now = this.ctx.clock();
    const org: Organisation = {
      id: randomBytes(9).toString('base64url'),
      name,
      languages: [...this.defaults.languages],
      countries: [],
      expectedResponseMinutes: DEFAULT_RESPONSE_MINUTES,
      alertTarget: null,
      createdAt: now,
    };
    await store.saveOrganisation(org);
    await this.ctx.audit(null, 'organisation.created', null, { organisation: org.id, via: 'default' }, now);
    this.ctx.log.info({ event: 'handoff-default-organisation', organisation: org.id });
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
    const serving = here === undefined ? undefined : (await this.ctx.store.listOrganisations()).find((o) => o.countries.includes(here));
    // Read again: an admin may have changed the default since it was found.
    return serving ?? (await this.ctx.store.getOrganisation(fallback.id)) ?? fallback;
  }

  /** The organisation a case is with now (after any transfer). */
  organisationOf(c: Case): Promise<Organisation> {
    return this.ctx.organisation(c.organisationId);
  }

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
    const result = await this.ctx.store.openCase(c, req.sourceId);
    if (result.created) {
      const opened = result.case;
      await this.ctx.audit(null, 'case.opened', opened.id, { category: opened.category, priority: opened.priority, organisation: opened.organisationId }, req.now);
      this.ctx.log.info({ event: 'case-opened', category: opened.category, priority: opened.priority, organisation: opened.organisationId });
      this.ctx.publish({ type: 'case.opened', caseId: opened.id, organisationId: opened.organisationId, category: opened.category, priority: opened.priority });
    }
    return result;
  }

  /** The case a record names, while it is open and belongs to that conversation; else null. */
  async openCase(caseId: string, conversationKey: string): Promise<Case | null> {
    const c = await this.ctx.store.getCase(caseId);
    return c && c.status !== 'closed' && c.conversationKey === conversationKey ? c : null;
  }

  openCaseOf(conversationKey: string): Promise<Case | null> {
    return this.ctx.store.openCaseOf(conversationKey);
  }

  /** Adds what the person wrote (or what the bot told them) to the transcript. */
  async relay(c: Case, line: PersonLine): Promise<CaseMessage> {
    const message = await this.ctx.store.addMessage({
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
    if (line.author === 'person') await this.ctx.store.updateCase(c.id, { lastPersonMessageAt: line.at, updatedAt: line.at });
    this.ctx.publish({ type: 'message.added', caseId: c.id, organisationId: c.organisationId, author: line.author });
    return message;
  }

  /** A danger signal during a case: urgent from now on, and alerted again at the urgent time limit. */
  async escalate(c: Case, now: number): Promise<void> {
    if (c.priority === 'urgent') return;
    const updated = await this.ctx.store.updateCase(c.id, { priority: 'urgent', alertedAt: null, updatedAt: now }, { status: c.status });
    if (!updated) return;
    await this.ctx.audit(null, 'case.escalated', c.id, { reason: 'sos' }, now);
    this.ctx.log.info({ event: 'case-escalated', organisation: c.organisationId });
    this.ctx.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
  }

  /** `stop` from the person: the case closes; the bot takes over again. */
  async stopByPerson(c: Case, now: number): Promise<void> {
    const updated = await this.ctx.store.updateCase(
      c.id,
      { status: 'closed', closedAt: now, closedBy: 'person', updatedAt: now },
      { status: c.status },
    );
    if (!updated) return;
    await this.ctx.audit(null, 'case.stopped', c.id, { by: 'person' }, now);
    this.ctx.log.info({ event: 'case-stopped', organisation: c.organisationId });
    this.ctx.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
  }

  /**
   * "Delete my data": every case of the person on that channel goes, with
   * its transcript, notes, transfers and tracing details. The audit log
   * keeps that it happened and how many cases, never what they held.
   */
  async erasePerson(channel: string, userId: string): Promise<number> {
    const now = this.ctx.clock();
    const affected = await this.openCasesOf(channel, userId);
    const removed = await this.ctx.store.deleteUserCases(channel, userId);
    if (removed.length === 0) return 0;
    await this.ctx.audit(null, 'person.erased', null, { cases: removed.length, channel }, now);
    this.ctx.log.info({ event: 'cases-erased', cases: removed.length });
    for (const c of affected) this.ctx.publish({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    return removed.length;
  }

  /** Open cases of one person, for the inboxes that show them; erasure is rare enough to look through every queue. */
  private async openCasesOf(channel: string, userId: string): Promise<Case[]> {
    const found: Case[] = [];
    for (const org of await this.ctx.store.listOrganisations()) {
      const open = await this.ctx.store.listCases({ organisationId: org.id, status: 'open' }, 10_000);
      found.push(...open.filter((c) => c.ref.channel === channel && c.ref.userId === userId));
    }
    return found;
  }
}

function definedOnly(country: { current?: string; origin?: string }): { current?: string; origin?: string } {
  return {
    ...(country.current !== undefined && { current: country.current }),
    ...(country.origin !== undefined && { origin: country.origin }),
  };
}
