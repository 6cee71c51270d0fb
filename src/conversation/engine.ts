import type { CountryLookup } from '../../flows/directory';
import type { CommitResult, Store, StoredConversation } from '../store/store';
import type { ChannelPort, OutboundMessage } from './channel';
import { Deliverer, type DelivererOptions, type DeliveryListener } from './delivery/deliverer';
import type { Outbox } from './delivery/outbox';
import { PollingOutbox } from './delivery/polling';
import { FALLBACK_LOCALE, type Translator } from './i18n';
import { InboundMessageSchema, conversationKey, type InboundMessage } from './inbound';
import type { Deduper } from './dedup';
import type { KeyedLock } from './lock';
import type { MessageRateLimiter } from './rate-limit';
import { errorFields, hashKey, type Logger } from './logger';
import { DAY_MS } from '../util/time';
import { FlowRunner, MENU_FLOW, StaleFlowError, type FlowRegistry } from './flows';
import { RecordError, newRecord, parseRecord, toStoredRecord, type ConversationRecord, type ConversationRef } from './record';
import { RecordCache, type RecordCacheOptions } from './record-cache';
import { currentChoices, matchChoice, render } from './render';
import { commands } from './steps/commands';
import { detectLanguage, offerScriptSwitch } from './steps/language';
import { rateLimit } from './steps/rate-limit';
import { safety } from './steps/safety';
import { flowStep } from './steps/flow';
import { welcome } from './steps/welcome';
import { Turn, compose, type Middleware } from './turn';
import {
  ConversationGoneError,
  InboundError,
  deliveryOf,
  seqsOf,
  type CommitListener,
  type CommittedTurn,
  type HandleOptions,
  type TurnListener,
  type TurnObservation,
  type TurnResult,
  type WriteResult,
} from './turn-results';

export { ConversationGoneError, InboundError } from './turn-results';
export type { CommitListener, CommittedTurn, HandleOptions, TurnListener, TurnObservation, TurnResult, WriteResult } from './turn-results';
export type { DeliveryListener, DeliveryOutcome } from './delivery/deliverer';

export interface EngineOptions {
  store: Store;
  lock: KeyedLock;
  /** Handled message ids shared by instances, asked before the lock; none: the store alone says. */
  dedup?: Deduper;
  flows: FlowRegistry;
  tr: Translator;
  channels: readonly ChannelPort[];
  log: Logger;
  /** The directory as flows see it: the SOS step names the local emergency number. */
  countries: CountryLookup;
  /** Steps that run after safety and before the built-in ones (the handoff to a caseworker). */
  before?: readonly Middleware[];
  /** The per-conversation message limit, checked right after safety; none: no limit. */
  rateLimiter?: MessageRateLimiter;
  /**
   * "Delete my data", confirmed: erases what others keep about the person
   * (their cases with a caseworker) before the conversation goes. A failure
   * erases nothing and the message fails, so the channel sends it again.
   */
  onErase?: (channel: string, userId: string) => Promise<void>;
  clock?: () => number;
  /** How replies are delivered: rate limits, retries, leases (the store, channels, log and clock are the engine's). */
  delivery?: Omit<DelivererOptions, 'store' | 'channels' | 'log' | 'clock'>;
  /**
   * The outbox worker, built around the engine's deliverer. None: a polling
   * outbox that delivers each commit's replies at once and, until started,
   * leaves failures in the store.
   */
  outbox?: (deliverer: Deliverer) => Outbox;
  /** The records this process saved last, reused by the next load instead of validated again (default: frozen, to catch changes in place). */
  recordCache?: RecordCacheOptions;
}

/** Commits lost to a concurrent writer before a turn gives up (another instance, without a shared lock). */
const MAX_COMMIT_ATTEMPTS = 5;

/**
 * Days a processed mark is kept. A platform resends a message within a week
 * (WhatsApp's Cloud API, the longest, for up to seven days) and a
 * caseworker's or an alert's write is tried again within hours; a mark older
 * than this catches nothing, and without pruning a long conversation's marks
 * would grow with every message until retention removed it.
 */
export const PROCESSED_MARK_DAYS = 30;

/** A conversation's old marks are pruned at every this many revisions: one statement in 50 turns, not one each. */
export const PRUNE_MARKS_EVERY = 50;

/**
 * The channel-agnostic turn: lock → de-duplicate → load → middleware chain →
 * render → commit (record + processed mark + outbox, one transaction) →
 * deliver. A failure inside the chain becomes a polite reply, never a crash.
 */
export class Engine {
  private readonly channels = new Map<string, ChannelPort>();
  private readonly runner: FlowRunner;
  private readonly chain: (turn: Turn) => Promise<void>;
  private readonly clock: () => number;
  private readonly turnListeners: TurnListener[] = [];
  private readonly commitListeners: CommitListener[] = [];
  private readonly records: RecordCache;
  /** Turns answered at their commit whose replies are still being sent. */
  private readonly answered = new Set<Promise<unknown>>();
  /** Sends what the outbox holds, one row per attempt. */
  readonly deliverer: Deliverer;
  readonly outbox: Outbox;

  constructor(private readonly opts: EngineOptions) {
    for (const channel of opts.channels) {
      // A row saved delivered is deleted only by the mark a send makes: without a history to serve, it would stay for good.
      if (channel.deliveredWhenSaved && !channel.keepsHistory) {
        throw new Error(`channel '${channel.name}': deliveredWhenSaved needs keepsHistory`);
      }
      this.channels.set(channel.name, channel);
    }
    this.runner = new FlowRunner(opts.flows);
    this.clock = opts.clock ?? Date.now;
    this.records = new RecordCache({ freeze: true, ...opts.recordCache });
    this.deliverer = new Deliverer({ ...opts.delivery, store: opts.store, channels: opts.channels, log: opts.log, clock: this.clock });
    this.outbox = opts.outbox ? opts.outbox(this.deliverer) : new PollingOutbox(this.deliverer, { log: opts.log });
    this.chain = compose([
      detectLanguage(),
      safety(opts.countries),
      ...(opts.rateLimiter ? [rateLimit(opts.rateLimiter, opts.countries)] : []),
      ...(opts.before ?? []),
      welcome(this.runner),
      commands(this.runner),
      offerScriptSwitch(),
      flowStep(this.runner),
    ]);
  }

  get flowRunner(): FlowRunner {
    return this.runner;
  }

  /** Called after every delivery attempt (the handoff marks a caseworker's reply delivered or failed). */
  onDelivery(listener: DeliveryListener): void {
    this.deliverer.onDelivery(listener);
  }

  /** Called after every inbound message handled (or failed), for metrics. */
  onTurn(listener: TurnListener): void {
    this.turnListeners.push(listener);
  }

  /** Called after every commit with what the turn did (src/insight counts it); a listener that throws is logged. */
  onCommitted(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  private tellCommitted(turn: Turn, key: string, unprompted: boolean, log: Logger): void {
    if (this.commitListeners.length === 0) return;
    const { record } = turn;
    const seen: CommittedTurn = {
      ref: record.ref,
      conversationKey: key,
      isNew: turn.isNew,
      unprompted,
      locale: record.locale,
      country: record.country,
      facts: turn.facts,
      now: turn.now,
    };
    for (const listener of this.commitListeners) {
      try {
        listener(seen);
      } catch (err) {
        log.error({ event: 'commit-listener-failed', ...errorFields(err) });
      }
    }
  }

  /**
   * Writes to a conversation unprompted (a caseworker's reply, a case
   * closed): the same lock, record, commit and outbox as a turn, with
   * `sourceId` as the message id, so doing it twice writes once. `act` says
   * what to say and may change the record; it throws to write nothing.
   */
  async write(ref: ConversationRef, sourceId: string, act: (turn: Turn) => void | Promise<void>): Promise<WriteResult> {
    const channel = this.channels.get(ref.channel);
    if (!channel) throw new Error(`channel '${ref.channel}' is not served by this instance`);
    const key = conversationKey(ref);
    return this.opts.lock.run(key, async () => {
      const { store } = this.opts;
      const log = this.opts.log.child({ channel: ref.channel, conversation: hashKey(key) });
      const previous = await store.repliesTo(key, sourceId);
      if (previous) {
        return { status: 'duplicate', replies: previous.map((e) => e.message as OutboundMessage), ...deliveryOf(previous) };
      }
      for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
        const started = this.clock();
        const stored = await store.getConversation(key);
        if (!stored) throw new ConversationGoneError();
        const current = this.load(key, stored, ref, log, started);
        // Saved under whoever holds the conversation now, as a turn of theirs would be.
        const msg: InboundMessage = { ...ref, userId: current.ref.userId, messageId: sourceId, timestamp: started, payload: 'system.write' };
        const turn = new Turn(msg, current, false, started, this.opts.tr, log);
        await act(turn);
        const replies = render(turn.outputs, turn.record.locale, channel.capabilities, this.opts.tr);
        const { result, record } = await this.commit(turn, key, stored.rev, replies, channel);
        if (result.ok) {
          log.info({ event: 'write', replies: replies.length });
          this.tellCommitted(turn, key, true, log);
          await this.deliver(channel, result, record.ref);
          await this.pruneMarks(key, result.rev, turn.now, log);
          const now = (await store.repliesTo(key, sourceId)) ?? [];
          return { status: 'processed', replies, ...deliveryOf(now) };
        }
        if (result.reason === 'duplicate') {
          const entries = (await store.repliesTo(key, sourceId)) ?? [];
          return { status: 'duplicate', replies: entries.map((e) => e.message as OutboundMessage), ...deliveryOf(entries) };
        }
        log.warn({ event: 'commit-conflict', attempt });
      }
      throw new Error(`conversation changed under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
    });
  }

  /** Validates and handles one inbound message. Throws InboundError for bad input. */
  async handle(raw: unknown, options: HandleOptions = {}): Promise<TurnResult> {
    const parsed = InboundMessageSchema.safeParse(raw);
    if (!parsed.success) {
      throw new InboundError(parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`));
    }
    const msg = parsed.data;
    const channel = this.channels.get(msg.channel);
    if (!channel) throw new InboundError([`channel: unknown channel '${msg.channel}'`]);
    const key = conversationKey(msg);
    if (options.until !== 'committed') return this.whole(msg, key, channel);
    let early = false;
    return new Promise<TurnResult>((resolve, reject) => {
      const whole = this.whole(msg, key, channel, (result) => {
        early = true;
        resolve(result);
      });
      // Before the commit, a failure is the caller's, as without the option; after it, only the log hears of it.
      const done = whole.then(resolve, (err: unknown) => {
        if (!early) reject(err);
        else this.opts.log.error({ event: 'turn-after-answer-failed', conversation: hashKey(key), ...errorFields(err) });
      });
      this.answered.add(done);
      void done.finally(() => this.answered.delete(done));
    });
  }

  /** Resolves once every turn answered at its commit (HandleOptions.until) has finished, including those begun meanwhile. */
  async idle(): Promise<void> {
    while (this.answered.size > 0) await Promise.allSettled([...this.answered]);
  }

  /** One message, from the de-duplication to the end of its turn; `answer` hears the result once it is committed. */
  private whole(msg: InboundMessage, key: string, channel: ChannelPort, answer?: (result: TurnResult) => void): Promise<TurnResult> {
    return this.observed(msg.channel, async () => {
      // A platform's resend, answered without waiting behind the conversation's lock.
      if (await this.seenBefore(msg)) return this.duplicate(msg, key, this.opts.log.child({ channel: msg.channel, conversation: hashKey(key) }));
      return this.opts.lock.run(key, () => this.turn(msg, key, channel, answer));
    });
  }

  /** Times one message's handling and tells the turn listeners. */
  private async observed(channel: string, handle: () => Promise<TurnResult>): Promise<TurnResult> {
    const started = performance.now();
    let outcome: TurnObservation['outcome'] = 'failed';
    try {
      const result = await handle();
      outcome = result.status;
      return result;
    } finally {
      const seen: TurnObservation = { channel, outcome, seconds: (performance.now() - started) / 1000 };
      for (const listener of this.turnListeners) {
        try {
          listener(seen);
        } catch (err) {
          this.opts.log.error({ event: 'turn-listener-failed', ...errorFields(err) });
        }
      }
    }
  }

  /** Only a yes from the dedup is trusted; a no or a failure leaves the decision to the store. */
  private async seenBefore(msg: InboundMessage): Promise<boolean> {
    if (!this.opts.dedup) return false;
    try {
      return await this.opts.dedup.seen(msg.channel, msg.userId, msg.messageId);
    } catch (err) {
      this.opts.log.warn({ event: 'dedup-failed', ...errorFields(err) });
      return false;
    }
  }

  /** `answer`, when given, hears the result as soon as the turn is committed, before its replies are sent. */
  private async turn(
    msg: InboundMessage,
    key: string,
    channel: ChannelPort,
    answer?: (result: TurnResult) => void,
  ): Promise<TurnResult> {
    const { store } = this.opts;
    const log = this.opts.log.child({ channel: msg.channel, conversation: hashKey(key) });
    const first = await store.turnState(key, msg.messageId);
    if (first.processed) return this.duplicate(msg, key, log);

    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
      const started = this.clock();
      // Read again only after a conflict: another writer moved the conversation on.
      const stored = attempt === 1 ? first.conversation : await store.getConversation(key);
      const ref = refOf(msg);
      const turn = new Turn(msg, this.load(key, stored, ref, log, started), stored === null, started, this.opts.tr, log);
      await this.run(turn, () => this.load(key, stored, ref, log, started));

      const replies = render(turn.outputs, turn.record.locale, channel.capabilities, this.opts.tr);
      if (turn.erase) return this.erase(msg, channel, turn.record, replies, log);
      const { result, record } = await this.commit(turn, key, stored?.rev ?? 0, replies, channel);
      if (result.ok) {
        log.info({ event: 'turn', flow: record.flow?.id ?? null, replies: replies.length, ms: this.clock() - started });
        this.tellCommitted(turn, key, false, log);
        // After the commit, so that a mark always means the store has the message as processed.
        await this.opts.dedup?.mark(msg.channel, msg.userId, msg.messageId).catch((err: unknown) => {
          log.warn({ event: 'dedup-failed', ...errorFields(err) });
        });
        const processed: TurnResult = { status: 'processed', replies, ...seqsOf(result.outbox, replies.length) };
        answer?.(processed);
        await this.deliver(channel, result, record.ref);
        await this.pruneMarks(key, result.rev, turn.now, log);
        return processed;
      }
      if (result.reason === 'duplicate') return this.duplicate(msg, key, log);
      log.warn({ event: 'commit-conflict', attempt });
    }
    throw new Error(`conversation changed under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
  }

  /**
   * Saves what a turn (or an unprompted write) did: the record with the
   * choices just offered, the processed mark of its message, its replies in
   * the outbox and its submissions, in one transaction.
   */
  private async commit(turn: Turn, key: string, expectedRev: number, replies: OutboundMessage[], channel: ChannelPort) {
    const record: ConversationRecord = {
      ...turn.record,
      choices: currentChoices(turn.outputs) ?? turn.record.choices,
      updatedAt: turn.now,
    };
    // Forgotten first: while the commit is under way, what is stored is not known.
    this.records.forget(key);
    const result = await this.opts.store.commitTurn({
      conversationKey: key,
      channel: turn.msg.channel,
      userId: turn.msg.userId,
      expectedRev,
      record: toStoredRecord(record),
      messageId: turn.msg.messageId,
      outbox: replies,
      submissions: turn.submissions,
      now: turn.now,
      // Saved delivered where the person reads them from the store; else leased to this worker in the commit
      // when it will send them itself, straight after: no claim of their own.
      ...(channel.deliveredWhenSaved ? { delivered: true } : { lease: this.outbox.commitLease(channel.name) }),
    });
    if (result.ok) this.records.remember(key, result.rev, record);
    return { result, record };
  }

  /** A commit's replies to their person: sent through the outbox, or, saved delivered, only told to the delivery listeners. */
  private async deliver(channel: ChannelPort, result: Extract<CommitResult, { ok: true }>, ref: ConversationRef): Promise<void> {
    if (channel.deliveredWhenSaved) this.deliverer.savedDelivered(result.outbox);
    else await this.outbox.dispatch(result.outbox, ref, result.leased);
  }

  /**
   * Every PRUNE_MARKS_EVERY revisions, after the replies went: the
   * conversation's marks older than PROCESSED_MARK_DAYS go. A failure loses
   * nothing (the marks stay until the next time), so it is only logged.
   */
  private async pruneMarks(key: string, rev: number, now: number, log: Logger): Promise<void> {
    if (rev % PRUNE_MARKS_EVERY !== 0) return;
    try {
      const pruned = await this.opts.store.pruneProcessed(key, now - PROCESSED_MARK_DAYS * DAY_MS);
      if (pruned > 0) log.info({ event: 'marks-pruned', marks: pruned });
    } catch (err) {
      log.warn({ event: 'marks-prune-failed', ...errorFields(err) });
    }
  }

  /**
   * The stored record, or a fresh one created at `now` (the turn's time: not after the turn that saves it);
   * an unreadable record is replaced, never fatal.
   */
  private load(key: string, stored: StoredConversation | null, ref: ConversationRef, log: Logger, now: number): ConversationRecord {
    if (stored === null) return newRecord(ref, FALLBACK_LOCALE, now);
    const data = stored.data;
    const saved = this.records.get(key, stored.rev, data);
    if (saved) return saved;
    try {
      // No copy needed: zod builds new objects, and what it passes through (the flow snapshot) comes
      // from the store, which hands out a fresh parse on every read.
      return parseRecord(data);
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      log.error({ event: 'record-unreadable', ...errorFields(err) });
      // Keep the person's language if it can still be read; the rest starts over.
      const fresh = newRecord(ref, FALLBACK_LOCALE, now);
      const locale = (data as { locale?: unknown }).locale;
      return typeof locale === 'string' && this.opts.tr.isSupported(locale) ? { ...fresh, locale } : fresh;
    }
  }

  /** Runs the chain: the one place a failing turn turns into an apology and the menu. */
  private async run(turn: Turn, reload: () => ConversationRecord): Promise<void> {
    const matched =
      turn.payload === undefined
        ? matchChoice(turn.text, turn.record.choices, turn.locale, turn.tr, { numbers: !turn.expectsText })
        : undefined;
    if (matched) turn.payload = matched.payload;
    try {
      await this.chain(turn);
    } catch (err) {
      const stale = err instanceof StaleFlowError;
      turn.log[stale ? 'warn' : 'error']({ event: stale ? 'stale-snapshot' : 'turn-failed', ...errorFields(err) });
      turn.outputs.length = 0;
      // Read again from what was stored, not copied up front: a copy on every turn for the rare failure costs more.
      turn.record = { ...reload(), flow: null, prompt: [], misses: 0 };
      turn.say({ key: stale ? 'common:stale' : 'common:error' });
      try {
        this.runner.start(turn, MENU_FLOW);
      } catch (menuErr) {
        turn.log.error({ event: 'menu-failed', ...errorFields(menuErr) });
      }
    }
  }

  /**
   * "Delete my data", confirmed: everything about the person goes, including
   * this turn, so the goodbye is sent straight away instead of via the outbox.
   */
  private async erase(
    msg: InboundMessage,
    channel: ChannelPort,
    record: ConversationRecord,
    replies: OutboundMessage[],
    log: Logger,
  ): Promise<TurnResult> {
    if (this.opts.onErase) await this.opts.onErase(msg.channel, msg.userId);
    await this.opts.dedup?.forget(msg.channel, msg.userId);
    const removed = await this.opts.store.deleteUser(msg.channel, msg.userId);
    this.records.forget(conversationKey(msg));
    log.info({ event: 'user-erased', conversations: removed });
    try {
      await channel.send(record.ref, replies);
    } catch (err) {
      log.error({ event: 'delivery-failed', ...errorFields(err) });
    }
    return { status: 'processed', replies };
  }

  private async duplicate(msg: InboundMessage, key: string, log: Logger): Promise<TurnResult> {
    log.info({ event: 'duplicate' });
    const entries = (await this.opts.store.repliesTo(key, msg.messageId)) ?? [];
    return { status: 'duplicate', replies: entries.map((e) => e.message as OutboundMessage), ...seqsOf(entries, entries.length) };
  }
}

function refOf(msg: InboundMessage): ConversationRef {
  return { channel: msg.channel, conversationId: msg.conversationId, userId: msg.userId };
}
