import { Writable } from 'node:stream';
import type { OutboundMessage } from '../../../src/conversation/channel';
import { english } from '../../support';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../../support/server';
import { FakeBotApi, postTelegramUpdate } from './fake-bot-api';

const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const SECRET = 'webhook-secret_42';
const CHAT_ID = 123456789;

const person = { id: CHAT_ID, is_bot: false, first_name: 'Sita', language_code: 'en' };
const chat = { id: CHAT_ID, first_name: 'Sita', type: 'private' };

interface SentMessage {
  chat_id: number | string;
  text: string;
  reply_markup?: { inline_keyboard: { text: string; callback_data?: string; url?: string }[][] };
}

let db: TempDatabase;
let api: FakeBotApi;
let server: RunningApp;
let nextUpdateId = 500_000_000;

beforeEach(async () => {
  replies = [];
  releaseHeld = () => {};
  db = tempDatabase();
  api = new FakeBotApi(TOKEN);
  await api.start();
  server = await startApp(db.path, {
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_BOT_USERNAME: 'vv_test_bot',
      TELEGRAM_API_ROOT: api.url,
      // The command menu is registered at start-up; these tests count every call, so it is left out here.
      TELEGRAM_SET_COMMANDS: 'false',
    },
  });
});

afterEach(async () => {
  // A test that failed while holding the Bot API's answers must not leave the app waiting for them.
  releaseHeld();
  await server.close();
  await api.stop();
  db.remove();
});

/** Lets go of answers a test held (FakeBotApi.hold). */
let releaseHeld = (): void => {};

/** The webhook's replies, in order: Telegram makes the Bot API call a reply names (`method`). */
let replies: unknown[] = [];

async function postUpdate(update: object, secret: string | null = SECRET): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
  const res = await fetch(`${server.url}/telegram/webhook`, { method: 'POST', headers, body: JSON.stringify(update) });
  const text = await res.text();
  replies.push(text === '' ? null : (JSON.parse(text) as unknown));
  // The webhook answers once the update is saved; the replies go out after.
  await server.app.engine.idle();
  return res.status;
}

function textUpdate(text: string, updateId = nextUpdateId++): object {
  return {
    update_id: updateId,
    message: { message_id: updateId % 100_000, from: person, chat, date: Math.floor(Date.now() / 1000), text },
  };
}

function pressUpdate(data: string, updateId = nextUpdateId++): object {
  return {
    update_id: updateId,
    callback_query: {
      id: `cq-${updateId}`,
      from: person,
      message: { message_id: 1000, from: { id: 7000000001, is_bot: true, first_name: 'VV' }, chat, date: 1, text: '…' },
      chat_instance: '-8265391742937',
      data,
    },
  };
}

/** The sendMessage bodies recorded since `from`, as the replies they carry. */
function sent(from = 0): SentMessage[] {
  return api.callsTo('sendMessage').slice(from).map((c) => c.body as unknown as SentMessage);
}
const asReplies = (messages: SentMessage[]): OutboundMessage[] =>
  messages.map((m) => ({ text: m.text, locale: 'en', dir: 'ltr' }));
const callbackData = (messages: SentMessage[]) =>
  messages.flatMap((m) => m.reply_markup?.inline_keyboard.flat() ?? []).flatMap((b) => b.callback_data ?? []);

test('/start gets the welcome, in the language Telegram reports, with a language button', async () => {
  expect(await postUpdate(textUpdate('/start'))).toBe(200);

  const messages = sent();
  expect(messages.length).toBeGreaterThan(0);
  expect(messages.every((m) => String(m.chat_id) === String(CHAT_ID))).toBe(true);
  expect(asReplies(messages)).toContainKey('common:welcome', { language: 'English' });
  expect(messages[0]?.reply_markup?.inline_keyboard.flat()).toContainEqual({
    text: english('common:choice.language'),
    callback_data: 'cmd.language',
  });
});

test('button presses walk into a flow, and each press is answered', async () => {
  await postUpdate(textUpdate('hi'));

  let from = sent().length;
  expect(await postUpdate(pressUpdate('cmd.menu', 500_100_001))).toBe(200);
  const menu = sent(from);
  expect(asReplies(menu)).toContainKey('menu:prompt');
  expect(callbackData(menu)).toContain('menu.audience:preparing');

  from = sent().length;
  await postUpdate(pressUpdate('menu.audience:preparing', 500_100_002));
  expect(callbackData(sent(from))).toContain('topic.open:packing');

  from = sent().length;
  await postUpdate(pressUpdate('topic.open:packing', 500_100_003));
  const packing = sent(from);
  expect(packing.map((m) => m.text)).toEqual([english('packing:intro', { total: 8 })]);
  const yes = packing[0]?.reply_markup?.inline_keyboard.flat().find((b) => b.text === english('common:choice.yes'));
  expect(yes?.callback_data).toBeDefined();

  from = sent().length;
  await postUpdate(pressUpdate(yes!.callback_data!, 500_100_004));
  expect(sent(from).map((m) => m.text)).toEqual([english('packing:documents', { step: 1, total: 8 })]);

  // Each press answered in the webhook's reply, not by a request of the bot's own.
  expect(replies.slice(1)).toEqual(
    ['cq-500100001', 'cq-500100002', 'cq-500100003', 'cq-500100004'].map((id) => ({ method: 'answerCallbackQuery', callback_query_id: id })),
  );
  expect(replies[0]).toEqual({ ok: true });
  expect(api.callsTo('answerCallbackQuery')).toEqual([]);
});

test('a press whose handling fails is answered at once, and the update is refused so that Telegram sends it again', async () => {
  await postUpdate(textUpdate('hi'));
  jest.spyOn(server.app.store, 'commitTurn').mockRejectedValueOnce(new Error('disk full'));

  expect(await postUpdate(pressUpdate('cmd.menu', 500_100_011))).toBe(500);
  expect(api.callsTo('answerCallbackQuery').map((c) => c.body.callback_query_id)).toEqual(['cq-500100011']);

  // Sent again, it is handled, and this time answered in the reply.
  const from = sent().length;
  expect(await postUpdate(pressUpdate('cmd.menu', 500_100_011))).toBe(200);
  expect(asReplies(sent(from))).toContainKey('menu:prompt');
  expect(replies.at(-1)).toEqual({ method: 'answerCallbackQuery', callback_query_id: 'cq-500100011' });
});

test('typed text is understood as well as presses', async () => {
  await postUpdate(textUpdate('hi'));
  const from = sent().length;
  await postUpdate(textUpdate('/menu'));
  expect(asReplies(sent(from))).toContainKey('menu:prompt');
});

/** Posts an update and returns its status, without waiting for the replies (postUpdate does). */
const postOnly = (update: object): Promise<number> => postTelegramUpdate(server.url, SECRET, update);

test('the webhook answers once the update is saved, while the Bot API still holds its replies', async () => {
  const release = (releaseHeld = api.hold('sendMessage'));

  expect(await postOnly(textUpdate('hi'))).toBe(200);
  // Saved: the conversation, and its replies waiting in the outbox, the first of them on its way.
  expect(await server.app.store.getConversation(`telegram:${CHAT_ID}`)).not.toBeNull();
  const waiting = await server.app.store.pendingOutbox(10);
  expect(waiting.length).toBeGreaterThan(1);
  // The first may be on its way; the rest wait behind it.
  expect(sent().length).toBeLessThanOrEqual(1);

  release();
  await server.app.engine.idle();
  expect(sent().map((m) => m.text)).toEqual(waiting.map((e) => (e.message as OutboundMessage).text));
  expect(await server.app.store.pendingOutbox(10)).toEqual([]);
});

test("the conversation's next update waits for the replies of the one before, so they keep their order", async () => {
  const release = (releaseHeld = api.hold('sendMessage'));
  expect(await postOnly(textUpdate('hi'))).toBe(200);
  const welcome = await server.app.store.pendingOutbox(10);

  let menuAnswered = false;
  const menu = postOnly(textUpdate('/menu')).then((status) => {
    menuAnswered = true;
    return status;
  });
  // Long enough for the turn to be saved, were it not waiting behind the welcome's replies.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(menuAnswered).toBe(false);
  expect(sent().length).toBeLessThanOrEqual(1);

  release();
  expect(await menu).toBe(200);
  await server.app.engine.idle();
  const texts = sent().map((m) => m.text);
  expect(texts.slice(0, welcome.length)).toEqual(welcome.map((e) => (e.message as OutboundMessage).text));
  expect(asReplies(sent(welcome.length))).toContainKey('menu:prompt');
});

test('closing the app waits for the replies of an update already answered', async () => {
  const release = (releaseHeld = api.hold('sendMessage'));
  expect(await postOnly(textUpdate('hi'))).toBe(200);
  const waiting = await server.app.store.pendingOutbox(10);

  const closed = server.close();
  release();
  await closed;
  expect(sent()).toHaveLength(waiting.length);
});

test.each([
  ['a wrong secret', 'not-the-secret'],
  ['a secret of another length', 'x'],
  ['no secret', null],
])('%s gets 401, and nothing reaches Telegram', async (_name, secret) => {
  expect(await postUpdate(textUpdate('/start'), secret)).toBe(401);
  expect(api.calls).toEqual([]);
  expect(await server.app.store.getConversation(`telegram:${CHAT_ID}`)).toBeNull();
});

test('the same update_id twice gets one reply', async () => {
  const update = textUpdate('hi');
  expect(await postUpdate(update)).toBe(200);
  const once = sent().length;
  expect(once).toBeGreaterThan(0);

  expect(await postUpdate(update)).toBe(200);
  expect(sent()).toHaveLength(once);
});

test('a 429 from Telegram is retried after retry_after', async () => {
  api.queue('sendMessage', {
    ok: false,
    error_code: 429,
    description: 'Too Many Requests: retry after 1',
    parameters: { retry_after: 1 },
  });

  expect(await postUpdate(textUpdate('/start'))).toBe(200);

  const calls = api.callsTo('sendMessage');
  expect(calls.length).toBeGreaterThan(1);
  expect(calls[1]!.body).toEqual(calls[0]!.body);
  expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(900);
  // Delivered on the retry, so deleted (Telegram keeps the chat): a reply still waiting would stay in the outbox.
  expect(await server.app.store.outboxSince(`telegram:${CHAT_ID}`, 0, 100)).toEqual([]);
  expect(await server.app.store.pendingOutbox(10)).toEqual([]);
});

test.each<[string, unknown]>([
  ['an update the bot ignores (a sticker)', { update_id: 1, message: { message_id: 1, from: person, chat, date: 1, sticker: {} } }],
  ['a group message', { update_id: 2, message: { message_id: 1, from: person, chat: { id: -5, type: 'group', title: 'g' }, date: 1, text: 'hi' } }],
  ['not an update', { hello: 'world' }],
  ['a JSON array', [1, 2, 3]],
  ['a malformed message', { update_id: 3, message: { text: 'hi' } }],
])('%s is answered 200 and nothing is done', async (_name, body) => {
  expect(await postUpdate(body as object)).toBe(200);
  expect(api.calls).toEqual([]);
});

test('bad and ignored updates are logged, without their content', async () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  await server.close();
  server = await startApp(db.path, {
    env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_BOT_USERNAME: 'vv_test_bot', TELEGRAM_API_ROOT: api.url, TELEGRAM_SET_COMMANDS: 'false' },
    log: { level: 'info', destination },
  });

  await postUpdate({ hello: 'world' });
  await postUpdate({ update_id: 9, message: { message_id: 1, from: person, chat: { id: -5, type: 'group', title: 'secret group' }, date: 1, text: 'my passport was taken' } });
  await postUpdate(textUpdate('/start'), 'wrong');

  expect(lines.map((l) => l.event)).toEqual(
    expect.arrayContaining(['telegram-update-invalid', 'telegram-update-ignored', 'telegram-webhook-refused']),
  );
  const all = JSON.stringify(lines);
  expect(all).not.toContain('passport');
  expect(all).not.toContain('secret group');
  expect(all).toContain('"telegram":"on (webhook)"');
});
