import { channelContract, type ChannelDriver, type ChannelReply, type MessageHint } from '../../contracts/channel.contract';
import { startApp, tempDatabase } from '../../support/server';
import { FakeBotApi, postTelegramUpdate } from './fake-bot-api';

const TOKEN = '7000000003:AAH-fake-token-for-contract_012345';
const SECRET = 'contract-secret_7';
const CHAT_ID = 555000111;

interface SentMessage {
  text: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] };
}

/**
 * Telegram in webhook mode: updates are posted to /telegram/webhook as
 * Telegram would, and the replies are the sendMessage calls the fake Bot API
 * recorded since the update was posted (delivered before the webhook answers).
 */
channelContract('Telegram', async (): Promise<ChannelDriver> => {
  const db = tempDatabase();
  const api = new FakeBotApi(TOKEN);
  await api.start();
  const server = await startApp(db.path, {
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_BOT_USERNAME: 'vv_test_bot',
      TELEGRAM_API_ROOT: api.url,
    },
  });
  let updateId = 600_000_000;
  const chat = { id: CHAT_ID, first_name: 'Sita', type: 'private' };
  const from = (hint: MessageHint) => ({
    id: CHAT_ID,
    is_bot: false,
    first_name: 'Sita',
    language_code: hint.locale ?? 'en',
  });

  const post = async (update: (id: number) => object): Promise<ChannelReply[]> => {
    const before = api.callsTo('sendMessage').length;
    const status = await postTelegramUpdate(server.url, SECRET, update(++updateId));
    if (status !== 200) throw new Error(`the webhook answered ${status}`);
    // The webhook answers once the update is saved; the replies go out after.
    await server.app.engine.idle();
    return api
      .callsTo('sendMessage')
      .slice(before)
      .map((c) => c.body as unknown as SentMessage)
      .map((m) => ({
        text: m.text,
        choices: (m.reply_markup?.inline_keyboard.flat() ?? []).flatMap((b) => b.callback_data ?? []),
      }));
  };

  return {
    say: (text, hint = {}) =>
      post((id) => ({
        update_id: id,
        message: { message_id: id % 100_000, from: from(hint), chat, date: Math.floor(Date.now() / 1000), text },
      })),
    press: (data, hint = {}) =>
      post((id) => ({
        update_id: id,
        callback_query: {
          id: `cq-${id}`,
          from: from(hint),
          message: { message_id: 1000, from: { id: 7000000003, is_bot: true, first_name: 'VV' }, chat, date: 1, text: '…' },
          chat_instance: '-8265391742937',
          data,
        },
      })),
    close: async () => {
      await server.close();
      await api.stop();
      db.remove();
    },
  };
});
