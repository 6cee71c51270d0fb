import { english } from '../../support';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../../support/server';
import { FakeBotApi, postTelegramUpdate } from './fake-bot-api';

const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const SECRET = 'webhook-secret_42';
const CHAT_ID = 123456789;
/** The fake Bot API numbers the messages it sends from here, one by one. */
const FIRST_SENT_ID = 1000;

const person = { id: CHAT_ID, is_bot: false, first_name: 'Sita', language_code: 'en' };
const chat = { id: CHAT_ID, first_name: 'Sita', type: 'private' };

let db: TempDatabase;
let api: FakeBotApi;
let server: RunningApp;
let nextUpdateId = 600_000_000;

beforeEach(async () => {
  db = tempDatabase();
  api = new FakeBotApi(TOKEN);
  await api.start();
  server = await startApp(db.path, {
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
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

async function postUpdate(update: object): Promise<void> {
  expect(await postTelegramUpdate(server.url, SECRET, update)).toBe(200);
  // The webhook answers once the update is saved; the replies go out after.
  await server.app.engine.idle();
}

/** Types text as the person, as message `messageId`, sent `ageSeconds` ago. */
function typed(text: string, messageId: number, ageSeconds = 0): Promise<void> {
  const date = Math.floor(Date.now() / 1000) - ageSeconds;
  return postUpdate({ update_id: nextUpdateId++, message: { message_id: messageId, from: person, chat, date, text } });
}

function press(data: string): Promise<void> {
  const id = nextUpdateId++;
  return postUpdate({
    update_id: id,
    callback_query: {
      id: `cq-${id}`,
      from: person,
      message: { message_id: FIRST_SENT_ID, from: { id: 7000000001, is_bot: true, first_name: 'VV' }, chat, date: 1, text: '…' },
      chat_instance: '-8265391742937',
      data,
    },
  });
}

const sendCount = () => api.callsTo('sendMessage').length;
const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
const deleted = () =>
  api.callsTo('deleteMessage').map((c) => {
    expect(String(c.body.chat_id)).toBe(String(CHAT_ID));
    return Number(c.body.message_id);
  });

test('clear deletes every message the bot sent and the person typed, then says one neutral message', async () => {
  await typed('hi', 11);
  await press('cmd.menu');
  await press('menu.audience:preparing');
  await typed('menu', 12);
  const sentBefore = sendCount();
  expect(sentBefore).toBeGreaterThan(3);
  expect(api.callsTo('deleteMessage')).toEqual([]);

  await typed('clear', 13);

  expect([...deleted()].sort((a, b) => a - b)).toEqual([11, 12, 13, ...ids(FIRST_SENT_ID, sentBefore)]);
  const after = api.callsTo('sendMessage').slice(sentBefore);
  expect(after.map((c) => c.body.text)).toEqual([english('common:cleared')]);
  expect(after[0]!.body.reply_markup).toBeUndefined();
  // Every deletion came before the neutral message.
  const methods = api.calls.map((c) => c.method);
  expect(methods.lastIndexOf('deleteMessage')).toBeLessThan(methods.lastIndexOf('sendMessage'));
  expect(methods.indexOf('deleteMessage')).toBeGreaterThan(methods.lastIndexOf('sendMessage', methods.indexOf('deleteMessage')));
});

test('the deleted ids are forgotten: a second clear deletes only what came after', async () => {
  await typed('hi', 21);
  await typed('/clear', 22);
  const firstDeletes = api.callsTo('deleteMessage').length;
  const neutralId = FIRST_SENT_ID + sendCount() - 1;

  await typed('clear chat', 23);
  expect(deleted().slice(firstDeletes).sort((a, b) => a - b)).toEqual([23, neutralId]);
});

test('messages over 48 hours old are left, and a failed deletion does not stop the neutral message', async () => {
  await typed('hi', 31, 49 * 60 * 60);
  await typed('menu', 32);
  const sentBefore = sendCount();
  api.queue('deleteMessage', { ok: false, error_code: 400, description: "Bad Request: message can't be deleted" });

  await typed('clear', 33);

  expect(deleted()).not.toContain(31);
  expect([...deleted()].sort((a, b) => a - b)).toEqual([32, 33, ...ids(FIRST_SENT_ID, sentBefore)]);
  expect(api.callsTo('sendMessage').slice(sentBefore).map((c) => c.body.text)).toEqual([english('common:cleared')]);
});
