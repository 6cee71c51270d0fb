import { UNSUPPORTED_INPUT, type InboundMessage } from '../../conversation/inbound';
import { localeFromPhone } from '../../conversation/locale';

/**
 * One incoming WhatsApp message in the shape both adapters reduce theirs to
 * (whatsapp-web.js `Message`, Cloud API webhook `messages[]`), so that one
 * function turns either into the engine's InboundMessage.
 */
export type WhatsAppIncoming =
  | (IncomingBase & { kind: 'text'; text: string })
  /** A reply button or list row pressed: the id the bot gave it is the payload. */
  | (IncomingBase & { kind: 'reply'; payload: string })
  /** A voice note, photo, sticker, location…: the bot asks the person to type. */
  | (IncomingBase & { kind: 'unsupported' });

interface IncomingBase {
  /** The platform's message id: the de-duplication key. */
  id: string;
  /** The sender's phone number as WhatsApp gives it, digits only (a `wa_id`). */
  from: string;
  /** When it was sent, in ms since the epoch. */
  timestamp: number;
}

/**
 * The engine's message. A one-to-one WhatsApp chat is the phone number, so it
 * is both the conversation and the user; the number's country calling code
 * gives the first language guess (+977 → Nepali), which the person can change.
 */
export function toInbound(channel: string, m: WhatsAppIncoming): InboundMessage {
  const inbound: InboundMessage = {
    channel,
    conversationId: m.from,
    userId: m.from,
    messageId: m.id,
    timestamp: m.timestamp,
  };
  if (m.kind === 'text') inbound.text = m.text;
  else if (m.kind === 'reply') inbound.payload = m.payload;
  else inbound.payload = UNSUPPORTED_INPUT;
  const locale = localeFromPhone(m.from);
  if (locale !== undefined) inbound.locale = locale;
  return inbound;
}

/** `6591234567@c.us` or `+65 9123 4567` → `6591234567`; null when no phone number is left. */
export function phoneDigits(id: string): string | null {
  const digits = id.replace(/@.*$/, '').replace(/\D/g, '');
  return /^\d{6,15}$/.test(digits) ? digits : null;
}

/** The longest text WhatsApp carries in one message. */
export const MAX_TEXT_LENGTH = 4096;
