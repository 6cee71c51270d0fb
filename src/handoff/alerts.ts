import { errorFields, type Logger } from '../conversation/logger';
import type { HandoffEvent } from './service';
import type { HandoffStore } from './store';
import type { AlertTarget, Case, Category, Priority } from './types';

/** What an alert says: enough to find the case, nothing about the person. */
export interface Alert {
  caseId: string;
  organisation: { id: string; name: string };
  category: Category;
  priority: Priority;
  waitingMinutes: number;
  /** Where a caseworker opens the case (after logging in). */
  consoleUrl: string;
}

/**
 * Posts an alert to an organisation's alert target (a webhook, a Teams
 * channel). Implemented at the composition root, which has the channels;
 * throws when the target could not be reached after its retries.
 */
export interface AlertSender {
  send(target: AlertTarget, alert: Alert, signal: AbortSignal): Promise<void>;
}

export interface AlertMonitorOptions {
  store: HandoffStore;
  /** The handoff's event hub: the inbox highlights the case on `case.alert`. */
  events: { publish(event: HandoffEvent): void };
  sender: AlertSender;
  log: Logger;
  /** HANDOFF_URGENT_ALERT_MINUTES */
  urgentMinutes: number;
  /** HANDOFF_ALERT_MINUTES */
  normalMinutes: number;
  consoleUrl(caseId: string): string;
  clock?: () => number;
  /** How often the waiting cases are looked at. */
  intervalMs?: number;
}

const MINUTE = 60_000;
/**
 * Waiting cases looked at per check, oldest first. Alerted cases drop out of
 * the list, so it holds only cases younger than the time limit plus the due
 * ones: far fewer than this unless the service is swamped.
 */
const BATCH = 1000;

/**
 * Raises one alert per case left waiting too long without a caseworker: an
 * urgent case after `urgentMinutes`, any case after `normalMinutes`. The
 * alert is claimed in the store first (alertedAt set only if still unset and
 * the case still waiting), so two instances never alert twice; then it is
 * audited, published to the inbox and posted to the organisation's target.
 */
export class AlertMonitor {
  private readonly clock: () => number;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private readonly posting = new Set<Promise<void>>();
  private abort = new AbortController();

  constructor(private readonly opts: AlertMonitorOptions) {
    this.clock = opts.clock ?? Date.now;
    this.intervalMs = opts.intervalMs ?? 30_000;
  }

  /** Checks every interval until `stop`; the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    this.timer = setInterval(() => {
      // A slow store must not pile checks up: the next tick skips while one runs.
      if (this.running) return;
      this.running = this.check()
        .catch((err: unknown) => this.opts.log.error({ event: 'alert-check-failed', ...errorFields(err) }))
        .finally(() => {
          this.running = null;
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops checking, gives up posts still being retried, and waits for what was under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.abort.abort();
    await this.running;
    await this.idle();
  }

  /** Resolves when every post started so far has succeeded or given up. */
  async idle(): Promise<void> {
    while (this.posting.size > 0) await Promise.allSettled([...this.posting]);
  }

  /** One look at the waiting cases; returns the alerts raised (their posts go on in the background). */
  async check(): Promise<Alert[]> {
    const now = this.clock();
    const waiting = await this.opts.store.unalertedWaiting(BATCH);
    const raised: Alert[] = [];
    for (const c of waiting) {
      if (!this.isDue(c, now)) continue;
      const alert = await this.raise(c, now);
      if (alert) raised.push(alert);
    }
    return raised;
  }

  private isDue(c: Case, now: number): boolean {
    const limit = c.priority === 'urgent' ? Math.min(this.opts.urgentMinutes, this.opts.normalMinutes) : this.opts.normalMinutes;
    return now - c.createdAt >= limit * MINUTE;
  }

  private async raise(c: Case, now: number): Promise<Alert | null> {
    const { store, events, log } = this.opts;
    const claimed = await store.updateCase(
      c.id,
      { alertedAt: now },
      { status: 'waiting', alertedAt: null, organisationId: c.organisationId },
    );
    // Claimed, transferred or alerted (by another instance) since the list was read.
    if (!claimed) return null;
    const waitingMinutes = Math.floor((now - claimed.createdAt) / MINUTE);
    const organisation = await store.getOrganisation(claimed.organisationId);
    await store.audit({
      at: now,
      userId: null,
      action: 'case.alert',
      caseId: claimed.id,
      detail: {
        organisationId: claimed.organisationId,
        priority: claimed.priority,
        waitingMinutes,
        target: organisation?.alertTarget?.kind ?? null,
      },
    });
    events.publish({
      type: 'case.alert',
      caseId: claimed.id,
      organisationId: claimed.organisationId,
      priority: claimed.priority,
      waitingMinutes,
    });
    const alert: Alert = {
      caseId: claimed.id,
      organisation: { id: claimed.organisationId, name: organisation?.name ?? claimed.organisationId },
      category: claimed.category,
      priority: claimed.priority,
      waitingMinutes,
      consoleUrl: this.opts.consoleUrl(claimed.id),
    };
    log.warn({ event: 'case-alert', caseId: claimed.id, organisationId: claimed.organisationId, priority: claimed.priority, waitingMinutes });
    if (!organisation) log.error({ event: 'alert-organisation-missing', caseId: claimed.id, organisationId: claimed.organisationId });
    if (organisation?.alertTarget) this.post(organisation.alertTarget, alert);
    return alert;
  }

  private post(target: AlertTarget, alert: Alert): void {
    const fields = { caseId: alert.caseId, organisationId: alert.organisation.id, target: target.kind };
    const sending = this.opts.sender
      .send(target, alert, this.abort.signal)
      .then(
        () => this.opts.log.info({ event: 'alert-posted', ...fields }),
        (err: unknown) => this.opts.log.error({ event: 'alert-post-failed', ...fields, ...errorFields(err) }),
      )
      .finally(() => {
        this.posting.delete(sending);
      });
    this.posting.add(sending);
  }
}
