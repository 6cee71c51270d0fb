import { autoRetry } from '@grammyjs/auto-retry';
import { Bot, type Api } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { ChannelPort } from '../../conversation/channel';
import { errorFields, type Logger } from '../../conversation/logger';
import { toOutbound } from './to-outbound';
import { CHANNEL } from './to-inbound';
import { MessageTracker } from './tracked';

export interface TelegramBotOptions {
  token: string;
  /** Where the Bot API lives: Telegram's own, a local Bot API server, or a fake in tests. */
  apiRoot: string;
  /** The bot's @username, without the @ (for botInfo; no getMe call is made). */
  username: string;
  /** Longest wait for a 429's retry_after before giving up, in seconds. */
  maxRetryDelaySeconds?: number;
}

/**
 * A grammy Bot that never calls getMe (its identity comes from the settings)
 * and honours Telegram's 429 answers: it waits retry_after, then retries.
 */
export function createTelegramBot(opts: TelegramBotOptions): Bot {
  const bot = new Bot(opts.token, { botInfo: botInfo(opts.token, opts.username), client: { apiRoot: opts.apiRoot } });
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: 3,
      maxDelaySeconds: opts.maxRetryDelaySeconds ?? 60,
      rethrowInternalServerErrors: false,
      rethrowHttpErrors: false,
    }),
  );
  return bot;
}

/** What getMe would answer; the bot's id is the token's part before the colon. */
export function botInfo(token: string, username: string): UserFromGetMe {
  const id = Number(token.split(':', 1)[0]);
  return {
    id: Number.isSafeInteger(id) ? id : 0,
    is_bot: true,
    first_name: username,
    username,
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
    has_topics_enabled: false,
    allows_users_to_create_topics: false,
    can_manage_bots: false,
    supports_join_request_queries: false,
  };
}

export interface TelegramChannelOptions {
  /** The chat's recent message ids, shared with the update handler (which adds the person's). */
  tracker?: MessageTracker;
  now?: () => number;
}

/**
 * The engine's port onto Telegram: each reply is one sendMessage, in order.
 * The ids of sent messages are tracked; a reply with `clearBefore` (discreet
 * mode) first deletes the tracked messages still young enough to delete.
 */
export function telegramChannel(api: Api, log: Logger, opts: TelegramChannelOptions = {}): ChannelPort {
  const tracker = opts.tracker ?? new MessageTracker();
  const now = opts.now ?? Date.now;
  return {
    name: CHANNEL,
    capabilities: {
      buttons: true,
      maxButtons: 12,
      maxButtonLabel: 60,
      linkButtons: true,
      maxTextLength: 4096,
    },
    async send(ref, messages) {
      const chatId = ref.conversationId;
      for (const message of messages) {
        const { params, skipped } = toOutbound(message);
        // Payloads are never logged: they can name a topic a person chose.
        if (skipped.length > 0) log.warn({ event: 'telegram-payload-too-long', skipped: skipped.length });
        const cleared = message.clearBefore ? await deleteTracked(api, log, tracker, chatId, now()) : [];
        const { text, ...other } = params;
        const sent = await api.sendMessage(chatId, text, other);
        tracker.forget(chatId, cleared);
        tracker.add(chatId, sent.message_id, sent.date * 1000);
      }
    },
  };
}

/**
 * Deletes the chat's tracked messages that Telegram still lets the bot delete
 * (48 hours); returns the ids tried. A failure (already deleted, too old) is
 * logged and the rest go on: the neutral message is sent either way.
 */
async function deleteTracked(
  api: Api,
  log: Logger,
  tracker: MessageTracker,
  chatId: string,
  now: number,
): Promise<number[]> {
  const ids = tracker.deletable(chatId, now);
  let failed = 0;
  for (const id of ids) {
    try {
      await api.deleteMessage(chatId, id);
    } catch (err) {
      failed++;
      if (failed === 1) log.warn({ event: 'telegram-delete-failed', ...errorFields(err) });
    }
  }
  log.info({ event: 'telegram-chat-cleared', deleted: ids.length - failed, failed });
  return ids;
}
