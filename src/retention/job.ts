import { errorFields, type Logger } from '../conversation/logger';
import type { BroadcastStore } from '../alerts/broadcasts';
import type { SubscriptionStore } from '../alerts/subscriptions';
import type { HandoffStore } from '../handoff/store';
import { utcDay } from '../insight/buckets';
import { DAY_MS } from '../util/time';
import type { InsightStore } from '../insight/store';
import type { Store } from '../store/store';

/** Days insight's once-a-day marks are kept: a mark is only needed on its own day, and a little after for late turns. */
export const INSIGHT_MARK_DAYS = 2;

export interface RetentionOptions {
  store: Store;
  handoffStore: HandoffStore;
  /** Its once-a-day marks (pseudonyms) are pruned after INSIGHT_MARK_DAYS; none: nothing to prune. */
  insightStore?: InsightStore;
  /** Alert broadcasts: who got a finished one is forgotten after `days`, like a closed case; none: nothing to drop. */
  broadcasts?: Pick<BroadcastStore, 'deleteFinishedRecipients'>;
  /** Alert subscriptions: their conversations are kept however quiet; none: no conversation is kept for alerts. */
  subscriptions?: Pick<SubscriptionStore, 'subscribedKeys'>;
  /** RETENTION_DAYS: how long a closed case, and a conversation without messages, are kept. */
  days: number;
  log: Logger;
  clock?: () => number;
  /** How often it runs after the first run (default: daily). */
  everyMs?: number;
}

export interface RetentionReport {
  cases: number;
  conversations: number;
}

/**
 * Deletes what is no longer needed, so that nothing about a person is kept
 * longer than the deployment promised: cases closed more than `days` ago
 * (transcripts, notes, transfers and tracing details with them), then
 * conversations with no message for `days`, no open case and no alert
 * subscription (their marks, replies, requests, references and delivery
 * states with them). Each run
 * writes one audit line with the counts, never what was deleted.
 *
 * Closed cases go first: a conversation whose case has just gone is then
 * judged on its own messages. Several instances may each run it; the deletes
 * are idempotent, so running twice only finds nothing the second time.
 */
export class RetentionJob {
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly opts: RetentionOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  async runOnce(): Promise<RetentionReport> {
    const { store, handoffStore, days, log } = this.opts;
    const now = this.clock();
    const before = now - days * DAY_MS;
    const cases = await handoffStore.deleteClosedCases(before);
    // A person with a subscription asked to hear from us: their conversation is how an alert reaches
    // them, so it stays however long they stay quiet, until they unsubscribe or delete their data.
    const keep = [...(await handoffStore.openCaseConversations()), ...((await this.opts.subscriptions?.subscribedKeys()) ?? [])];
    const conversations = await store.deleteIdleConversations(before, keep);
    const insightMarks = (await this.opts.insightStore?.prune(utcDay(now - INSIGHT_MARK_DAYS * DAY_MS))) ?? 0;
    const alertRecipients = (await this.opts.broadcasts?.deleteFinishedRecipients(before)) ?? 0;
    await handoffStore.audit({ at: now, userId: null, action: 'retention', caseId: null, detail: { days, cases, conversations } });
    log.info({ event: 'retention', days, cases, conversations, insightMarks, alertRecipients });
    return { cases, conversations };
  }

  /** Runs now, then every day; the timer never keeps the process alive. A failed run is logged and tried the next time. */
  start(): void {
    if (this.timer) return;
    const run = () => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.opts.log.error({ event: 'retention-failed', ...errorFields(err) }))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(run, this.opts.everyMs ?? DAY_MS);
    this.timer.unref();
    run();
  }

  /** Stops the timer and waits for a run in progress, so that the stores can close after it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
