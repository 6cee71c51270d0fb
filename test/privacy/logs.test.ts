import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { FakeConnector } from '../channels/teams/connector';
import { FakeBotApi } from '../channels/telegram/fake-bot-api';
import { FakeGraphApi } from '../channels/whatsapp-cloud/fake-graph-api';
import { postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { CLOUD, CloudPerson, caseworker, cloudEnv, eventually, randomWaId, settle } from './people';

/**
 * The logs of whole conversations, at the most detailed level, on every
 * channel that carries people's words: web chat, Telegram, WhatsApp Cloud
 * and Teams, in several languages, with names, phone numbers and emails
 * typed in, Telegram's and WhatsApp's profile names, and a case with a
 * caseworker's reply and note. None of it may appear in a log line.
 */
const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const SECRET = 'webhook-secret_42';

let db: TempDatabase;
let graph: FakeGraphApi;
let botApi: FakeBotApi;
let connector: FakeConnector;
let server: RunningApp;
const lines: string[] = [];

beforeAll(async () => {
  db = tempDatabase();
  graph = new FakeGraphApi(CLOUD.phoneNumberId);
  await graph.start();
  botApi = new FakeBotApi(TOKEN);
  await botApi.start();
  connector = new FakeConnector();
  await connector.start();
  server = await startApp(db.path, {
    env: {
      ...cloudEnv(graph),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_BOT_USERNAME: 'vv_test_bot',
      TELEGRAM_API_ROOT: botApi.url,
      TELEGRAM_SET_COMMANDS: 'false',
      TEAMS_ENABLED: 'true',
      // The limit on, low, so that its own log lines are among those checked.
      USER_RATE_LIMIT: '12',
    },
    log: { level: 'trace', destination: { write: (line: string) => lines.push(line) } },
  });
});

afterAll(async () => {
  await server.close();
  await graph.stop();
  await botApi.stop();
  await connector.stop();
  db.remove();
});

/** Personal details as people type them: a name, phone numbers in several shapes, an email, in several languages. */
function personal(marker: string) {
  const digits = `9779${String(randomInt(10_000_000, 99_999_999))}`;
  return {
    name: `Sunita ${marker} Gurung`,
    phone: `+${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`,
    digits,
    email: `sunita.${marker}@example.com`,
    texts: [
      `My name is Sunita ${marker} Gurung, call me on +${digits}`,
      `मेरो नाम सुनिता ${marker} हो, मेरो फोन ${digits}`,
      `میرا پاسپورٹ ${marker} رکھ لیا گیا ہے`,
      `Chủ tôi giữ hộ chiếu ${marker} của tôi`,
      `write to sunita.${marker}@example.com please`,
    ],
  };
}

const forbidden: string[] = [];

function remember(...values: string[]): void {
  forbidden.push(...values.filter((v) => v.length >= 6));
}

test('a web chat conversation in several languages, into a case with a caseworker’s reply and note', async () => {
  const marker = randomBytes(4).toString('hex');
  const p = personal(marker);
  const conversationId = randomUUID();
  remember(conversationId, p.name, p.phone, p.digits, p.email, ...p.texts);
  const say = async (text: string) => {
    const res = await postJson(`${server.url}/api/webchat/messages`, { conversationId, text, locale: 'ne-NP' });
    expect(res.status).toBe(200);
    await settle(server.app);
  };
  const press = async (payload: string) => {
    expect((await postJson(`${server.url}/api/webchat/messages`, { conversationId, payload })).status).toBe(200);
    await settle(server.app);
  };
  await say('hi');
  for (const text of p.texts.slice(0, 3)) await say(text);
  await press('handoff.offer:other');
  await press('handoff.consent.yes:other');
  for (const text of p.texts) await say(text);
  // Faster than the limit: its own lines are checked too.
  for (let i = 0; i < 15; i++) await say(`${p.texts[0]} (${i})`);

  const c = await server.app.handoffStore.openCaseOf(`webchat:${conversationId}`);
  expect(c).not.toBeNull();
  const staffTag = randomBytes(4).toString('hex');
  const staff = await caseworker(server, `ana.${staffTag}@example.org`, `Ana ${staffTag} Reyes`);
  remember(staff.user.email, staff.user.name);
  const reply = `Dear ${p.name}, we will call ${p.phone} tomorrow`;
  const note = `${p.name} sounded scared; email ${p.email}`;
  remember(reply, note);
  expect((await staff.console.post(`/cases/${c!.id}/reply`, { text: reply })).status).toBe(200);
  expect((await staff.console.post(`/cases/${c!.id}/notes`, { text: note })).status).toBe(200);
  expect((await staff.console.post(`/cases/${c!.id}/transfer`, { organisationId: 'nowhere', note })).status).toBe(400);
  expect((await staff.console.get(`/cases/${c!.id}`)).status).toBe(200);
  await settle(server.app);
  // A wrong password, and a login for an email nobody has: both logged, neither email in the log.
  expect((await staff.console.login(staff.user.email, 'not the password at all')).status).toBe(401);
  expect((await staff.console.login(p.email, 'not the password at all')).status).toBe(401);
});

test('a Telegram conversation, with the person’s Telegram name and username', async () => {
  const marker = randomBytes(4).toString('hex');
  const p = personal(marker);
  const chatId = randomInt(100_000_000, 999_999_999);
  const from = { id: chatId, is_bot: false, first_name: `Sunita${marker}`, last_name: `Gurung${marker}`, username: `sunita_${marker}`, language_code: 'ne' };
  remember(String(chatId), from.first_name, from.last_name, from.username, p.name, p.phone, p.digits, p.email, ...p.texts);
  let updateId = randomInt(1, 1_000_000_000);
  const post = async (body: object) => {
    const res = await fetch(`${server.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    await settle(server.app);
  };
  const chat = { id: chatId, type: 'private', first_name: from.first_name, last_name: from.last_name, username: from.username };
  const message = (text: string) => ({ update_id: updateId++, message: { message_id: updateId, from, chat, date: Math.floor(Date.now() / 1000), text } });
  await post(message('/start'));
  for (const text of p.texts) await post(message(text));
  await post({ update_id: updateId++, callback_query: { id: `cq${updateId}`, from, message: { message_id: 1, chat, date: 1, text: 'x' }, chat_instance: '1', data: 'cmd.menu' } });
  // An update the bot ignores (a photo with a caption), and a malformed one.
  await post({ update_id: updateId++, message: { message_id: 9, from, chat, date: 1, photo: [], caption: p.texts[0] } });
  await post({ update_id: updateId++, message: { from, chat, text: p.texts[1] } });
  await eventually('Telegram replies', () => botApi.callsTo('sendMessage').length > 0);
});

test('a WhatsApp Cloud conversation, with the profile name and wa_id Meta sends, and delivery statuses', async () => {
  const marker = randomBytes(4).toString('hex');
  const p = personal(marker);
  const person = new CloudPerson(server, randomWaId(), `Sunita ${marker} WhatsApp`);
  remember(person.waId, person.profileName, p.name, p.phone, p.digits, p.email, ...p.texts);
  const first = graph.calls.length;
  for (const text of p.texts) await person.say(text);
  await person.press('cmd.menu');
  const wamids = graph.calls.slice(first).flatMap((c) => (c.wamid ? [c.wamid] : []));
  await person.statuses(wamids, 'delivered');
  await person.statuses(wamids.slice(-1), 'failed', [{ code: 131026, title: `Message undeliverable to ${person.waId}` }]);
  // A status for a number the bot does not know, and one for another phone number id: logged, without numbers.
  const stranger = new CloudPerson(server, randomWaId(), 'Nobody');
  remember(stranger.waId);
  await stranger.statuses(['wamid.unknown1'], 'read');
});

test('a Teams conversation, with the user’s name', async () => {
  const marker = randomBytes(4).toString('hex');
  const p = personal(marker);
  const userName = `Sunita ${marker} Teams`;
  const conversationId = `a:1Teams${marker}`;
  remember(userName, conversationId, p.name, p.phone, p.digits, p.email, ...p.texts);
  let n = 0;
  for (const text of ['hi', ...p.texts]) {
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `${marker}${++n}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: `29:${marker}`, name: userName },
        recipient: { id: '28:bot', name: 'Virtual Volunteer' },
        conversation: { id: conversationId, conversationType: 'personal' },
        locale: 'ne-NP',
        text,
      }),
    });
    expect(res.status).toBeLessThan(300);
    await settle(server.app);
  }
  await eventually('Teams replies', () => connector.sent.length > 0);
});

test('no log line holds a message, a name, a phone number, an email or an id of a person', async () => {
  await settle(server.app);
  const log = lines.join('');
  // The logs did record all of that activity.
  for (const event of ['"event":"turn"', '"event":"rate-limited"', '"event":"http"', '"channel":"telegram"', '"channel":"whatsapp-cloud"', '"channel":"teams"', 'case']) {
    expect(log).toContain(event);
  }
  const found = forbidden.filter((value) => log.includes(value) || log.includes(JSON.stringify(value).slice(1, -1)));
  expect(found).toEqual([]);
  const events = [...new Set(lines.map((l) => (JSON.parse(l) as { event?: string }).event ?? '(none)'))];
  console.info(`log privacy: ${lines.length} log lines (events: ${events.join(', ')}) checked for ${forbidden.length} personal values`);
});
