import { z } from 'zod';
import type { InboundMessage } from '../../conversation/inbound';
import { phoneDigits, toInbound as sharedToInbound, type WhatsAppIncoming } from '../whatsapp/message';

export const CHANNEL = 'whatsapp-web';

/**
 * The fields of a whatsapp-web.js `Message` the adapter reads; anything else
 * the library adds is ignored. A message that does not fit is dropped.
 */
const MessageSchema = z.object({
  id: z.object({ _serialized: z.string().min(1).max(200) }),
  from: z.string().min(1).max(100),
  fromMe: z.boolean().optional(),
  isStatus: z.boolean().optional(),
  type: z.string().max(64),
  body: z.string().optional(),
  /** Seconds since the epoch. */
  timestamp: z.number().int().nonnegative(),
});

/** Things a person sends on purpose that the bot cannot read: it asks them to type instead. */
const UNREADABLE_TYPES: ReadonlySet<string> = new Set([
  'audio',
  'ptt',
  'image',
  'album',
  'video',
  'document',
  'sticker',
  'location',
  'vcard',
  'multi_vcard',
  'poll_creation',
  'scheduled_event_creation',
  'groups_v4_invite',
  'product',
  'order',
  'payment',
]);

/** A private chat with a phone number (`6591234567@c.us`). */
const PHONE_CHAT = /^(\d{6,15})@c\.us$/;
/**
 * A private chat under a linked id (`@lid`): newer WhatsApp hides some
 * contacts' numbers behind these. The id is stable, but it is no phone number.
 */
const LID_CHAT = /^\d{1,30}@lid$/;

export type IgnoredReason = 'malformed' | 'own' | 'status' | 'not-private' | 'not-a-message' | 'empty';

export type Incoming = { kind: 'message'; inbound: InboundMessage } | { kind: 'ignored'; reason: IgnoredReason };

/**
 * A whatsapp-web.js message as the engine's InboundMessage, or why it is not
 * one. Only private chats are answered: groups (`@g.us`), status updates,
 * channels (`@newsletter`), broadcast lists and the bot's own messages are
 * not conversations with a person who wrote to the bot. System entries
 * (encryption notices, call logs, deletions, reactions) are not messages.
 *
 * The conversation is the phone number when WhatsApp gives one, as the Cloud
 * API does, so that its calling code gives the first language guess; under
 * an `@lid` id it is that id, and the language is left to the default.
 */
export function toIncoming(raw: unknown): Incoming {
  const parsed = MessageSchema.safeParse(raw);
  if (!parsed.success) return { kind: 'ignored', reason: 'malformed' };
  const m = parsed.data;
  if (m.fromMe === true) return { kind: 'ignored', reason: 'own' };
  if (m.isStatus === true || m.from.endsWith('@broadcast')) return { kind: 'ignored', reason: 'status' };

  const phone = PHONE_CHAT.exec(m.from)?.[1];
  const conversationId = phone ?? (LID_CHAT.test(m.from) ? m.from : undefined);
  if (conversationId === undefined) return { kind: 'ignored', reason: 'not-private' };

  const base = { id: m.id._serialized, from: conversationId, timestamp: m.timestamp * 1000 };
  let incoming: WhatsAppIncoming;
  if (m.type === 'chat') {
    if ((m.body ?? '').trim() === '') return { kind: 'ignored', reason: 'empty' };
    incoming = { ...base, kind: 'text', text: m.body ?? '' };
  } else if (UNREADABLE_TYPES.has(m.type)) {
    incoming = { ...base, kind: 'unsupported' };
  } else {
    return { kind: 'ignored', reason: 'not-a-message' };
  }

  const inbound = sharedToInbound(CHANNEL, incoming);
  // The digits of a linked id would give a made-up calling code.
  if (phone === undefined) delete inbound.locale;
  return { kind: 'message', inbound };
}

/**
 * The chat a conversation is written to: `<number>@c.us` for a phone number,
 * the linked id as it is. Anything else was never a conversation of this channel.
 */
export function chatIdOf(conversationId: string): string {
  if (LID_CHAT.test(conversationId)) return conversationId;
  const digits = phoneDigits(conversationId);
  if (digits !== null && digits === conversationId) return `${digits}@c.us`;
  throw new Error('not a WhatsApp private chat');
}
