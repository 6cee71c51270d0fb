import { errorFields } from '../../conversation/logger';

/** WhatsApp ids (`6591234567@c.us`, `…@lid`, `…@g.us`) and runs of digits long enough to be a phone number. */
const CHAT_ID = /[\w.+-]*@(?:c\.us|lid|g\.us|s\.whatsapp\.net|broadcast|newsletter)\b/g;
const LONG_NUMBER = /\+?\d[\d ()-]{4,}\d/g;

/** The text with anything that could be a phone number or a chat id replaced. */
export function redact(text: string): string {
  return text.replace(CHAT_ID, '[chat]').replace(LONG_NUMBER, '[number]');
}

/**
 * An error as log fields, like errorFields, but with chat ids and numbers
 * taken out of its message and stack: whatsapp-web.js errors come from
 * inside the page and may quote the chat they were about. The library also
 * throws strings ('auth timeout'); those are kept, redacted, as the message.
 */
export function safeErrorFields(err: unknown): object {
  const source = err instanceof Error ? err : new Error(typeof err === 'string' ? err : `a thrown ${typeof err}`);
  const clean = new Error(redact(source.message));
  clean.name = err instanceof Error ? source.name : 'Thrown';
  clean.stack = source.stack === undefined ? undefined : redact(source.stack);
  return errorFields(clean);
}

/** A reason WhatsApp Web gives (`CONFLICT`, `LOGOUT`…) when it looks like one; anything else is not logged. */
export function safeReason(reason: unknown): string {
  return typeof reason === 'string' && /^[A-Za-z_ ]{1,40}$/.test(reason) ? reason : 'other';
}
