import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { OutboundMessage } from '../../conversation/channel';

/** Telegram's limit on callback_data, in bytes. */
export const MAX_CALLBACK_DATA_BYTES = 64;
/** Buttons per keyboard row: short labels side by side, long ones alone. */
const SHORT_LABEL = 16;

export interface SendMessageParams {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}

export interface OutboundResult {
  params: SendMessageParams;
  /** Payloads left out because Telegram cannot carry them as callback data. */
  skipped: string[];
}

/**
 * A reply as sendMessage parameters: choices as an inline keyboard whose
 * callback data is the payload, links as URL buttons. Payloads over 64 bytes
 * cannot travel as callback data and are left out (and reported).
 */
export function toOutbound(message: OutboundMessage): OutboundResult {
  const skipped: string[] = [];
  const choices: InlineKeyboardButton[] = [];
  for (const button of message.buttons ?? []) {
    if (Buffer.byteLength(button.payload, 'utf8') > MAX_CALLBACK_DATA_BYTES) skipped.push(button.payload);
    else choices.push({ text: button.label, callback_data: button.payload });
  }
  const links: InlineKeyboardButton[] = (message.links ?? []).map((l) => ({ text: l.label, url: l.url }));

  const rows = [...arrange(choices), ...links.map((l) => [l])];
  const params: SendMessageParams = { text: message.text };
  if (rows.length > 0) params.reply_markup = { inline_keyboard: rows };
  return { params, skipped };
}

/** Two short buttons to a row; a long label gets a row of its own. */
function arrange(buttons: InlineKeyboardButton[]): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  let pending: InlineKeyboardButton | null = null;
  for (const button of buttons) {
    if ([...button.text].length > SHORT_LABEL) {
      if (pending) rows.push([pending]);
      pending = null;
      rows.push([button]);
    } else if (pending) {
      rows.push([pending, button]);
      pending = null;
    } else {
      pending = button;
    }
  }
  if (pending) rows.push([pending]);
  return rows;
}
