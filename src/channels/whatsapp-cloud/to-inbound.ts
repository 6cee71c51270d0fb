import { phoneDigits, type WhatsAppIncoming } from '../whatsapp/message';
import type { CloudMessage } from './webhook-schema';

export const CHANNEL = 'whatsapp-cloud';

/**
 * The shape of the bot's own payloads (`cmd.menu`, `topic.open:packing`,
 * `lang.set:vi`): a dotted name, then optionally `:` and a value. A template's
 * quick-reply button carries one only when the bot set it; otherwise WhatsApp
 * sends the button's text, which is read as typed text.
 */
const OUR_PAYLOAD = /^[a-z][a-zA-Z0-9]*(\.[a-zA-Z0-9]+)+(:[A-Za-z0-9_.-]+)?$/;

/** What a person opening the chat for the first time (WhatsApp's welcome request) asks for. */
export const WELCOME_PAYLOAD = 'cmd.menu';

/**
 * A Cloud API `messages[]` entry in the shape both WhatsApp adapters share,
 * or null for what is not from the person (a `system` notice such as a
 * changed number) or has no usable sender. Typed text is text; a pressed
 * reply button or list row is its id; anything the bot cannot read (voice
 * notes, photos, locations, reactions, types Meta adds later) is
 * `unsupported`, which the engine answers by asking the person to type.
 */
export function toIncoming(m: CloudMessage): WhatsAppIncoming | null {
  const from = phoneDigits(m.from);
  if (from === null || m.type === 'system') return null;
  const base = { id: m.id, from, timestamp: Number(m.timestamp) * 1000 };

  if (m.type === 'text' && m.text) return { ...base, kind: 'text', text: m.text.body };
  if (m.type === 'interactive' && m.interactive) {
    const { type, button_reply, list_reply } = m.interactive;
    const pressed = type === 'button_reply' ? button_reply : type === 'list_reply' ? list_reply : undefined;
    if (pressed) return { ...base, kind: 'reply', payload: pressed.id };
  }
  if (m.type === 'button' && m.button) {
    const { payload, text } = m.button;
    if (payload !== undefined && OUR_PAYLOAD.test(payload)) return { ...base, kind: 'reply', payload };
    const typed = text ?? payload;
    if (typed !== undefined && typed.trim() !== '') return { ...base, kind: 'text', text: typed };
  }
  if (m.type === 'request_welcome') return { ...base, kind: 'reply', payload: WELCOME_PAYLOAD };
  return { ...base, kind: 'unsupported' };
}
