import { createHash } from 'node:crypto';
import type { Activity } from 'botbuilder';
import type { InboundMessage } from '../../conversation/inbound';

export const CHANNEL = 'teams';

/** The engine's limit on ids (conversation, user, message). */
const MAX_ID = 200;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

/** A button press as this adapter's cards send it back: `activity.value`. */
interface CardValue {
  payload?: unknown;
}

/**
 * A Bot Framework activity as the engine's InboundMessage, or null when it is
 * not something a person said (typing, reactions, member updates) or lacks
 * the ids the engine needs.
 *
 * Teams message ids are unique within a conversation only, so the engine's
 * de-duplication key is scoped by conversation (hashed when that would be
 * longer than the engine allows).
 */
export function toInbound(activity: Partial<Activity>, now: number): InboundMessage | null {
  if (activity.type !== 'message') return null;
  const conversationId = activity.conversation?.id;
  const userId = activity.from?.id;
  const id = activity.id;
  if (!conversationId || !userId || !id) return null;

  const message: InboundMessage = {
    channel: CHANNEL,
    conversationId,
    userId,
    messageId: scopedId(conversationId, id),
    timestamp: now,
  };
  const payload = (activity.value as CardValue | undefined)?.payload;
  if (typeof payload === 'string' && payload !== '') {
    message.payload = payload;
  } else {
    const text = stripBotMention(activity).trim();
    if (text === '') return null;
    message.text = text;
  }
  if (typeof activity.locale === 'string' && LOCALE.test(activity.locale) && activity.locale.length <= 35) {
    message.locale = activity.locale;
  }
  return message;
}

/** A message id made unique across conversations, within the engine's length limit. */
export function scopedId(conversationId: string, id: string): string {
  const scoped = `${conversationId}:${id}`;
  if (scoped.length <= MAX_ID) return scoped;
  const hash = createHash('sha256').update(conversationId).digest('base64url').slice(0, 22);
  return `${hash}:${id}`.slice(0, MAX_ID);
}

/**
 * In group chats and channels, Teams puts `<at>Bot name</at>` into the text and
 * a `mention` entity naming the bot (the activity's recipient); only the
 * bot's own mention is removed.
 */
export function stripBotMention(activity: Partial<Activity>): string {
  let text = activity.text ?? '';
  const botId = activity.recipient?.id;
  for (const entity of activity.entities ?? []) {
    if (entity.type !== 'mention') continue;
    const mention = entity as { mentioned?: { id?: string }; text?: unknown };
    if (botId === undefined || mention.mentioned?.id !== botId) continue;
    if (typeof mention.text === 'string' && mention.text !== '') text = text.split(mention.text).join('');
  }
  return text.replace(/\s+/g, (ws) => (ws.includes('\n') ? '\n' : ' '));
}
