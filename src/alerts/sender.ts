import { randomUUID } from 'node:crypto';
import { HandoffError } from '../handoff/service';
import type { AuditEntry, Organisation, StaffUser } from '../handoff/types';
import type { Logger } from '../conversation/logger';
import type { Broadcast, BroadcastCounts, BroadcastStatus, BroadcastStore } from './broadcasts';
import { SendLoop, type AlertWriter } from './send-loop';
import type { AudienceFilter, SubscriptionStore } from './subscriptions';

/** What an admin composes: the countries, the text per language (a language without text gets nothing), a linked flow. */
export interface AlertDraft {
  countries: string[];
  texts: Record<string, string>;
  flow: string | null;
}

export interface AlertPreview {
  total: number;
  byChannel: Record<string, number>;
  byLocale: Record<string, number>;
  /** Subscribers in those countries speaking a language the draft has no text for: they will not get it. */
  withoutText: Record<string, number>;
}

/** A broadcast as the console shows it (API.md, Alerts). */
export interface AlertView {
  id: string;
  status: BroadcastStatus;
  countries: string[];
  locales: string[];
  texts: Record<string, string>;
  flow: string | null;
  createdAt: number;
  createdBy: string;
  total: number;
  sent: number;
  failed: number;
  remaining: number;
}

export interface AlertSenderOptions {
  broadcasts: BroadcastStore;
  subscriptions: SubscriptionStore;
  write: AlertWriter;
  organisation: (id: string) => Promise<Organisation | null>;
  /** HANDOFF_DEFAULT_ORGANISATION's organisation: its admins may alert any country of the directory. */
  defaultOrganisation: () => Promise<Organisation>;
  audit: (entry: Omit<AuditEntry, 'id'>) => Promise<unknown>;
  /** The languages the bot speaks. */
  locales: readonly string[];
  log: Logger;
  clock?: () => number;
  batchSize: number;
  leaseMs: number;
}

const LIST_LIMIT = 100;

/**
 * Alert broadcasts as the console's admins drive them: preview, send, pause,
 * resume, cancel, progress. Admins only, each within their organisation
 * (another's broadcast is not found); every change is audited with counts,
 * never with the text.
 */
export class AlertSender {
  readonly loop: SendLoop;
  private readonly clock: () => number;

  constructor(private readonly opts: AlertSenderOptions) {
    this.clock = opts.clock ?? Date.now;
    this.loop = new SendLoop({
      broadcasts: opts.broadcasts,
      subscriptions: opts.subscriptions,
      write: opts.write,
      organisationName: async (id) => (await opts.organisation(id))?.name ?? (await opts.defaultOrganisation()).name,
      log: opts.log,
      clock: this.clock,
      batchSize: opts.batchSize,
      leaseMs: opts.leaseMs,
    });
  }

  /** The countries this admin's organisation may alert: its own, or any for the default organisation. */
  async targetable(user: StaffUser): Promise<{ any: boolean; countries: string[] }> {
    const admin = this.admin(user);
    const [org, fallback] = await Promise.all([this.opts.organisation(admin.organisationId), this.opts.defaultOrganisation()]);
    if (admin.organisationId === fallback.id) return { any: true, countries: [] };
    return { any: false, countries: org?.countries ?? [] };
  }

  async preview(user: StaffUser, draft: AlertDraft): Promise<AlertPreview> {
    this.admin(user);
    const withText = Object.keys(draft.texts);
    const without = this.opts.locales.filter((l) => !withText.includes(l));
    const [reached, missed] = await Promise.all([
      this.opts.subscriptions.countAudience(this.filter(draft.countries, withText)),
      without.length === 0 ? Promise.resolve([]) : this.opts.subscriptions.countAudience(this.filter(draft.countries, without)),
    ]);
    const preview: AlertPreview = { total: 0, byChannel: {}, byLocale: {}, withoutText: {} };
    for (const { channel, locale, count } of reached) {
      preview.total += count;
      preview.byChannel[channel] = (preview.byChannel[channel] ?? 0) + count;
      preview.byLocale[locale] = (preview.byLocale[locale] ?? 0) + count;
    }
    for (const { locale, count } of missed) preview.withoutText[locale] = (preview.withoutText[locale] ?? 0) + count;
    return preview;
  }

  /** Creates the broadcast, writes down its audience as it is now, and starts sending. */
  async send(user: StaffUser, draft: AlertDraft): Promise<AlertView> {
    const admin = this.admin(user);
    const now = this.clock();
    const created = await this.opts.broadcasts.create({
      id: randomUUID(),
      organisationId: admin.organisationId,
      createdBy: admin.id,
      countries: [...draft.countries],
      texts: { ...draft.texts },
      flow: draft.flow,
      status: 'sending',
      createdAt: now,
      updatedAt: now,
    });
    await this.loop.materialise(created);
    const counts = await this.opts.broadcasts.counts(created.id);
    await this.audit(admin, 'alert.created', created, counts, now);
    this.opts.log.info({ event: 'alert-created', alert: created.id, recipients: counts.total });
    this.loop.kick(created.id);
    return this.view(created, counts);
  }

  async list(user: StaffUser): Promise<AlertView[]> {
    const admin = this.admin(user);
    const all = await this.opts.broadcasts.list(admin.organisationId, LIST_LIMIT);
    return Promise.all(all.map(async (b) => this.view(b, await this.opts.broadcasts.counts(b.id))));
  }

  async get(user: StaffUser, id: string): Promise<AlertView> {
    const b = await this.own(user, id);
    return this.view(b, await this.opts.broadcasts.counts(b.id));
  }

  pause(user: StaffUser, id: string): Promise<AlertView> {
    return this.change(user, id, ['sending'], 'paused', 'alert.paused', 'only an alert being sent can be paused');
  }

  async resume(user: StaffUser, id: string): Promise<AlertView> {
    const view = await this.change(user, id, ['paused'], 'sending', 'alert.resumed', 'only a paused alert can be resumed');
    this.loop.kick(id);
    return view;
  }

  cancel(user: StaffUser, id: string): Promise<AlertView> {
    return this.change(user, id, ['sending', 'paused'], 'cancelled', 'alert.cancelled', 'this alert has already finished');
  }

  private async change(
    user: StaffUser,
    id: string,
    from: BroadcastStatus[],
    to: BroadcastStatus,
    action: string,
    refusal: string,
  ): Promise<AlertView> {
    const admin = this.admin(user);
    await this.own(user, id);
    const now = this.clock();
    const finished = to === 'cancelled' ? { finishedAt: now } : {};
    const changed = await this.opts.broadcasts.update(id, { status: to, updatedAt: now, ...finished }, from);
    if (!changed) throw new HandoffError('conflict', refusal);
    const counts = await this.opts.broadcasts.counts(id);
    await this.audit(admin, action, changed, counts, now);
    this.opts.log.info({ event: action.replace('.', '-'), alert: id });
    return this.view(changed, counts);
  }

  private admin(user: StaffUser): StaffUser {
    if (user.role !== 'admin') throw new HandoffError('forbidden', 'only an admin can do this');
    return user;
  }

  private async own(user: StaffUser, id: string): Promise<Broadcast> {
    const admin = this.admin(user);
    const b = await this.opts.broadcasts.get(id);
    // Another organisation's alert is not there at all, as its cases are not.
    if (!b || b.organisationId !== admin.organisationId) throw new HandoffError('not-found', 'no such alert');
    return b;
  }

  private filter(countries: readonly string[], locales: readonly string[]): AudienceFilter {
    return { countries, locales };
  }

  private async audit(admin: StaffUser, action: string, b: Broadcast, counts: BroadcastCounts, now: number): Promise<void> {
    await this.opts.audit({
      at: now,
      userId: admin.id,
      action,
      caseId: null,
      detail: {
        alert: b.id,
        countries: b.countries.join(','),
        locales: Object.keys(b.texts).join(','),
        total: counts.total,
        sent: counts.sent,
        failed: counts.failed,
        remaining: counts.pending,
      },
    });
  }

  private view(b: Broadcast, counts: BroadcastCounts): AlertView {
    return {
      id: b.id,
      status: b.status,
      countries: b.countries,
      locales: Object.keys(b.texts),
      texts: b.texts,
      flow: b.flow,
      createdAt: b.createdAt,
      createdBy: b.createdBy,
      total: counts.total,
      sent: counts.sent,
      failed: counts.failed,
      remaining: counts.pending,
    };
  }
}
