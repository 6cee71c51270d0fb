import type { ChannelPort, OutboundMessage } from '../../conversation/channel';

export const CHANNEL = 'terminal';

/** Choices and links were already written into the text by the renderer. */
function formatReply(message: OutboundMessage): string {
  return `${message.text}\n\n`;
}

/**
 * The terminal chat: plain text only, so choices come as a numbered list
 * (type the number) and links as text. Replies are written as they are
 * delivered, in order.
 */
export function createTerminalChannel(write: (text: string) => void): ChannelPort {
  return {
    name: CHANNEL,
    capabilities: {
      buttons: false,
      maxButtons: 0,
      maxButtonLabel: 0,
      linkButtons: false,
      // A terminal scrolls; splitting would only cut a step in two.
      maxTextLength: 100_000,
    },
    async send(_ref, messages) {
      for (const message of messages) write(formatReply(message));
    },
  };
}
