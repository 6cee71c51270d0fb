import { TurnContext, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ChannelPort, OutboundMessage } from '../../conversation/channel';
import type { ConversationRef } from '../../conversation/record';
import { CHANNEL } from './to-inbound';
import { toOutbound } from './to-outbound';

/**
 * The conversation references seen on incoming activities, by conversation
 * id: what a proactive message needs (service URL, bot and conversation).
 * Kept in memory only; after a restart a conversation can be written to
 * again once its person has said something. The least recently active are
 * forgotten beyond `limit`, so memory stays bounded.
 */
export class ConversationReferences {
  private readonly refs = new Map<string, Partial<ConversationReference>>();

  constructor(private readonly limit = 50_000) {}

  remember(activity: Partial<Activity>): void {
    const id = activity.conversation?.id;
    if (!id || !activity.serviceUrl) return;
    this.refs.delete(id); // re-inserted last: Map order is recency order
    this.refs.set(id, TurnContext.getConversationReference(activity));
    if (this.refs.size > this.limit) this.refs.delete(this.refs.keys().next().value!);
  }

  get size(): number {
    return this.refs.size;
  }

  get(conversationId: string): Partial<ConversationReference> | undefined {
    return this.refs.get(conversationId);
  }
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
  readonly references = new ConversationReferences();

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async send(ref: ConversationRef, messages: OutboundMessage[]): Promise<void> {
    const reference = this.references.get(ref.conversationId);
    if (!reference) throw new Error('no conversation reference for this Teams conversation');
    await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
      // One at a time, in order; a failure leaves the rest undelivered.
      for (const message of messages) await context.sendActivity(toOutbound(message));
    });
  }
}
