import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Attempt, Deliverer } from '../conversation/delivery/deliverer';
import type { Outbox } from '../conversation/delivery/outbox';
import type { Pace } from '../conversation/delivery/pacer';
import { errorFields, type Logger } from '../conversation/logger';
import type { ConversationRef } from '../conversation/record';
import type { OutboxEntry, OutboxLease } from '../store/store';

export interface BullmqOutboxOptions {
  redisUrl: string;
  /** BullMQ's key prefix: the app's Redis prefix and `bull`, so one prefix finds every key. */
  prefix: string;
  log: Logger;
  /**
   * Channels whose replies are delivered in the request that committed them:
   * those with no remote rate limit to share (the web chat, whose "send" is
   * the outbox itself; WhatsApp Web, which runs on one instance). Their
   * retries still go through the queue.
   */
  inline: readonly string[];
  /** The overall rate of a channel, kept across every instance by the limiter of its queue. */
  limits: Readonly<Record<string, Pace>>;
  /** Jobs one worker runs at once per channel (sends wait on the network, not the CPU). */
  concurrency?: number;
  /** How often the database is swept for due replies without a job (a crash between commit and enqueue). */
  sweepMs?: number;
  batch?: number;
}

interface DeliverJob {
  seq: number;
  /** Its rate-limit slot is booked: it goes without booking another. */
  paced?: boolean;
}

const DEFAULT_CONCURRENCY = 16;
const DEFAULT_SWEEP_MS = 5_000;
const DEFAULT_BATCH = 200;
/** How long a job fetched during a stop waits before another worker may take it. */
const HAND_BACK_MS = 1_000;

/**
 * The outbox worker with Redis: one BullMQ queue per channel, whose
 * limiter keeps the channel's overall rate across all instances. A job is
 * one delivery attempt of one row and carries only its seq (nothing about
 * the person): its id is `o<seq>-<attempts>-<due time>`, so adding the same
 * attempt twice (the turn, a sweep, another instance) queues it once.
 * Order per conversation comes from the store, which lets only the first
 * pending row of a conversation be claimed: after a delivery the worker
 * queues the conversation's next row; a failure queues the same row again
 * after its back-off.
 *
 * A job lost with its instance (kill -9) is found again: BullMQ moves a
 * stalled job back to the queue, and every instance sweeps the database
 * for due rows that have no job, once their lease has run out.
 */
export class BullmqOutbox implements Outbox {
  private readonly queueRedis: Redis;
  private readonly workerRedis: Redis;
  private readonly queues = new Map<string, Queue<DeliverJob>>();
  private readonly workers: Worker<DeliverJob>[] = [];
  private readonly inline: Set<string>;
  private readonly inFlight = new Set<Promise<unknown>>();
  private sweepTimer: NodeJS.Timeout | null = null;
  private started = false;
  private stopping = false;

  constructor(
    private readonly deliverer: Deliverer,
    private readonly opts: BullmqOutboxOptions,
  ) {
    this.inline = new Set(opts.inline);
    // Adding jobs fails fast when Redis is away: the reply is saved, and a sweep queues it later.
    this.queueRedis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
    // Workers block on Redis, which BullMQ requires to wait however long it takes.
    this.workerRedis = new Redis(opts.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    for (const redis of [this.queueRedis, this.workerRedis]) {
      redis.on('error', (err: unknown) => opts.log.warn({ event: 'outbox-redis-error', ...errorFields(err) }));
    }
    for (const channel of deliverer.channelNames) {
      this.queues.set(channel, new Queue<DeliverJob>(queueName(channel), { connection: this.queueRedis, prefix: opts.prefix }));
    }
  }

  commitLease(channel: string): OutboxLease | undefined {
    // Only the channels sent from the request: a queued reply is claimed by whichever worker takes its job.
    return this.stopping || !this.inline.has(channel) ? undefined : this.deliverer.runLease(channel);
  }

  async dispatch(entries: readonly OutboxEntry[], ref?: ConversationRef, leased = false): Promise<void> {
    const first = entries[0];
    if (!first) return;
    try {
      if (this.stopping) {
        // Stopped since the commit: the leases go back now, not when they run out.
        if (leased) await this.deliverer.release(entries);
        return;
      }
      if (this.inline.has(first.channel)) await this.track(this.deliverInline(entries, ref, leased));
      else await this.enqueue(first, false);
    } catch (err) {
      // Saved either way: the sweep finds the replies once Redis or the store answers again.
      this.opts.log.error({ event: 'dispatch-failed', ...errorFields(err) });
    }
  }

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    for (const channel of this.deliverer.channelNames) {
      const worker = new Worker<DeliverJob>(queueName(channel), (job, token) => this.process(job, token), {
        connection: this.workerRedis,
        prefix: this.opts.prefix,
        concurrency: this.opts.concurrency ?? DEFAULT_CONCURRENCY,
        limiter: limiterOf(this.opts.limits[channel]),
      });
      worker.on('error', (err) => this.opts.log.warn({ event: 'outbox-worker-error', channel, ...errorFields(err) }));
      worker.on('failed', (_job, err) => this.opts.log.error({ event: 'outbox-job-failed', channel, ...errorFields(err) }));
      this.workers.push(worker);
    }
    this.scheduleSweep(0);
  }

  /**
   * Stops the sweep and the workers: BullMQ lets the jobs running finish
   * (each is one send) and takes no more; queued jobs stay in Redis for the
   * other instances. Then leases are handed back and the connections closed.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    await Promise.allSettled(this.workers.map((w) => w.close()));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    try {
      await this.deliverer.store.releaseOutbox(this.deliverer.owner);
    } catch (err) {
      this.opts.log.warn({ event: 'outbox-release-failed', ...errorFields(err) });
    }
    // Every command is done by now; quit() would wait for a Redis that is away.
    this.queueRedis.disconnect();
    this.workerRedis.disconnect();
  }

  /** Queues due rows that may have no job: left by a process that died, or not queued while Redis was away. */
  async sweep(): Promise<number> {
    const due = await this.deliverer.store.dueOutbox(
      this.deliverer.now(),
      this.deliverer.channelNames,
      this.opts.batch ?? DEFAULT_BATCH,
    );
    const byChannel = new Map<string, OutboxEntry[]>();
    for (const entry of due) byChannel.set(entry.channel, [...(byChannel.get(entry.channel) ?? []), entry]);
    for (const [channel, entries] of byChannel) {
      await this.queues.get(channel)?.addBulk(entries.map((e) => ({ name: 'deliver', data: { seq: e.seq }, opts: jobOptions(e, 0) })));
    }
    return due.length;
  }

  private async process(job: Job<DeliverJob>, token: string | undefined): Promise<void> {
    if (this.stopping && token !== undefined) {
      // Fetched while this instance stops: handed back, for another instance (or this one's next start).
      await job.moveToDelayed(Date.now() + HAND_BACK_MS, token);
      throw new DelayedError();
    }
    const attempt = await this.deliverer.attempt(job.data.seq, job.data.paced === true);
    await this.follow(attempt);
  }

  /** What comes after an attempt: the conversation's next row, or this one again later. */
  private async follow(attempt: Attempt): Promise<void> {
    switch (attempt.outcome) {
      case 'delivered':
      case 'gave-up':
        if (attempt.next) await this.enqueue(attempt.next, false);
        return;
      case 'retry':
        await this.enqueue({ ...attempt.entry, attempts: attempt.entry.attempts + 1, nextAttemptAt: attempt.at }, false);
        return;
      case 'paced':
        await this.enqueue({ ...attempt.entry, nextAttemptAt: attempt.at }, attempt.booked);
        return;
      case 'skipped':
        return;
    }
  }

  private async enqueue(entry: OutboxEntry, paced: boolean): Promise<void> {
    const queue = this.queues.get(entry.channel);
    if (!queue) return;
    const delay = Math.max(0, entry.nextAttemptAt - this.deliverer.now());
    await queue.add('deliver', { seq: entry.seq, ...(paced ? { paced } : {}) }, jobOptions(entry, delay));
  }

  /** A commit's replies on an inline channel: as one run when possible, else (or for what follows) one by one. */
  private async deliverInline(entries: readonly OutboxEntry[], ref: ConversationRef | undefined, leased: boolean): Promise<void> {
    if (!ref && leased) await this.deliverer.release(entries);
    const run = ref ? await this.deliverer.deliverRun(entries, ref, () => !this.stopping, leased) : null;
    if (!run) return this.drainInline(entries[0]!.seq);
    if (run.next) await this.drainInline(run.next.seq);
    else if (run.failure) await this.follow(run.failure);
  }

  /** Delivers an inline channel's rows in the request, one after another; what must wait goes to the queue. */
  private async drainInline(seq: number): Promise<void> {
    let next: number | null = seq;
    while (next !== null && !this.stopping) {
      const attempt = await this.deliverer.attempt(next);
      if (attempt.outcome === 'delivered' || attempt.outcome === 'gave-up') {
        next = attempt.next?.seq ?? null;
        continue;
      }
      await this.follow(attempt);
      return;
    }
  }

  private scheduleSweep(after: number): void {
    if (this.stopping) return;
    this.sweepTimer = setTimeout(() => {
      this.track(this.sweep())
        .catch((err: unknown) => this.opts.log.error({ event: 'outbox-sweep-failed', ...errorFields(err) }))
        .finally(() => this.scheduleSweep(this.opts.sweepMs ?? DEFAULT_SWEEP_MS));
    }, after);
    this.sweepTimer.unref();
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

/** BullMQ allows no ':' in queue names. */
export function queueName(channel: string): string {
  return `outbox-${channel}`;
}

/** One attempt of one row: the same row, attempt and due time give the same id, so it is queued once. */
export function jobId(entry: Pick<OutboxEntry, 'seq' | 'attempts' | 'nextAttemptAt'>): string {
  return `o${entry.seq}-${entry.attempts}-${entry.nextAttemptAt}`;
}

function jobOptions(entry: OutboxEntry, delay: number) {
  // Finished jobs go at once: the row in the store is the record, and a kept id would block a later attempt's job.
  return { jobId: jobId(entry), delay, removeOnComplete: true, removeOnFail: true };
}

/** BullMQ's limiter counts jobs per window; one job is one send. */
export function limiterOf(pace: Pace | undefined): { max: number; duration: number } | undefined {
  if (!pace) return undefined;
  if (pace.perSecond >= 1) return { max: Math.floor(pace.perSecond), duration: 1000 };
  return { max: 1, duration: Math.ceil(1000 / pace.perSecond) };
}
