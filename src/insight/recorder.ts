import type { CommittedTurn } from '../conversation/engine';
import { errorFields, type Logger } from '../conversation/logger';
import type { HandoffEvent } from '../handoff/service';
import type { HandoffStore } from '../handoff/store';
import { replyBucket, utcDay } from './buckets';
import { hasCountedFacts, turnIncrements } from './increments';
import type { Pseudonymise } from './pseudonym';
import type { InsightIncrement, InsightStore } from './store';

export interface RecorderOptions {
  store: InsightStore;
  pseudonymise: Pseudonymise;
  /** The organisation id a person's counts go to, by the country they are in now. */
  organisationFor: (country: { current?: string }) => Promise<string>;
  /** Cases and their transcripts, for the time to a case's first caseworker reply. */
  cases: Pick<HandoffStore, 'getCase' | 'listMessages'>;
  log: Logger;
  clock?: () => number;
  /** How often buffered increments are written (default 1 s). */
  flushMs?: number;
  /** Increments that are written at once without waiting for the timer (default 1,000: at thousands of turns a second, one transaction every few hundred turns), and the most one batch holds. */
  maxBatch?: number;
}

/** Once-a-day increments already sent by this process, remembered up to this many, to spare the store a write per turn. */
const SENT_MEMORY = 50_000;

/**
 * Turns what the engine and the handoff tell (a turn saved, a case opened, a
 * caseworker's message) into insight increments, and writes them in batches
 * off the turn's path: a listener only buffers, never waits, never throws. A
 * failed write is logged and its increments are lost; counts are statistics,
 * not records, and a turn must never fail or slow down for them.
 */
export class InsightRecorder {
  private readonly clock: () => number;
  private readonly maxBatch: number;
  private buffer: InsightIncrement[] = [];
  /** Lookups under way (an organisation, a case) whose increments are not buffered yet. */
  private readonly pending = new Set<Promise<void>>();
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly sent = new Set<string>();
  /** Per pseudonym, the day, language and countries its once-a-day increments were last buffered for. */
  private readonly lastSeen = new Map<string, string>();
  private closed = false;

  constructor(private readonly opts: RecorderOptions) {
    this.clock = opts.clock ?? Date.now;
    this.maxBatch = opts.maxBatch ?? 1000;
    this.timer = setInterval(() => void this.write(), opts.flushMs ?? 1000);
    // Counts never keep a process alive that has nothing else to do.
    this.timer.unref();
  }

  /** An `engine.onCommitted` listener. */
  committed(turn: CommittedTurn): void {
    if (this.closed) return;
    const pseudonym = this.opts.pseudonymise(turn.ref.channel, turn.ref.userId);
    const counted = turn.isNew || hasCountedFacts(turn.facts);
    if (turn.unprompted && !counted) return;
    // Most turns add nothing: the person was counted today in this language and these countries already.
    const seen = `${utcDay(turn.now)}\u0000${turn.locale}\u0000${turn.country.current ?? ''}\u0000${turn.country.origin ?? ''}`;
    if (!counted && this.lastSeen.get(pseudonym) === seen) return;
    this.track(async () => {
      const organisationId = await this.opts.organisationFor(turn.country);
      this.push(turnIncrements(turn, organisationId, pseudonym));
      if (turn.unprompted) return;
      if (this.lastSeen.size >= SENT_MEMORY) this.lastSeen.clear();
      this.lastSeen.set(pseudonym, seen);
    });
  }

  /** A HandoffEvents listener. */
  handoffEvent(event: HandoffEvent): void {
    if (this.closed) return;
    if (event.type === 'case.opened') {
      this.push([{ day: utcDay(this.clock()), organisationId: event.organisationId, metric: 'case.opened', dimension: `${event.category}/${event.priority}` }]);
    } else if (event.type === 'message.added' && event.author === 'caseworker') {
      this.track(() => this.firstReply(event.caseId));
    }
  }

  /** Counts the time to the case's first caseworker line, when the line just added is that one. */
  private async firstReply(caseId: string): Promise<void> {
    const c = await this.opts.cases.getCase(caseId);
    if (!c) return;
    const replies = (await this.opts.cases.listMessages(caseId)).filter((m) => m.author === 'caseworker');
    const [first] = replies;
    if (!first || replies.length !== 1) return;
    this.push([{ day: utcDay(first.createdAt), organisationId: c.organisationId, metric: 'case.first_reply', dimension: replyBucket(first.createdAt - c.createdAt) }]);
  }

  /** Writes everything recorded so far, after the lookups under way; never rejects. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.write();
  }

  /**
   * "Delete my data": the person's once-a-day marks go. Increments still
   * buffered are written first, or they would mark the person again after.
   * A failure rejects, so the erasure fails and is asked for again.
   */
  async forget(channel: string, userId: string): Promise<number> {
    const pseudonym = this.opts.pseudonymise(channel, userId);
    await this.flush();
    for (const key of this.sent) if (key.endsWith(`\u0000${pseudonym}`)) this.sent.delete(key);
    this.lastSeen.delete(pseudonym);
    return this.opts.store.forget(pseudonym);
  }

  /** Stops the timer and writes what is left; the stores may close after it. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flush();
  }

  private track(lookup: () => Promise<void>): void {
    const task = lookup()
      .catch((err: unknown) => this.opts.log.error({ event: 'insight-record-failed', ...errorFields(err) }))
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  private push(increments: readonly InsightIncrement[]): void {
    for (const inc of increments) {
      if (inc.pseudonym !== undefined) {
        const key = [inc.day, inc.organisationId, inc.metric, inc.dimension, inc.pseudonym].join('\u0000');
        if (this.sent.has(key)) continue;
        if (this.sent.size >= SENT_MEMORY) this.sent.clear();
        this.sent.add(key);
      }
      this.buffer.push(inc);
    }
    if (this.buffer.length >= this.maxBatch) void this.write();
  }

  /** Writes the buffer in batches, one write at a time, in order. */
  private write(): Promise<void> {
    this.writing = this.writing.then(async () => {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.maxBatch);
        try {
          await this.opts.store.add(batch);
        } catch (err) {
          this.opts.log.error({ event: 'insight-write-failed', increments: batch.length, ...errorFields(err) });
        }
      }
    });
    return this.writing;
  }
}
