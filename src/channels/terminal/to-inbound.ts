import type { InboundMessage } from '../../conversation/inbound';
import { CHANNEL } from './channel';

/** The terminal is one person talking to their own copy of the bot. */
export const LOCAL = 'local';

/**
 * A typed line as an inbound message, or null for a blank line (nothing to
 * answer). The id comes from the caller and must be unique across runs: with
 * a SQLite store, the conversation and its processed ids outlive the process.
 */
export function toInbound(line: string, ctx: { now: number; messageId: string }): InboundMessage | null {
  const text = line.replace(/\r$/, '');
  if (text.trim() === '') return null;
  return {
    channel: CHANNEL,
    conversationId: LOCAL,
    userId: LOCAL,
    text,
    messageId: ctx.messageId,
    timestamp: ctx.now,
  };
}
