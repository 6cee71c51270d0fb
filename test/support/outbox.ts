import type { ChannelPort, OutboundMessage } from '../../src/conversation/channel';
import { conversationKey } from '../../src/conversation/inbound';
import { newRecord, type ConversationRef } from '../../src/conversation/record';
import type { OutboxEntry, Store } from '../../src/store/store';
import { BUTTON_CHANNEL } from './channel';

/** One message a channel took: to whom, what, and when (by the test's clock). */
export interface Sent {
  conversationId: string;
  text: string;
  at: number;
}

/**
 * A fake remote for outbox tests: records what it takes, refuses a text as
 * often as told, and can hold every send until released (a slow platform).
 */
export class ScriptedChannel implements ChannelPort {
  readonly capabilities = BUTTON_CHANNEL;
  readonly sent: Sent[] = [];
  /** Text → how many more sends of it fail. */
  readonly failures = new Map<string, number>();
  /** Sends started, including those held or refused. */
  calls = 0;
  /** Like the web chat: its delivered replies stay in the outbox (a test that reads them back sets it). */
  keepsHistory = false;
  private held: { promise: Promise<void>; release: () => void } | null = null;

  constructor(
    readonly name = 'chat',
    private readonly clock: () => number = Date.now,
  ) {}

  async send(ref: ConversationRef, messages: OutboundMessage[]): Promise<void> {
    for (const message of messages) {
      this.calls += 1;
      if (this.held) await this.held.promise;
      const left = this.failures.get(message.text) ?? 0;
      if (left > 0) {
        this.failures.set(message.text, left - 1);
        throw new Error(`refused ${message.text}`);
      }
      this.sent.push({ conversationId: ref.conversationId, text: message.text, at: this.clock() });
    }
  }

  /** From now on every send waits until the returned function is called. */
  hold(): () => void {
    let release = () => {};
    const promise = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { promise, release };
    return () => {
      this.held = null;
      release();
    };
  }

  textsTo(conversationId: string): string[] {
    return this.sent.filter((s) => s.conversationId === conversationId).map((s) => s.text);
  }
}

/** Commits a turn of `texts` as replies to one conversation (a new one, or the next turn of it); returns its rows. */
export async function commitReplies(
  store: Store,
  channel: string,
  conversationId: string,
  texts: readonly string[],
  now: number,
): Promise<OutboxEntry[]> {
  const ref: ConversationRef = { channel, conversationId, userId: `user-${conversationId}` };
  const key = conversationKey(ref);
  const rev = (await store.getConversation(key))?.rev ?? 0;
  const result = await store.commitTurn({
    conversationKey: key,
    channel,
    userId: ref.userId,
    expectedRev: rev,
    record: newRecord(ref, 'en', now),
    messageId: `${conversationId}:${rev + 1}`,
    outbox: texts.map((text): OutboundMessage => ({ text, locale: 'en', dir: 'ltr' })),
    now,
  });
  if (!result.ok) throw new Error(`commit failed: ${result.reason}`);
  return result.outbox;
}

/** Waits until `probe` holds, polling; fails after `ms`. */
export async function eventually(probe: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
