import { TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ChannelPort, OutboundMessage } from '../../conversation/channel';
import { conversationKey } from '../../conversation/inbound';
import type { ConversationRef } from '../../conversation/record';
import type { Store } from '../../store/store';
import { CHANNEL } from './to-inbound';
import { toOutbound } from './to-outbound';

/**
 * The conversation references seen on incoming activities: what a proactive
 * message needs (service URL, bot and conversation). Kept in the store under
 * the conversation's key and the sender's id, so a reply written later (a
 * caseworker's answer, an outbox retry) reaches the person after a restart or
 * from another instance, and erasing the person erases their references too.
 *
 * Read from the store on every send, with no cache in front: a cache would
 * outlive an erasure made through the store, and go stale when another
 * instance saw a newer reference. The read is a primary-key lookup.
 */
export class ConversationReferences {
  constructor(private readonly store: Store) {}

  /** Saves the activity's reference; activities without a conversation, connector or sender are ignored. */
  async remember(activity: Partial<Activity>, now: number = Date.now()): Promise<void> {
    const conversationId = activity.conversation?.id;
    const userId = activity.from?.id;
    if (!conversationId || !activity.serviceUrl || !userId) return;
    const reference = TurnContext.getConversationReference(activity);
    await this.store.saveReference(keyOf(conversationId), CHANNEL, userId, reference, now);
  }

  async get(conversationId: string): Promise<Partial<ConversationReference> | undefined> {
    const stored = await this.store.getReference(keyOf(conversationId));
    if (!isReference(stored)) return undefined;
    return stored;
  }
}

function keyOf(conversationId: string): string {
  return conversationKey({ channel: CHANNEL, conversationId });
}

/** The least a stored reference needs to be sent through: a connector and a conversation. */
function isReference(value: unknown): value is Partial<ConversationReference> {
  if (typeof value !== 'object' || value === null) return false;
  const { serviceUrl, conversation } = value as { serviceUrl?: unknown; conversation?: { id?: unknown } | null };
  return typeof serviceUrl === 'string' && typeof conversation?.id === 'string';
}

/**
 * Microsoft Teams (and the Bot Framework Emulator). Every reply is sent
 * proactively through the connector named by the stored reference, so replies
 * the engine saved in its outbox can be delivered the same way later.
 */
export class TeamsChannel implements ChannelPort {
  readonly name = CHANNEL;
  readonly capabilities = {
    buttons: true,
    maxButtons: 6,
    maxButtonLabel: 50,
    linkButtons: true,
    maxTextLength: 4000,
  };
  readonly references: ConversationReferences;

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    store: Store,
  ) {
    this.references = new ConversationReferences(store);
  }

  async send(ref: ConversationRef, messages: OutboundMessage[]): Promise<void> {
    const reference = await this.references.get(ref.conversationId);
    if (!reference) throw new Error('no conversation reference for this Teams conversation');
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      // One at a time, in order; a failure leaves the rest undelivered.
      for (const message of messages) await context.sendActivity(toOutbound(message));
    });
  }
}
