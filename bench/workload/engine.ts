import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config/env';
import type { ChannelPort, OutboundMessage } from '../../src/conversation/channel';
import type { ConversationRef } from '../../src/conversation/record';
import type { Contender } from './driver';
import type { TurnInput } from './packing';

/** How long a turn may wait for its replies to be delivered before the run fails. */
const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * The in-memory channel the engine delivers to (the process boundary). A
 * turn counts only once its replies were delivered, however delivery is
 * scheduled: replies that arrive before anyone asks are kept for the asker.
 */
export class BenchChannel implements ChannelPort {
  readonly name = 'bench';
  /**
   * @param keepsHistory false: a messaging app, which holds the chat itself, so delivered replies are
   * deleted; true: the web chat, whose page reads its history back from the outbox.
   */
  constructor(readonly keepsHistory = false) {}
  // The web chat's: buttons for up to 12 choices, long labels, link buttons.
  readonly capabilities = { buttons: true, maxButtons: 12, maxButtonLabel: 80, linkButtons: true, maxTextLength: 4000 };
  private readonly arrived = new Map<string, OutboundMessage[]>();
  private readonly waiting = new Map<string, (messages: OutboundMessage[]) => void>();

  async send(ref: ConversationRef, messages: OutboundMessage[]): Promise<void> {
    const resolve = this.waiting.get(ref.conversationId);
    if (resolve) {
      this.waiting.delete(ref.conversationId);
      resolve(messages);
    } else {
      this.arrived.set(ref.conversationId, [...(this.arrived.get(ref.conversationId) ?? []), ...messages]);
    }
  }

  /** What was delivered to one conversation since the last call, waiting for it if nothing was yet. */
  take(conversationId: string): Promise<OutboundMessage[]> {
    const arrived = this.arrived.get(conversationId);
    if (arrived) {
      this.arrived.delete(conversationId);
      return Promise.resolve(arrived);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(conversationId);
        reject(new Error(`no delivery to a conversation within ${DELIVERY_TIMEOUT_MS} ms`));
      }, DELIVERY_TIMEOUT_MS);
      this.waiting.set(conversationId, (messages) => {
        clearTimeout(timer);
        resolve(messages);
      });
    });
  }
}

/** Settings for the benchmark's app: production, silent, a fresh data key, no web chat. */
export function benchConfig(databaseUrl: string, extra: Record<string, string> = {}) {
  return loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    ...extra,
  });
}

/**
 * The engine as the composition root builds it (store from DATABASE_URL,
 * lock, flows, translator, handoff step, pino logger), without HTTP, with the
 * in-memory channel: lock, de-duplication, load, transition, render, commit
 * and delivery all run as they do for a real message.
 */
export async function engineContender(
  databaseUrl: string,
  options: { keepsHistory?: boolean } = {},
): Promise<Contender & { app: App; channel: BenchChannel }> {
  const channel = new BenchChannel(options.keepsHistory);
  const app = createApp(benchConfig(databaseUrl), { channels: [channel], http: false });
  // PostgreSQL's migrations; nothing to do for SQLite and memory.
  await app.ready();
  return {
    app,
    channel,
    async turn(conversation, index, input: TurnInput) {
      const conversationId = `c${conversation}`;
      await app.engine.handle({
        channel: channel.name,
        conversationId,
        userId: `u${conversation}`,
        messageId: `${conversationId}.${index}`,
        timestamp: Date.now(),
        locale: 'en',
        ...input,
      });
      return (await channel.take(conversationId)).map((m) => m.text);
    },
    close: () => app.close(),
  };
}
