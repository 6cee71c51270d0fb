import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { OutboxEntry, OutboxLease, Store } from '../../store/store';
import type { ChannelPort, OutboundMessage } from '../channel';
import { errorFields, hashKey, type Logger } from '../logger';
import { parseRef, type ConversationRef } from '../record';
import { MemoryPacer, type Pace, type Pacer } from './pacer';
import { DEFAULT_RETRY, nextAttemptAt, type RetryPolicy } from './retry';

/** What became of one delivery attempt, for those who follow replies (the handoff marks a caseworker's line). */
export interface DeliveryOutcome {
  ok: boolean;
  error?: string;
  /** The outbox gave the reply up: it will not be tried again. */
  gaveUp?: boolean;
}

/** Told after every attempt to deliver replies: the entries tried and how it went. */
export type DeliveryListener = (entries: readonly OutboxEntry[], outcome: DeliveryOutcome) => void;

/** A channel's rate limits: over all its conversations, and per conversation (chat). */
export interface ChannelPacing {
  overall?: Pace;
  perConversation?: Pace;
}

export interface DelivererOptions {
  store: Store;
  channels: readonly ChannelPort[];
  log: Logger;
  clock?: () => number;
  /** Names this process's leases; unique per process. */
  owner?: string;
  /** How long a lease keeps other workers off a reply being sent; renewed while the send lasts. */
  leaseMs?: number;
  retry?: RetryPolicy;
  pacer?: Pacer;
  /** Rate limits by channel name; a channel without an entry is not paced (the web chat: its "send" is the outbox). */
  pacing?: Readonly<Record<string, ChannelPacing>>;
  /** A wait for a rate-limit slot up to this long is spent holding the reply; a longer one hands it back until its slot. */
  maxInlineWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * One attempt at one reply. `next` is the conversation's following pending
 * reply, which may go now that this one is settled; `at` is when this reply
 * may be tried again (a back-off, or a rate-limit slot already booked).
 */
export type Attempt =
  | { outcome: 'delivered'; entry: OutboxEntry; next: OutboxEntry | null }
  | { outcome: 'gave-up'; entry: OutboxEntry; next: OutboxEntry | null }
  | { outcome: 'retry'; entry: OutboxEntry; at: number }
  /** `booked`: the slot at `at` is this row's, so the next attempt goes without booking another. */
  | { outcome: 'paced'; entry: OutboxEntry; at: number; booked: boolean }
  | { outcome: 'skipped' };

/** How a commit's replies went when delivered as one run: how many were sent, and the conversation's next pending reply. */
export interface RunResult {
  delivered: number;
  next: OutboxEntry | null;
  /** The failed attempt that ended the run early, for an outbox that schedules its own retries. */
  failure?: Attempt;
}

export const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_MAX_INLINE_WAIT_MS = 1_000;
/** Kept of a channel's error on the row and in reports: enough to recognise it. */
const ERROR_MAX = 500;
/** Rows looked at past a settled reply to find the conversation's next pending one. */
const NEXT_WINDOW = 20;
/** How long a reply waits when the pacer (Redis) cannot be asked. */
const PACING_RETRY_MS = 1_000;

/**
 * Delivers outbox rows, one row per attempt, so that the idempotency key of
 * a send is the row's seq: a worker leases the row (only the first pending
 * row of its conversation, so replies keep their order), waits for the
 * channel's rate limits, sends that one message, and marks the row
 * delivered as soon as the channel took it (deletes it, where the platform
 * keeps the chat). A delivered row is never sent again; a failure is
 * recorded on the row (attempts, error, next attempt after a back-off) and
 * the conversation's later rows wait behind it.
 *
 * The one gap no outbox can close: a process that dies after the platform
 * took a message and before the row is marked sends that message again once
 * the lease runs out.
 */
export class Deliverer {
  readonly owner: string;
  private readonly channels = new Map<string, ChannelPort>();
  private readonly listeners: DeliveryListener[] = [];
  private readonly clock: () => number;
  private readonly leaseMs: number;
  private readonly retry: RetryPolicy;
  private readonly pacer: Pacer;
  private readonly maxInlineWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: DelivererOptions) {
    for (const channel of opts.channels) this.channels.set(channel.name, channel);
    this.owner = opts.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.clock = opts.clock ?? Date.now;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.retry = opts.retry ?? DEFAULT_RETRY;
    this.pacer = opts.pacer ?? new MemoryPacer();
    this.maxInlineWaitMs = opts.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  get store(): Store {
    return this.opts.store;
  }

  /** The channels this process can send on: only their rows are its to deliver. */
  get channelNames(): string[] {
    return [...this.channels.keys()];
  }

  now(): number {
    return this.clock();
  }

  onDelivery(listener: DeliveryListener): void {
    this.listeners.push(listener);
  }

  /**
   * One attempt at the row `seq`. `paced`: its rate-limit slot was booked
   * when it was handed back, so it goes without booking another.
   */
  async attempt(seq: number, paced = false): Promise<Attempt> {
    const { store } = this.opts;
    const now = this.clock();
    const entry = await store.claimOutbox(seq, { owner: this.owner, now, until: now + this.leaseMs });
    if (!entry) return { outcome: 'skipped' };
    const log = this.opts.log.child({ channel: entry.channel, conversation: hashKey(entry.conversationKey) });
    const channel = this.channels.get(entry.channel);
    if (!channel) {
      await store.releaseOutbox(this.owner, { seq });
      return { outcome: 'skipped' };
    }
    if (!paced) {
      const { wait, booked } = await this.pace(entry, now, log);
      if (wait > this.maxInlineWaitMs || !booked) {
        await store.releaseOutbox(this.owner, { seq, notBefore: now + wait });
        return { outcome: 'paced', entry, at: now + wait, booked };
      }
      if (wait > 0) await this.sleep(wait);
    }
    const stored = await store.getConversation(entry.conversationKey);
    if (!stored) {
      // Erased meanwhile: its replies went with it.
      await store.releaseOutbox(this.owner, { seq });
      return { outcome: 'skipped' };
    }
    try {
      // The address is all a send needs; the whole record is validated by the next turn that loads it.
      const ref = parseRef(stored.data);
      await this.holding([seq], () => channel.send(ref, [entry.message as OutboundMessage]));
    } catch (err) {
      return this.failed(entry, err, log);
    }
    await store.markDelivered([seq], this.clock(), this.kept(entry));
    this.report(entry, { ok: true }, log);
    return { outcome: 'delivered', entry, next: await this.nextOf(entry) };
  }

  /**
   * The lease a commit may take for its replies on `channel` (TurnCommit.lease),
   * so that deliverRun need not claim them: only where deliverRun would send
   * them, a channel served here without pacing.
   */
  runLease(channel: string): OutboxLease | undefined {
    if (!this.channels.has(channel) || this.opts.pacing?.[channel]) return undefined;
    const now = this.clock();
    return { owner: this.owner, now, until: now + this.leaseMs };
  }

  /**
   * Replies saved delivered (ChannelPort.deliveredWhenSaved): the listeners
   * hear of them as of a send that went, and nothing else is done.
   */
  savedDelivered(entries: readonly OutboxEntry[]): void {
    for (const entry of entries) this.report(entry, { ok: true }, this.opts.log);
  }

  /** Hands back leases this worker holds on rows it will not send now; another attempt or worker takes them. */
  async release(entries: readonly OutboxEntry[]): Promise<void> {
    for (const entry of entries) await this.opts.store.releaseOutbox(this.owner, { seq: entry.seq });
  }

  /**
   * Delivers the replies one commit wrote, by the worker that committed them:
   * one claim for all of them (none when the commit leased them: `leased`),
   * the address from the commit instead of a read of the record, one mark
   * for those sent. Only on channels without pacing (a pace is booked reply
   * by reply). Null, changing nothing but handing back a commit's lease, when
   * the run cannot be claimed whole (an earlier reply still waits, or
   * another worker holds one): the caller then goes reply by reply.
   * `keepGoing` is asked before each send after the first: a worker stopping
   * sends no more, and hands the rest back.
   */
  async deliverRun(
    entries: readonly OutboxEntry[],
    ref: ConversationRef,
    keepGoing: () => boolean = () => true,
    leased = false,
  ): Promise<RunResult | null> {
    const first = entries[0];
    const channel = first && this.channels.get(first.channel);
    if (!first || !channel || this.opts.pacing?.[first.channel]) {
      if (leased) await this.release(entries);
      return null;
    }
    const { store } = this.opts;
    const now = this.clock();
    const claimed = leased
      ? entries
      : await store.claimOutboxRun(
          entries.map((e) => e.seq),
          { owner: this.owner, now, until: now + this.leaseMs },
        );
    if (claimed.length === 0) return null;
    const log = this.opts.log.child({ channel: first.channel, conversation: hashKey(first.conversationKey) });
    let sent = 0;
    for (const entry of claimed) {
      if (sent > 0 && !keepGoing()) {
        await this.delivered(claimed.slice(0, sent), log);
        await this.release(claimed.slice(sent));
        return { delivered: sent, next: null };
      }
      try {
        await this.holding(claimed.slice(sent).map((e) => e.seq), () => channel.send(ref, [entry.message as OutboundMessage]));
      } catch (err) {
        await this.delivered(claimed.slice(0, sent), log);
        // Handed back before the failure is recorded, so that a give-up's next reply is free to be claimed.
        await this.release(claimed.slice(sent + 1));
        const attempt = await this.failed(entry, err, log);
        return { delivered: sent, next: attempt.outcome === 'gave-up' ? attempt.next : null, failure: attempt };
      }
      sent += 1;
    }
    await this.delivered(claimed, log);
    // No look for a next reply: the committer holds the conversation's lock, so nothing was committed
    // behind this run, and an earlier reply still waiting would have kept the run from being claimed.
    // (An instance that does not share the lock commits behind it only rarely; the poll finds that.)
    return { delivered: sent, next: null };
  }

  private async delivered(entries: readonly OutboxEntry[], log: Logger): Promise<void> {
    if (entries.length === 0) return;
    await this.opts.store.markDelivered(
      entries.map((e) => e.seq),
      this.clock(),
      this.kept(entries[0]!),
    );
    for (const entry of entries) this.report(entry, { ok: true }, log);
  }

  /** A delivered reply stays only where the bot serves the chat's history from the outbox (ChannelPort.keepsHistory). */
  private kept(entry: OutboxEntry): { keep: boolean } {
    return { keep: this.channels.get(entry.channel)?.keepsHistory === true };
  }

  /** The wait for this row's slots, booked on the channel's overall and per-conversation paces. */
  private async pace(entry: OutboxEntry, now: number, log: Logger): Promise<{ wait: number; booked: boolean }> {
    const pacing = this.opts.pacing?.[entry.channel];
    if (!pacing) return { wait: 0, booked: true };
    try {
      const waits = await Promise.all([
        pacing.overall ? this.pacer.reserve(entry.channel, pacing.overall, now) : 0,
        pacing.perConversation
          ? this.pacer.reserve(`${entry.channel}:${hashKey(entry.conversationKey)}`, pacing.perConversation, now)
          : 0,
      ]);
      return { wait: Math.max(...waits), booked: true };
    } catch (err) {
      // Without the shared slots, sending could break the platform's limit: wait a moment and book again.
      log.warn({ event: 'pacing-failed', ...errorFields(err) });
      return { wait: PACING_RETRY_MS, booked: false };
    }
  }

  /** Runs the send while keeping the lease alive, so a slow send is not taken over by another worker. */
  /** Sends while keeping the leases on `seqs` (the reply being sent and those waiting behind it in a run). */
  private async holding(seqs: readonly number[], send: () => Promise<void>): Promise<void> {
    const renew = setInterval(() => {
      const now = this.clock();
      for (const seq of seqs) {
        this.opts.store.renewOutboxLease(seq, { owner: this.owner, now, until: now + this.leaseMs }).catch((err: unknown) => {
          this.opts.log.warn({ event: 'lease-renew-failed', ...errorFields(err) });
        });
      }
    }, this.leaseMs / 3);
    renew.unref();
    try {
      await send();
    } finally {
      clearInterval(renew);
    }
  }

  private async failed(entry: OutboxEntry, err: unknown, log: Logger): Promise<Attempt> {
    const now = this.clock();
    const error = (err instanceof Error ? err.message : String(err)).slice(0, ERROR_MAX) || 'send failed';
    const attempt = entry.attempts + 1;
    const retryAt = nextAttemptAt(this.retry, attempt, now);
    await this.opts.store.failOutbox(entry.seq, { owner: this.owner, error, now, retryAt });
    if (retryAt === null) {
      log.error({ event: 'delivery-gave-up', attempts: attempt, ...errorFields(err) });
      this.report(entry, { ok: false, error, gaveUp: true }, log);
      return { outcome: 'gave-up', entry, next: await this.nextOf(entry) };
    }
    // Saved before delivered: the reply stays in the outbox for its next attempt.
    log.error({ event: 'delivery-failed', attempt, retryInMs: retryAt - now, ...errorFields(err) });
    this.report(entry, { ok: false, error }, log);
    return { outcome: 'retry', entry, at: retryAt };
  }

  private async nextOf(entry: OutboxEntry): Promise<OutboxEntry | null> {
    const later = await this.opts.store.outboxSince(entry.conversationKey, entry.seq, NEXT_WINDOW);
    return later.find((e) => e.deliveredAt === null && e.failedAt === null) ?? null;
  }

  private report(entry: OutboxEntry, outcome: DeliveryOutcome, log: Logger): void {
    for (const listener of this.listeners) {
      try {
        listener([entry], outcome);
      } catch (err) {
        log.error({ event: 'delivery-listener-failed', ...errorFields(err) });
      }
    }
  }
}
