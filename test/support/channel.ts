import type { Capabilities, ChannelPort, OutboundMessage } from '../../src/conversation/channel';
import type { ConversationRef } from '../../src/conversation/record';

/** A chat app with buttons, like Telegram: room for the whole menu as buttons. */
export const BUTTON_CHANNEL: Capabilities = {
  buttons: true,
  maxButtons: 10,
  maxButtonLabel: 40,
  linkButtons: true,
  maxTextLength: 4096,
};

export interface Delivery {
  ref: ConversationRef;
  messages: OutboundMessage[];
}

/** The fake `test` channel: records what the engine delivers, in order. */
export class RecordingChannel implements ChannelPort {
  readonly name = 'test';
  readonly deliveries: Delivery[] = [];
  /** Like the web chat: delivered replies stay in the outbox, and a resend is answered with them. */
  keepsHistory = false;
  /** Like the web chat: the person reads the replies from the outbox, so they are saved delivered and never sent. */
  deliveredWhenSaved = false;

  constructor(readonly capabilities: Capabilities) {}

  async send(ref: ConversationRef, messages: OutboundMessage[]): Promise<void> {
    this.deliveries.push({ ref: structuredClone(ref), messages: structuredClone(messages) });
  }

  /** Every message delivered, across all sends. */
  get messages(): OutboundMessage[] {
    return this.deliveries.flatMap((d) => d.messages);
  }
}
