import { english } from '../../support';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../../support/server';
import { FakeBotApi } from './fake-bot-api';

const TOKEN = '7000000002:AAH-fake-token-for-polling_0123456789';
const person = { id: 987654321, is_bot: false, first_name: 'Ram', language_code: 'en' };
const chat = { id: 987654321, first_name: 'Ram', type: 'private' };

let db: TempDatabase;
let api: FakeBotApi;
let server: RunningApp;

beforeEach(async () => {
  db = tempDatabase();
  api = new FakeBotApi(TOKEN);
  await api.start();
  server = await startApp(db.path, {
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_MODE: 'polling',
      TELEGRAM_BOT_USERNAME: 'vv_test_bot',
      TELEGRAM_API_ROOT: api.url,
    },
  });
});

afterEach(async () => {
  await server.close();
  await api.stop();
  db.remove();
});

async function until<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('in polling mode, updates fetched with getUpdates are answered, and there is no webhook route', async () => {
  api.pushUpdate({
    update_id: 700_000_001,
    message: { message_id: 1, from: person, chat, date: Math.floor(Date.now() / 1000), text: '/start' },
  } as { update_id: number });

  await until(() => (api.callsTo('sendMessage').length > 0 ? true : undefined));
  expect(api.calls[0]?.method).toBe('deleteWebhook');
  expect(api.callsTo('getMe')).toEqual([]);
  const first = api.callsTo('sendMessage')[0]!.body;
  expect(first).toMatchObject({ chat_id: '987654321', text: english('common:welcome', { language: 'English' }) });

  api.pushUpdate({
    update_id: 700_000_002,
    callback_query: { id: 'cq-poll', from: person, message: { message_id: 2, chat, date: 1 }, chat_instance: '1', data: 'cmd.menu' },
  } as { update_id: number });
  await until(() => (api.callsTo('answerCallbackQuery').length > 0 ? true : undefined));
  expect(api.callsTo('answerCallbackQuery')[0]?.body).toMatchObject({ callback_query_id: 'cq-poll' });

  const res = await fetch(`${server.url}/telegram/webhook`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  expect(res.status).toBe(404);
});

test("a chat whose replies Telegram is slow to take does not hold back another chat's update", async () => {
  const release = api.hold('sendMessage');
  try {
    const other = { id: 987654322, is_bot: false, first_name: 'Gita', language_code: 'en' };
    const hi = (id: number, from: typeof person) => ({
      update_id: id,
      message: { message_id: 1, from, chat: { id: from.id, first_name: from.first_name, type: 'private' }, date: Math.floor(Date.now() / 1000), text: 'hi' },
    });
    api.pushUpdate(hi(700_000_011, person));
    await until(() => (api.callsTo('sendMessage').length > 0 ? true : undefined));

    api.pushUpdate(hi(700_000_012, other));
    // Saved, and its first reply on its way, while the first chat's reply still waits for Telegram.
    await until(() => (api.callsTo('sendMessage').some((c) => String(c.body.chat_id) === String(other.id)) ? true : undefined));
    expect(await server.app.store.getConversation(`telegram:${other.id}`)).not.toBeNull();
  } finally {
    release();
  }
  await server.app.engine.idle();
  expect(await server.app.store.pendingOutbox(10)).toEqual([]);
});
