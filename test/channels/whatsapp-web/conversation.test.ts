import { rootPrompt } from '../../../flows/menu/machine';
import { english, keyOf } from '../../support';
import { translator } from '../../support/english';
import { text, type SentMessage } from './fake-client';
import { startWithFakeClient, type Harness } from './harness';

/** +65 (Singapore): a calling code that names no language of the bot, so the bot starts in English. */
const PHONE = '6591234567';
const CHAT = `${PHONE}@c.us`;

let h: Harness;

beforeEach(async () => {
  h = await startWithFakeClient();
});

afterEach(async () => {
  await h.close();
});

async function say(body: string, from = CHAT): Promise<SentMessage[]> {
  const before = h.client.sent.length;
  await h.client.receive(text(from, body));
  return h.client.sent.slice(before);
}

const list = (...keys: string[]) => keys.map((key, i) => `${i + 1}. ${english(key)}`).join('\n');

/** The number a numbered list gives a label, as the person reads it. */
function numberOf(replies: readonly SentMessage[], label: string): string {
  for (const reply of replies) {
    const line = reply.text.split('\n').find((l) => l.endsWith(`. ${label}`));
    if (line) return line.slice(0, line.indexOf('.'));
  }
  throw new Error(`no choice "${label}" in ${JSON.stringify(replies.map((r) => r.text))}`);
}

test('a whole conversation, by numbers and by words: hi, menu, a group by number, a topic by name, the packing flow', async () => {
  const welcome = await say('hi');
  expect(welcome[0]).toEqual({
    chatId: CHAT,
    text: `${english('common:welcome', { language: 'English' })}\n\n${list('common:choice.language')}`,
  });
  expect(welcome.every((m) => m.chatId === CHAT)).toBe(true);

  const menu = await say('menu');
  expect(menu.map((m) => m.text)).toEqual([
    `${english('menu:prompt')}\n\n${list(...(rootPrompt.choices ?? []).map((c) => c.label))}`,
  ]);

  const topics = await say(numberOf(menu, english('menu:audience.preparing')));
  expect(keyOf(topics[0]!.text)).toBe('menu:topicsFor.preparing');

  // A choice's words work as well as its number, whatever their case.
  const intro = await say(english('menu:topics.packing').toUpperCase());
  expect(intro.map((m) => m.text)).toEqual([`${english('packing:intro', { total: 8 })}\n\n${list('common:choice.yes', 'common:choice.menu')}`]);

  const documents = await say('yes');
  expect(keyOf(documents[0]!.text)).toBe('packing:documents');
  const copies = await say(numberOf(documents, english('common:choice.next')));
  expect(copies[0]!.text.startsWith(english('packing:copies', { step: 2, total: 8 }))).toBe(true);

  const stored = await h.server.app.store.getConversation(`whatsapp-web:${PHONE}`);
  expect(stored?.data).toMatchObject({ ref: { channel: 'whatsapp-web', conversationId: PHONE, userId: PHONE }, flow: { id: 'packing' } });
});

test('the first language is guessed from the calling code: +977 starts in Nepali', async () => {
  const replies = await say('namaste', '9779812345678@c.us');
  expect(replies[0]!.text.startsWith(translator.t('common:welcome', 'ne', { language: translator.t('languages:ne', 'ne') }))).toBe(true);
});

test('a contact known only by a linked id (@lid) is answered there, kept under that id, with no language guessed from its digits', async () => {
  // Read as a phone number, 63… would be the Philippines, and Filipino.
  const lid = '63912345678901@lid';
  const replies = await say('hi', lid);
  expect(replies[0]).toEqual({ chatId: lid, text: expect.stringContaining(english('common:welcome', { language: 'English' })) });
  expect(await h.server.app.store.getConversation(`whatsapp-web:${lid}`)).not.toBeNull();
});

test('the same message delivered twice (same id) gets one reply', async () => {
  const message = text(CHAT, 'hi', { idSuffix: '3EB0DUPLICATE0001' });
  await h.client.receive(message);
  const first = h.client.sent.length;
  await h.client.receive(message);

  expect(first).toBeGreaterThan(0);
  expect(h.client.sent).toHaveLength(first);
  expect(h.logs.some((l) => l.event === 'duplicate')).toBe(true);
});

test('the log never carries a phone number or what anyone wrote, even when sends fail', async () => {
  await say('hi');
  h.client.failSends = 1;
  await say('my passport was taken by my employer');
  await say('menu');

  const all = h.rawLogs.join('\n');
  expect(h.logs.some((l) => l.event === 'whatsapp-web-send-failed')).toBe(true);
  expect(all).not.toContain(PHONE);
  expect(all).not.toContain('passport was taken');
  expect(all).not.toContain(english('menu:prompt'));
});

test('start-up logs that WhatsApp Web is on', () => {
  expect(h.logs.find((l) => l.event === 'channels')).toMatchObject({ 'whatsapp-web': 'on (whatsapp-web.js, unofficial)' });
  expect(h.logs.some((l) => l.event === 'whatsapp-web-ready')).toBe(true);
});
