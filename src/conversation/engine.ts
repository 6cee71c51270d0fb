import type { CountryLookup } from '../../flows/directory';
import type { Store } from '../store/store';
import type { ChannelPort, OutboundMessage } from './channel';
import { FALLBACK_LOCALE, type Translator } from './i18n';
import { InboundMessageSchema, conversationKey, type InboundMessage } from './inbound';
import type { KeyedLock } from './lock';
import { errorFields, hashKey, type Logger } from './logger';
import { FlowRunner, MENU_FLOW, StaleFlowError, type FlowRegistry } from './flows';
import { RecordError, newRecord, parseRecord, type ConversationRecord } from './record';
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

export interface EngineOptions {
  store: Store;
  lock: KeyedLock;
  flows: FlowRegistry;
  tr: Translator;
  channels: readonly ChannelPort[];
  log: Logger;
  /** The directory as flows see it: the SOS step names the local emergency number. */
  countries: CountryLookup;
  /** Steps that run after safety and before the built-in ones (handoff, in later work). */
  before?: readonly Middleware[];
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
      const turn = new Turn(msg, this.load(stored?.data, msg, log), stored === null, started, this.opts.tr, log);
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
        await this.deliver(channel, record, result.outbox.map((e) => e.seq), replies, log);
        return { status: 'processed', replies };
      }
      if (result.reason === 'duplicate') return this.duplicate(msg, log);
      log.warn({ event: 'commit-conflict', attempt });
    }
    throw new Error(`conversation changed under ${MAX_COMMIT_ATTEMPTS} attempts in a row`);
  }

  /** The stored record, or a fresh one; an unreadable record is replaced, never fatal. */
  private load(data: unknown, msg: InboundMessage, log: Logger): ConversationRecord {
    const ref = { channel: msg.channel, conversationId: msg.conversationId, userId: msg.userId };
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
    seqs: number[],
    replies: OutboundMessage[],
    log: Logger,
  ): Promise<void> {
    if (replies.length === 0) return;
    try {
      await channel.send(record.ref, replies);
      await this.opts.store.markDelivered(seqs, this.clock());
    } catch (err) {
      // Saved before delivered: the replies stay in the outbox for a later attempt.
      log.error({ event: 'delivery-failed', ...errorFields(err) });
    }
  }
}
