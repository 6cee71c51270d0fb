import { testDeps, testFlows as allFlows } from './flows';
import type { FlowDefinition } from '../../flows/types';
import type { Capabilities, OutboundMessage } from '../../src/conversation/channel';
import { Engine, type EngineOptions, type TurnResult } from '../../src/conversation/engine';
import { FlowRegistry } from '../../src/conversation/flows';
import { conversationKey, type InboundMessage } from '../../src/conversation/inbound';
import { MemoryLock } from '../../src/conversation/lock';
import { silentLogger } from '../../src/conversation/logger';
import { parseRecord, type ConversationRecord, type ConversationRef } from '../../src/conversation/record';
import type { Middleware } from '../../src/conversation/turn';
import { MemoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/store';
import { BUTTON_CHANNEL, RecordingChannel } from './channel';
import { translator } from './english';
import type { Translator } from '../../src/conversation/i18n';

export interface TestBotOptions {
  /** Overrides of the `test` channel's capabilities (default: buttons, up to 10). */
  capabilities?: Partial<Capabilities>;
  store?: Store;
  /** The flows to register instead of `allFlows` (must include a menu). */
  flows?: readonly FlowDefinition[];
  /** Middleware run before the built-in chain, as in EngineOptions. */
  before?: readonly Middleware[];
  /** What else "delete my data" erases, as in EngineOptions. */
  onErase?: EngineOptions['onErase'];
  /** The conversation lock (default: in memory) and the shared de-duplication (default: none), as in EngineOptions. */
  lock?: EngineOptions['lock'];
  dedup?: EngineOptions['dedup'];
  /** Where the engine logs (default: nowhere). */
  log?: EngineOptions['log'];
  /** The per-conversation message limit, as in EngineOptions (none by default). */
  rateLimiter?: EngineOptions['rateLimiter'];
  /** The engine's time, as in EngineOptions. */
  clock?: () => number;
  conversationId?: string;
  userId?: string;
  /** A translator with locales/status.json, for tests of draft-language notices. */
  tr?: Translator;
  /** Keep delivered replies in the outbox, as the web chat does (ChannelPort.keepsHistory); default: delete them, as a platform's chat. */
  keepsHistory?: boolean;
  /** Save replies delivered, as the web chat does (ChannelPort.deliveredWhenSaved); default: send them. */
  deliveredWhenSaved?: boolean;
}

export interface TestBot {
  engine: Engine;
  store: Store;
  channel: RecordingChannel;
  ref: ConversationRef;
  /** The key under which the store keeps this conversation. */
  key: string;
  /** Types a message; returns the replies. */
  send(text: string): Promise<OutboundMessage[]>;
  /** Presses a button (sends its payload); returns the replies. */
  press(payload: string): Promise<OutboundMessage[]>;
  /** An inbound message of this conversation with a fresh id, for `engine.handle`. */
  message(fields: Partial<InboundMessage>): InboundMessage;
  /** Handles one message and returns the whole result (status and replies). */
  handle(fields: Partial<InboundMessage>): Promise<TurnResult>;
  /** The conversation as stored, validated; null before the first message. */
  record(): Promise<ConversationRecord | null>;
  /** The stored revision: how many turns have been committed. */
  rev(): Promise<number>;
}

/**
 * A real engine (memory store, memory lock, the real flows and English
 * locale files) talking to a recording channel. Only the channel is fake:
 * it is the process boundary.
 */
export function createTestBot(options: TestBotOptions = {}): TestBot {
  const store = options.store ?? new MemoryStore();
  const channel = new RecordingChannel({ ...BUTTON_CHANNEL, ...options.capabilities });
  channel.keepsHistory = options.keepsHistory === true;
  channel.deliveredWhenSaved = options.deliveredWhenSaved === true;
  const engine = new Engine({
    store,
    lock: options.lock ?? new MemoryLock(),
    dedup: options.dedup,
    flows: new FlowRegistry(options.flows ?? allFlows),
    countries: testDeps.countries,
    tr: options.tr ?? translator,
    channels: [channel],
    log: options.log ?? silentLogger,
    before: options.before,
    onErase: options.onErase,
    rateLimiter: options.rateLimiter,
    clock: options.clock,
  });
  const ref: ConversationRef = {
    channel: channel.name,
    conversationId: options.conversationId ?? 'chat-1',
    userId: options.userId ?? 'user-1',
  };
  const key = conversationKey(ref);
  let sent = 0;

  const message = (fields: Partial<InboundMessage>): InboundMessage => ({
    channel: ref.channel,
    conversationId: ref.conversationId,
    userId: ref.userId,
    messageId: `m${++sent}`,
    timestamp: Date.now(),
    ...fields,
  });
  const handle = (fields: Partial<InboundMessage>) => engine.handle(message(fields));

  return {
    engine,
    store,
    channel,
    ref,
    key,
    message,
    handle,
    send: async (text) => (await handle({ text })).replies,
    press: async (payload) => (await handle({ payload })).replies,
    async record() {
      const stored = await store.getConversation(key);
      return stored ? parseRecord(stored.data) : null;
    },
    async rev() {
      return (await store.getConversation(key))?.rev ?? 0;
    },
  };
}
