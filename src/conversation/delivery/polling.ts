import { errorFields, type Logger } from '../logger';
import type { OutboxEntry, OutboxLease } from '../../store/store';
import type { ConversationRef } from '../record';
import type { Deliverer } from './deliverer';
import type { Outbox } from './outbox';

export interface PollingOutboxOptions {
  log: Logger;
  /** How often the database is asked for replies due (retries, and what a crashed process left). */
  pollMs?: number;
  /** Replies taken per round at most; each conversation's go one after another, conversations side by side. */
  batch?: number;
}

const DEFAULT_POLL_MS = 1_000;
const DEFAULT_BATCH = 50;

/**
 * The outbox worker without Redis. A commit's replies are delivered at once,
 * in the same call (the turn ends after its replies went out, even when its
 * caller was answered at the commit: HandleOptions.until); anything not delivered then (a
 * failure waiting for its back-off, a reply paced to a later slot, rows of a
 * process that died) is found by polling the database. Leases keep two
 * processes on one database from sending the same row.
 */
export class PollingOutbox implements Outbox {
  private running = false;
  private stopping = false;
  private pollTimer: NodeJS.Timeout | null = null;
  /** Rows handed back until a rate-limit slot booked for them, by seq: woken here, not by a poll. */
  private readonly slots = new Map<number, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly pollMs: number;
  private readonly batch: number;

  constructor(
    private readonly deliverer: Deliverer,
    private readonly opts: PollingOutboxOptions,
  ) {
    this.pollMs = opts.pollMs ?? DEFAULT_POLL_MS;
    this.batch = opts.batch ?? DEFAULT_BATCH;
  }

  commitLease(channel: string): OutboxLease | undefined {
    return this.stopping ? undefined : this.deliverer.runLease(channel);
  }

  async dispatch(entries: readonly OutboxEntry[], ref?: ConversationRef, leased = false): Promise<void> {
    const first = entries[0];
    if (!first) return;
    try {
      if (this.stopping) {
        // Stopped between the commit and now: the leases go back now, not when they run out.
        if (leased) await this.deliverer.release(entries);
        return;
      }
      await this.track(this.deliver(entries, ref, leased));
    } catch (err) {
      // The replies are saved; a poll delivers them once the store answers again.
      this.opts.log.error({ event: 'dispatch-failed', ...errorFields(err) });
    }
  }

  /**
   * One round: every reply due on this process's channels (the first pending
   * one of each conversation, then the ones after it) is tried. Returns how
   * many were delivered.
   */
  async poll(): Promise<number> {
    const due = await this.deliverer.store.dueOutbox(this.deliverer.now(), this.deliverer.channelNames, this.batch);
    const runs = due.filter((e) => !this.slots.has(e.seq)).map((e) => this.track(this.drain(e.seq, false)));
    return (await Promise.all(runs)).reduce((a, b) => a + b, 0);
  }

  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    this.schedulePoll();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    for (const timer of this.slots.values()) clearTimeout(timer);
    this.slots.clear();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    try {
      await this.deliverer.store.releaseOutbox(this.deliverer.owner);
    } catch (err) {
      // Leases run out by themselves; another process takes the rows then.
      this.opts.log.warn({ event: 'outbox-release-failed', ...errorFields(err) });
    }
    this.running = false;
  }

  /** Delivers `seq` and the conversation's following replies, until one must wait. Returns how many went. */
  /** A commit's replies as one run when possible, else (or after it, for what follows) reply by reply. */
  private async deliver(entries: readonly OutboxEntry[], ref: ConversationRef | undefined, leased: boolean): Promise<number> {
    if (!ref && leased) await this.deliverer.release(entries);
    const run = ref ? await this.deliverer.deliverRun(entries, ref, () => !this.stopping, leased) : null;
    if (!run) return this.drain(entries[0]!.seq, false);
    return run.delivered + (run.next ? await this.drain(run.next.seq, false) : 0);
  }

  private async drain(seq: number, paced: boolean): Promise<number> {
    let delivered = 0;
    let next: number | null = seq;
    let booked = paced;
    while (next !== null && !this.stopping) {
      const attempt = await this.deliverer.attempt(next, booked);
      booked = false;
      switch (attempt.outcome) {
        case 'delivered':
          delivered += 1;
          next = attempt.next?.seq ?? null;
          break;
        case 'gave-up':
          next = attempt.next?.seq ?? null;
          break;
        case 'paced':
          this.wakeAt(attempt.entry.seq, attempt.at, attempt.booked);
          return delivered;
        case 'retry':
        case 'skipped':
          // A retry is found by the poll once due; a skipped row is someone else's, or not first in line.
          return delivered;
      }
    }
    return delivered;
  }

  private wakeAt(seq: number, at: number, booked: boolean): void {
    if (!this.running || this.stopping) return;
    clearTimeout(this.slots.get(seq));
    const timer = setTimeout(
      () => {
        this.slots.delete(seq);
        this.track(this.drain(seq, booked)).catch((err: unknown) => {
          this.opts.log.error({ event: 'outbox-drain-failed', ...errorFields(err) });
        });
      },
      Math.max(0, at - this.deliverer.now()),
    );
    timer.unref();
    this.slots.set(seq, timer);
  }

  private schedulePoll(): void {
    if (this.stopping) return;
    this.pollTimer = setTimeout(() => {
      this.track(this.poll())
        .catch((err: unknown) => this.opts.log.error({ event: 'outbox-poll-failed', ...errorFields(err) }))
        .finally(() => this.schedulePoll());
    }, this.pollMs);
    this.pollTimer.unref();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.then(
      () => this.inFlight.delete(work),
      () => this.inFlight.delete(work),
    );
    return work;
  }
}
