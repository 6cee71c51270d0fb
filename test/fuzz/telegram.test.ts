import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { FakeBotApi } from '../channels/telegram/fake-bot-api';
import { eventually, settle } from '../privacy/people';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { brokenJson, deepJson, hostileJson, hostileNumber, hostileString, jsonText, notAString, notJsonContentType, obj, withBadBytes, type Json } from './hostile';
import { Refusals, StoreSnapshot, Tally, expectAlive, expectNoPollution, expectNoServerError, FUZZ_TIMEOUT_MS, runs, send } from './server-watch';

jest.setTimeout(FUZZ_TIMEOUT_MS);

/**
 * The Telegram webhook under hostile requests. Without the secret header a
 * request gets 401 whatever it holds. With it, anything that is not a text
 * message or a button press in a private chat from a person is answered 200
 * (Telegram would only send it again) and changes nothing; bad bytes, bad
 * JSON and other content types get a 4xx. Any text a person can type in a
 * well-formed update is answered.
 */
const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const SECRET = 'webhook-secret_42';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

let db: TempDatabase;
let api: FakeBotApi;
let server: RunningApp;
let snapshot: StoreSnapshot;
let refusals: Refusals;
const tally = new Tally('Telegram webhook');
let webhook: string;

beforeAll(async () => {
  db = tempDatabase();
  api = new FakeBotApi(TOKEN);
  await api.start();
  server = await startApp(db.path, {
    env: {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_BOT_USERNAME: 'vv_test_bot',
      TELEGRAM_API_ROOT: api.url,
      TELEGRAM_SET_COMMANDS: 'false',
      USER_RATE_LIMIT: '10',
    },
  });
  webhook = `${server.url}/telegram/webhook`;
  snapshot = new StoreSnapshot(db.path);
  refusals = new Refusals(snapshot, tally, () => settle(server.app));
});

afterAll(async () => {
  tally.print();
  snapshot.close();
  await server.close();
  await api.stop();
  db.remove();
});

const person = (over: Record<string, Json> = {}) => obj({ id: randomInt(1, 2 ** 40), is_bot: false, first_name: 'Sita', ...over });
const privateChat = (id: number) => obj({ id, type: 'private', first_name: 'Sita' });
const anyField = fc.oneof(hostileJson, hostileString, hostileNumber);

/** A private text message from a person, with everything the bot does not check made hostile. */
const noisyMessage = fc
  .record({ date: anyField, extra: fc.array(fc.tuple(hostileString, hostileJson), { maxLength: 3 }), name: anyField, lang: anyField })
  .map(({ date, extra, name, lang }) => {
    const id = randomInt(1, 2 ** 40);
    return [
      ['message_id', 1] as [string, Json],
      ['from', person({ id, first_name: name, language_code: lang })] as [string, Json],
      ['chat', privateChat(id)] as [string, Json],
      ['date', date] as [string, Json],
      ['text', 'hi'] as [string, Json],
      ...extra,
    ];
  });

type Entries = [string, Json][];
const set = (entries: Entries, key: string, value: Json): Entries => [...entries.filter(([k]) => k !== key), [key, value]];

/**
 * Updates the bot must not answer, each for a reason that holds whatever the
 * other fields are: no usable update_id, no message or button press, a chat
 * that is not private, a sender that is a bot, no text.
 */
const ignoredUpdate: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.oneof(notAString.filter((v) => !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)), hostileString), noisyMessage).map(([id, message]) =>
    jsonText(obj({ update_id: id, message: { entries: message } })),
  ),
  fc.tuple(fc.constantFrom('edited_message', 'channel_post', 'my_chat_member', 'poll', 'message_reaction', 'inline_query'), hostileJson).map(([kind, value]) =>
    jsonText(obj({ update_id: randomInt(1, 2 ** 31), [kind]: value })),
  ),
  fc.tuple(noisyMessage, hostileJson.filter((t) => t !== 'private')).map(([message, type]) =>
    jsonText(obj({ update_id: randomInt(1, 2 ** 31), message: { entries: set(message, 'chat', obj({ id: 5, type })) } })),
  ),
  fc.tuple(noisyMessage, fc.constantFrom<Json>(true, 1, 'yes', [], obj({}))).map(([message, isBot]) =>
    jsonText(obj({ update_id: randomInt(1, 2 ** 31), message: { entries: set(message, 'from', person({ is_bot: isBot })) } })),
  ),
  fc.tuple(noisyMessage, fc.oneof(notAString, fc.constantFrom('', ' ', '\n\u3000'))).map(([message, text]) =>
    jsonText(obj({ update_id: randomInt(1, 2 ** 31), message: { entries: set(message, 'text', text) } })),
  ),
  fc.tuple(noisyMessage, fc.oneof(fc.constant<Json>(null), hostileString, fc.array(hostileJson, { maxLength: 2 }))).map(([message, chat]) =>
    jsonText(obj({ update_id: randomInt(1, 2 ** 31), message: { entries: set(message, 'chat', chat) } })),
  ),
  fc.tuple(fc.oneof(notAString, fc.constant('')), hostileJson).map(([data, noise]) =>
    jsonText(
      obj({
        update_id: randomInt(1, 2 ** 31),
        callback_query: obj({ id: 'cq1', from: person(), message: obj({ message_id: 1, chat: privateChat(7), date: 1 }), chat_instance: '1', data, noise }),
      }),
    ),
  ),
  hostileJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map(jsonText),
  deepJson,
);

const withSecret = { 'content-type': 'application/json', [SECRET_HEADER]: SECRET };

test('refuses every request without the right secret with 401, and reads nothing of it', async () => {
  const wrongSecret = fc.oneof(
    fc.constant(undefined),
    // Not padded with spaces: HTTP trims a header's value, so " secret" arrives as the secret.
    fc.constantFrom('', SECRET.toUpperCase(), `${SECRET}x`, SECRET.slice(0, -1), `${SECRET}, ${SECRET}`, `${SECRET}\t${SECRET}`),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-'.split('')), maxLength: 300 }).filter((s) => s !== SECRET),
  );
  // Well-formed updates, and bodies the server could not even read: the secret is checked first.
  const body = fc.oneof(
    ignoredUpdate,
    noisyMessage.map((m) => jsonText(obj({ update_id: randomInt(1, 2 ** 31), message: { entries: m } }))),
    brokenJson,
    withBadBytes('{"update_id":1,"message":{"text":"hi"}}'),
  );
  const type = fc.oneof(fc.constant('application/json'), notJsonContentType);
  await fc.assert(
    fc.asyncProperty(wrongSecret, body, type, async (secret, text, contentType) => {
      const headers: Record<string, string> = { 'content-type': contentType };
      if (secret !== undefined) headers[SECRET_HEADER] = secret;
      await refusals.expect('without the right secret', webhook, { headers, body: text }, [401]);
    }),
    { numRuns: runs(150) },
  );
});

test('answers updates it does not handle with 200, and keeps nothing of them', async () => {
  await fc.assert(
    fc.asyncProperty(ignoredUpdate, async (body) => {
      // 400: JSON with a poisoned key is refused by the parser; 413: over the size limit.
      await refusals.expect('update not answered', webhook, { headers: withSecret, body }, [200, 400, 413]);
    }),
    { numRuns: runs(350) },
  );
});

test('refuses bytes that are not UTF-8, JSON that is not JSON, and other content types', async () => {
  const valid = JSON.stringify({ update_id: 1, message: { message_id: 1, from: { id: 1, is_bot: false }, chat: { id: 1, type: 'private' }, date: 1, text: 'hi' } });
  await fc.assert(
    fc.asyncProperty(withBadBytes(valid), async (body) => {
      await refusals.expect('invalid UTF-8', webhook, { headers: withSecret, body }, [400]);
    }),
    { numRuns: runs(100) },
  );
  await fc.assert(
    fc.asyncProperty(brokenJson, async (body) => {
      await refusals.expect('invalid JSON', webhook, { headers: withSecret, body }, [400, 413]);
    }),
    { numRuns: runs(100) },
  );
  await fc.assert(
    fc.asyncProperty(notJsonContentType, async (type) => {
      await refusals.expect('not JSON', webhook, { headers: { ...withSecret, 'content-type': type }, body: valid }, [415]);
    }),
    { numRuns: runs(100) },
  );
});

test('answers any text a person can type in a well-formed update', async () => {
  const typed = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).filter((t) => t.trim() !== '' && t.length <= 4096);
  await fc.assert(
    // No poisoned keys here: the parser refuses those (400), and this property is about what is taken.
    fc.asyncProperty(typed, fc.oneof(hostileString.filter((s) => s.length < 1000), hostileNumber), async (text, name) => {
      tally.count('well-formed update with hostile text');
      const chatId = randomInt(1, 2 ** 40);
      const updateId = randomInt(1, 2 ** 40);
      const sentBefore = api.callsTo('sendMessage').length;
      const body = jsonText(
        obj({ update_id: updateId, message: obj({ message_id: 1, from: person({ id: chatId, first_name: name }), chat: privateChat(chatId), date: 1_700_000_000, text }) }),
      );
      const answer = await send(webhook, { headers: withSecret, body });
      expectNoServerError(answer, 'a well-formed update');
      expectNoPollution();
      expect(answer.status).toBe(200);
      await settle(server.app);
      expect(await server.app.store.isProcessed(`telegram:${chatId}`, `u${updateId}`)).toBe(true);
      const replies = api.callsTo('sendMessage').slice(sentBefore).filter((c) => String(c.body.chat_id) === String(chatId));
      // A message that is a bot command Telegram's menu sends is answered too; either way, something comes back.
      expect(replies.length).toBeGreaterThan(0);
    }),
    { numRuns: runs(50) },
  );
});

test('after all of it, still answers: health, and /start from a new chat gets the welcome', async () => {
  await expectAlive(server.url);
  const chatId = randomInt(1, 2 ** 40);
  const sentBefore = api.callsTo('sendMessage').length;
  const body = JSON.stringify({
    update_id: randomInt(1, 2 ** 40),
    message: { message_id: 1, from: { id: chatId, is_bot: false, first_name: 'Sita', language_code: 'en' }, chat: { id: chatId, type: 'private' }, date: 1_700_000_000, text: '/start' },
  });
  expect((await send(webhook, { headers: withSecret, body })).status).toBe(200);
  await eventually('the welcome', () => api.callsTo('sendMessage').length > sentBefore);
  const welcome = api.callsTo('sendMessage').slice(sentBefore).find((c) => String(c.body.chat_id) === String(chatId));
  expect(String(welcome?.body.text)).toMatch(/^Hello! I am the Virtual Volunteer/);
});
