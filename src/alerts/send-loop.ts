import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { ConversationGoneError, type WriteResult } from '../conversation/engine';
import type { ConversationRef } from '../conversation/record';
import type { Turn } from '../conversation/turn';
import { errorFields, type Logger } from '../conversation/logger';
import { alertOutput, alertSource, parseAlertSource } from './alert-message';
import type { Broadcast, BroadcastStore, Recipient } from './broadcasts';
import type { SubscriptionStore } from './subscriptions';

/** What the loop needs of the engine: an unprompted write through the lock, record and outbox. */
export type AlertWriter = (ref: ConversationRef, sourceId: string, act: (turn: Turn) => void) => Promise<WriteResult>;

export interface SendLoopOptions {
  broadcasts: BroadcastStore;
  subscriptions: SubscriptionStore;
  write: AlertWriter;
  /** The organisation's name, said above the alert. */
  organisationName: (organisationId: string) => Promise<string>;
  log: Logger;
  clock?: () => number;
  /** Recipients written to between two looks at the broadcast's status: a pause takes effect within one batch. */
  batchSize: number;
  /** How long a sender holds a broadcast without renewing; another instance takes it over after. */
  leaseMs: number;
  owner?: string;
}

/** Kept of a channel's error on a recipient row: enough to recognise it. */
const ERROR_MAX = 300;
const UNSUBSCRIBED = 'unsubscribed';

/**
 * Sends broadcasts left `sending`: each in small batches through the
 * engine's outbox (so each channel's rate limits hold), by one instance at a
 * time (a lease in the store), rechecking before each recipient that they
 * still want alerts about one of its countries.
 */
export class SendLoop {
  private readonly running = new Map<string, Promise<void>>();
  /** Kicked while running: a run that already saw a pause must not be the last word on a resume. */
  private readonly again = new Set<string>();
  private readonly clock: () => number;
  private readonly owner: string;
  private sweepTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(private readonly opts: SendLoopOptions) {
    this.clock = opts.clock ?? Date.now;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** Resumes broadcasts a stopped or crashed instance left `sending`, now and then every lease period. */
  start(): void {
    if (this.sweepTimer || this.stopping) return;
    const sweep = () => {
      this.sweep().catch((err: unknown) => this.opts.log.error({ event: 'alert-sweep-failed', ...errorFields(err) }));
    };
    sweep();
    this.sweepTimer = setInterval(sweep, this.opts.leaseMs);
    this.sweepTimer.unref();
  }

  /** Lets the batches in flight end; their broadcasts stay `sending` for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await Promise.allSettled([...this.running.values()]);
  }

  /** Starts sending this broadcast here, unless this process already is. */
  kick(broadcastId: string): void {
    if (this.stopping) return;
    if (this.running.has(broadcastId)) {
      this.again.add(broadcastId);
      return;
    }
    const run = this.run(broadcastId)
      .catch((err: unknown) => this.opts.log.error({ event: 'alert-send-failed', alert: broadcastId, ...errorFields(err) }))
      .finally(() => {
        this.running.delete(broadcastId);
        if (this.again.delete(broadcastId)) this.kick(broadcastId);
      });
    this.running.set(broadcastId, run);
  }

  /** Resolves when this process sends nothing (tests, and a clean stop). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Writes down the audience (subscribers speaking a language with text),
   * continuing after the last subscription already written if a restart
   * cut it short, then marks it complete.
   */
  async materialise(b: Broadcast): Promise<void> {
    const { broadcasts, subscriptions } = this.opts;
    const filter = { countries: b.countries, locales: Object.keys(b.texts) };
    let after = await broadcasts.lastSubscriptionId(b.id);
    for (;;) {
      const page = await subscriptions.audience(filter, after, 500);
      if (page.length === 0) break;
      await broadcasts.addRecipients(
        b.id,
        page.map((s) => ({ conversationKey: s.conversationKey, subscriptionId: s.id, ref: s.ref, locale: s.locale })),
      );
      after = page[page.length - 1]!.id;
    }
    await broadcasts.update(b.id, { audienceDone: true, updatedAt: this.clock() });
  }

  /** What the engine reports after each delivery attempt: an alert's recipient follows it. */
  async deliveryReported(entries: readonly { messageId: string }[], outcome: { ok: boolean; error?: string }): Promise<void> {
    const seen = new Set<string>();
    for (const { messageId } of entries) {
      const source = parseAlertSource(messageId);
      if (!source || seen.has(messageId)) continue;
      seen.add(messageId);
      await this.opts.broadcasts.mark(source.broadcastId, source.subscriptionId, outcome.ok ? 'sent' : 'failed', errorText(outcome.error));
    }
  }

  private async sweep(): Promise<void> {
    for (const b of await this.opts.broadcasts.withStatus('sending')) this.kick(b.id);
  }

  private async run(id: string): Promise<void> {
    const { broadcasts } = this.opts;
    const lease = () => broadcasts.lease(id, this.owner, this.clock() + this.opts.leaseMs, this.clock());
    if (!(await lease())) return;
    try {
      let after = 0;
      for (;;) {
        // Looked at again before every batch: a pause, a cancel (from any instance) stops the sending here.
        const b = await broadcasts.get(id);
        if (!b || b.status !== 'sending' || this.stopping) return;
        if (!b.audienceDone) await this.materialise(b);
        const batch = await broadcasts.pending(id, after, this.opts.batchSize);
        if (batch.length === 0) {
          const now = this.clock();
          const done = await broadcasts.update(id, { status: 'done', finishedAt: now, updatedAt: now }, ['sending']);
          if (done) this.opts.log.info({ event: 'alert-done', alert: id, ...(await broadcasts.counts(id)) });
          return;
        }
        const organisation = await this.opts.organisationName(b.organisationId);
        for (const r of batch) await this.sendOne(b, r, organisation);
        after = batch[batch.length - 1]!.id;
        if (!(await lease())) return;
      }
    } finally {
      await broadcasts.release(id, this.owner);
    }
  }

  private async sendOne(b: Broadcast, r: Recipient, organisation: string): Promise<void> {
    const { broadcasts } = this.opts;
    const subs = await this.opts.subscriptions.listFor(r.conversationKey);
    const still = subs.filter((s) => b.countries.includes(s.country));
    if (still.length === 0) {
      await broadcasts.mark(b.id, r.subscriptionId, 'failed', UNSUBSCRIBED);
      return;
    }
    // The person's language now, if the alert has text in it; else the one they had when it started.
    const locale = still.map((s) => s.locale).find((l) => b.texts[l] !== undefined) ?? r.locale;
    const text = b.texts[locale];
    if (text === undefined) {
      await broadcasts.mark(b.id, r.subscriptionId, 'failed', 'no text in the language');
      return;
    }
    let result: WriteResult;
    try {
      result = await this.opts.write(r.ref, alertSource(b.id, r.subscriptionId), (turn) => {
        turn.say(alertOutput(text, organisation, b.flow, locale));
      });
    } catch (err) {
      const gone = err instanceof ConversationGoneError;
      if (!gone) this.opts.log.error({ event: 'alert-write-failed', alert: b.id, ...errorFields(err) });
      await broadcasts.mark(b.id, r.subscriptionId, 'failed', gone ? 'conversation erased' : 'not written');
      return;
    }
    // Queued: it stays pending, and the engine's delivery report settles it.
    if (result.delivered) await broadcasts.mark(b.id, r.subscriptionId, 'sent', null);
    else if (!result.queued) await broadcasts.mark(b.id, r.subscriptionId, 'failed', errorText(result.error));
  }
}

function errorText(error: string | undefined): string {
  return (error ?? 'not delivered').slice(0, ERROR_MAX);
}
