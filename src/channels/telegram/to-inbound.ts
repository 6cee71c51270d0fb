import type { Update } from 'grammy/types';
import type { InboundMessage } from '../../conversation/inbound';

export const CHANNEL = 'telegram';

/** Bot commands (as Telegram's menu sends them) and the engine payloads they stand for. */
export const COMMAND_PAYLOADS: Readonly<Record<string, string>> = {
  start: 'cmd.menu',
  menu: 'cmd.menu',
  help: 'cmd.help',
  language: 'cmd.language',
  sos: 'cmd.sos',
  clear: 'cmd.clear',
};

const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

export interface InboundContext {
  /** Used as the timestamp of a button press, which carries no date of its own. */
  now: number;
}

/**
 * A Telegram update as the engine's InboundMessage, or null for updates the
 * bot does not answer: anything but a text message or a button press in a
 * private chat (edits, photos, groups, channels, other bots). `update_id` is
 * unique per bot, so it is the de-duplication key.
 */
export function toInbound(update: Update, ctx: InboundContext): InboundMessage | null {
  const base = { channel: CHANNEL, messageId: `u${update.update_id}` };

  const message = update.message;
  if (message) {
    if (message.chat.type !== 'private' || !message.from || message.from.is_bot) return null;
    if (typeof message.text !== 'string' || message.text.trim() === '') return null;
    const inbound: InboundMessage = {
      ...base,
      conversationId: String(message.chat.id),
      userId: String(message.from.id),
      timestamp: message.date * 1000,
    };
    const payload = commandPayload(message.text);
    if (payload !== undefined) inbound.payload = payload;
    else inbound.text = message.text;
    return withLocale(inbound, message.from.language_code);
  }

  const query = update.callback_query;
  if (query) {
    const chat = query.message?.chat;
    if (!chat || chat.type !== 'private' || query.from.is_bot) return null;
    if (typeof query.data !== 'string' || query.data === '') return null;
    const inbound: InboundMessage = {
      ...base,
      conversationId: String(chat.id),
      userId: String(query.from.id),
      payload: query.data,
      timestamp: ctx.now,
    };
    return withLocale(inbound, query.from.language_code);
  }

  return null;
}

/** `/menu`, `/menu@SomeBot` or `/start <deep link>` as a payload; undefined for any other text. */
function commandPayload(text: string): string | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]{1,64})?(?:\s|$)/.exec(text.trim());
  if (!match) return undefined;
  return COMMAND_PAYLOADS[match[1]!.toLowerCase()];
}

function withLocale(message: InboundMessage, code: string | undefined): InboundMessage {
  if (code !== undefined && code.length <= 35 && LANGUAGE_TAG.test(code)) message.locale = code;
  return message;
}
