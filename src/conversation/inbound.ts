import { z } from 'zod';

/** Longest text a person may send in one message; longer is refused, not cut. */
export const MAX_TEXT_LENGTH = 4096;

/**
 * The payload a channel hands over for a message the bot cannot read (a voice
 * note, a photo, a sticker): the person is told to type, and asked again.
 */
export const UNSUPPORTED_INPUT = 'input.unsupported';

/**
 * One message from a person, as every channel adapter must hand it to the
 * engine. `messageId` is the channel's own id and is the de-duplication key.
 */
export const InboundMessageSchema = z
  .object({
    channel: z.string().min(1).max(32).regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
    conversationId: z.string().min(1).max(200),
    userId: z.string().min(1).max(200),
    text: z.string().max(MAX_TEXT_LENGTH).optional(),
    payload: z.string().min(1).max(256).optional(),
    locale: z.string().min(2).max(35).optional(),
    messageId: z.string().min(1).max(200),
    timestamp: z.number().int().nonnegative(),
  })
  .refine((m) => m.text !== undefined || m.payload !== undefined, {
    message: 'a message needs text or a payload',
  });

export type InboundMessage = z.infer<typeof InboundMessageSchema>;

/** The key under which one conversation's record, lock and marks are kept. */
export function conversationKey(m: Pick<InboundMessage, 'channel' | 'conversationId'>): string {
  return `${m.channel}:${m.conversationId}`;
}
