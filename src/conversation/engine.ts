import type { CountryLookup } from '../../flows/directory';
import type { OutboxEntry, Store } from '../store/store';
import type { ChannelPort, OutboundMessage } from './channel';
import { FALLBACK_LOCALE, type Translator } from './i18n';
import { InboundMessageSchema, conversationKey, type InboundMessage } from './inbound';
import type { KeyedLock } from './lock';
import { errorFields, hashKey, type Logger } from './logger';
import { FlowRunner, MENU_FLOW, StaleFlowError, type FlowRegistry } from './flows';
import { RecordError, newRecord, parseRecord, type ConversationRecord, type ConversationRef } from './record';
import { currentChoices, matchChoice, render } from './render';
import { commands } from './steps/commands';
import { detectLanguage, offerScriptSwitch } from './steps/language';
import { safety } from './steps/safety';
import { flowStep } from './steps/flow';
import { welcome } from './steps/welcome';
import { Turn, compose, type Middleware } from './turn';

/** A message that does not fit the inbound schema. Adapters answer it with a 4xx. */
export class InboundError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid message: ${issues.join('; ')}`);
    this.name = 'InboundError';
  }
}

export interface TurnResult {
  /** `duplicate`: this message id was handled before; `replies` are what it produced then. */
  status: 'processed' | 'duplicate';
  replies: OutboundMessage[];
}

/** What an unprompted write did. */
export interface WriteResult extends TurnResult {
  /** Whether the channel took every reply now; if not, they wait in the outbox for `redeliver`. */
  delivered: boolean;
  /** The channel's error when it did not. */
  error?: string;
}

/** Replies the channel took (`ok`), or did not (with the error), from a turn, a write or a redelivery. */
export type DeliveryListener = (entries: readonly OutboxEntry[], outcome: { ok: boolean; error?: string }) => void;

/** The conversation to write to is gone (erased by its person); nothing was written. */
export class ConversationGoneError extends Error {
  constructor() {
    super('the conversation no longer exists');
    this.name = 'ConversationGoneError';
  }
}

export interface EngineOptions {
  store: Store;
  lock: KeyedLock;
  flows: FlowRegistry;
  tr: Translator;
  channels: readonly ChannelPort[];
  log: Logger;
  /** The directory as flows see it: the SOS step names the local emergency number. */
  countries: CountryLookup;
  /** Steps that run after safety and before the built-in ones (the handoff to a caseworker). */
  before?: readonly Middleware[];
  /**
   * "Delete my data", confirmed: erases what others keep about the person
   * (their cases with a caseworker) before the conversation goes. A failure
   * erases nothing and the message fails, so the channel sends it again.
   */
  onErase?: (channel: string, userId: string) => Promise<void>;
  clock?: () => number;
}

/** Commits lost to a concurrent writer before a turn gives up (another instance, without a shared lock). */
const MAX_COMMIT_ATTEMPTS = 5;

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
  private readonly listeners: DeliveryListener[] = [];

  constructor(private readonly opts: EngineOptions) {
    for (const channel of opts.channels) this.channels.set(channel.name, channel);
    this.runner = new FlowRunner(opts.flows);
    this.clock = opts.clock ?? Date.now;
    this.chain = compose([
      detectLanguage(),
      safety(opts.countries),
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
    this.listeners.push(listener);
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
      const previous = await store.repliesTo(ref.channel, sourceId);
      if (previous) {
        const delivered = previous.every((e) => e.deliveredAt !== null);
        return { status: 'duplicate', replies: previous.map((e) => e.message as OutboundMessage), delivered };
      }
      for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
        const started = this.clock();
        const stored = await store.getConversation(key);
        if (!stored) throw new ConversationGoneError();
        const msg: InboundMessage = { ...ref, messageId: sourceId, timestamp: started, payload: 'system.write' };
        const turn = new Turn(msg, this.load(stored.data, ref, log), false, started, this.opts.tr, log);
        await act(turn);
        const replies = render(turn.outputs, turn.record.locale, channel.capabilities, this.opts.tr);
        const record: ConversationRecord = {
          ...turn.record,
          choices: currentChoices(turn.outputs) ?? turn.record.choices,
          updatedAt: started,
        };
        const result = await store.commitTurn({
          conversationKey: key,
          channel: ref.channel,
          userId: record.ref.userId,
          expectedRev: stored.rev,
          record,
          messageId: sourceId,
          outbox: replies,
          submissions: turn.submissions,
          now: started,
        });
        if (result.ok) {
          log.info({ event: 'write', replies: replies.length });
          const outcome = await this.deliver(channel, record, result.outbox, replies, log);
          return { status: 'processed', replies, delivered: outcome.ok, ...(outcome.error ? { error: outcome.error } : {}) };
        }
        if (result.reason === 'duplicate') {
          const entries = (await store.repliesTo(ref.channel, sourceId)) ?? [];
          const delivered = entries.every((e) => e.deliveredAt !== null);
          return { status: 'duplicate', replies: entries.map((e) => e.message as OutboundMessage), delivered };
        }
        log.warn({ event: 'commit-conflict', attempt });
      }
      throw new Error(`conversation changed under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
    });
  }

  /**
   * Sends replies left in the outbox by a failed delivery, oldest first, in
   * order per conversation: a conversation whose first reply fails again is
   * skipped this round, so nothing overtakes it. Returns how many went out.
   */
  async redeliver(limit = 100): Promise<{ delivered: number; failed: number }> {
    const pending = await this.opts.store.pendingOutbox(limit);
    const byConversation = new Map<string, OutboxEntry[]>();
    for (const entry of pending) {
      if (!this.channels.has(entry.channel)) continue;
      byConversation.set(entry.conversationKey, [...(byConversation.get(entry.conversationKey) ?? []), entry]);
    }
    let delivered = 0;
    let failed = 0;
    for (const [key, entries] of byConversation) {
      const channel = this.channels.get(entries[0]!.channel)!;
      await this.opts.lock.run(key, async () => {
        const log = this.opts.log.child({ channel: channel.name, conversation: hashKey(key) });
        const stored = await this.opts.store.getConversation(key);
        // Erased since: deleteUser took its outbox with it, so nothing is left to send.
        if (!stored) return;
        let record: ConversationRecord;
        try {
          record = parseRecord(stored.data);
        } catch (err) {
          // Without a readable record there is no address to send to; the next turn replaces it.
          log.error({ event: 'redeliver-unreadable', ...errorFields(err) });
          return;
        }
        // A turn or write that held the lock meanwhile may have delivered some of them: never send twice.
        const still = new Set((await this.opts.store.pendingOutbox(limit)).map((e) => e.seq));
        const due = entries.filter((e) => still.has(e.seq));
        if (due.length === 0) return;
        const messages = due.map((e) => e.message as OutboundMessage);
        const outcome = await this.deliver(channel, record, due, messages, log);
        if (outcome.ok) delivered += due.length;
        else failed += due.length;
      });
    }
    return { delivered, failed };
  }

  /** Validates and handles one inbound message. Throws InboundError for bad input. */
  async handle(raw: unknown): Promise<TurnResult> {
    const parsed = InboundMessageSchema.safeParse(raw);
    if (!parsed.success) {
      throw new InboundError(parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`));
    }
    const msg = parsed.data;
    const channel = this.channels.get(msg.channel);
    if (!channel) throw new InboundError([`channel: unknown channel '${msg.channel}'`]);
    const key = conversationKey(msg);
    return this.opts.lock.run(key, () => this.turn(msg, key, channel));
  }

  private async turn(msg: InboundMessage, key: string, channel: ChannelPort): Promise<TurnResult> {
    const { store } = this.opts;
    const log = this.opts.log.child({ channel: msg.channel, conversation: hashKey(key) });
    if (await store.isProcessed(msg.channel, msg.messageId)) return this.duplicate(msg, log);

    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
      const started = this.clock();
      const stored = await store.getConversation(key);
      const turn = new Turn(msg, this.load(stored?.data, refOf(msg), log), stored === null, started, this.opts.tr, log);
      await this.run(turn);

      const replies = render(turn.outputs, turn.record.locale, channel.capabilities, this.opts.tr);
      if (turn.erase) return this.erase(msg, channel, turn.record, replies, log);
      const record: ConversationRecord = {
        ...turn.record,
        choices: currentChoices(turn.outputs) ?? turn.record.choices,
        updatedAt: started,
      };
      const result = await store.commitTurn({
        conversationKey: key,
        channel: msg.channel,
        userId: msg.userId,
        expectedRev: stored?.rev ?? 0,
        record,
        messageId: msg.messageId,
        outbox: replies,
        submissions: turn.submissions,
        now: started,
      });
      if (result.ok) {
        log.info({ event: 'turn', flow: record.flow?.id ?? null, replies: replies.length, ms: this.clock() - started });
        await this.deliver(channel, record, result.outbox, replies, log);
        return { status: 'processed', replies };
      }
      if (result.reason === 'duplicate') return this.duplicate(msg, log);
      log.warn({ event: 'commit-conflict', attempt });
    }
    throw new Error(`conversation changed under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
  }

  /** The stored record, or a fresh one; an unreadable record is replaced, never fatal. */
  private load(data: unknown, ref: ConversationRef, log: Logger): ConversationRecord {
    const fresh = newRecord(ref, FALLBACK_LOCALE, this.clock());
    if (data === undefined) return fresh;
    try {
      return structuredClone(parseRecord(data));
    } catch (err) {
      if (!(err instanceof RecordError)) throw err;
      log.error({ event: 'record-unreadable', ...errorFields(err) });
      // Keep the person's language if it can still be read; the rest starts over.
      const locale = (data as { locale?: unknown }).locale;
      return typeof locale === 'string' && this.opts.tr.isSupported(locale) ? { ...fresh, locale } : fresh;
    }
  }

  /** Runs the chain: the one place a failing turn turns into an apology and the menu. */
  private async run(turn: Turn): Promise<void> {
    const matched =
      turn.payload === undefined
        ? matchChoice(turn.text, turn.record.choices, turn.locale, turn.tr, { numbers: !turn.expectsText })
        : undefined;
    if (matched) turn.payload = matched.payload;
    const before = structuredClone(turn.record);
    try {
      await this.chain(turn);
    } catch (err) {
      const stale = err instanceof StaleFlowError;
      turn.log[stale ? 'warn' : 'error']({ event: stale ? 'stale-snapshot' : 'turn-failed', ...errorFields(err) });
      turn.outputs.length = 0;
      turn.record = { ...before, flow: null, prompt: [], misses: 0 };
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
    const removed = await this.opts.store.deleteUser(msg.channel, msg.userId);
    log.info({ event: 'user-erased', conversations: removed });
    try {
      await channel.send(record.ref, replies);
    } catch (err) {
      log.error({ event: 'delivery-failed', ...errorFields(err) });
    }
    return { status: 'processed', replies };
  }

  private async duplicate(msg: InboundMessage, log: Logger): Promise<TurnResult> {
    log.info({ event: 'duplicate' });
    const entries = (await this.opts.store.repliesTo(msg.channel, msg.messageId)) ?? [];
    return { status: 'duplicate', replies: entries.map((e) => e.message as OutboundMessage) };
  }

  private async deliver(
    channel: ChannelPort,
    record: ConversationRecord,
    entries: readonly OutboxEntry[],
    replies: OutboundMessage[],
    log: Logger,
  ): Promise<{ ok: boolean; error?: string }> {
    if (replies.length === 0) return { ok: true };
    let outcome: { ok: boolean; error?: string };
    try {
      await channel.send(record.ref, replies);
      await this.opts.store.markDelivered(
        entries.map((e) => e.seq),
        this.clock(),
      );
      outcome = { ok: true };
    } catch (err) {
      // Saved before delivered: the replies stay in the outbox for a later attempt.
      log.error({ event: 'delivery-failed', ...errorFields(err) });
      outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    for (const listener of this.listeners) {
      try {
        listener(entries, outcome);
      } catch (err) {
        log.error({ event: 'delivery-listener-failed', ...errorFields(err) });
      }
    }
    return outcome;
  }
}

function refOf(msg: InboundMessage): ConversationRef {
  return { channel: msg.channel, conversationId: msg.conversationId, userId: msg.userId };
}
