import { english } from '../../support';
import { fakeMessage, text, type FakeMessage } from './fake-client';
import { startWithFakeClient, type Harness } from './harness';

const PHONE = '6591234567';
const CHAT = `${PHONE}@c.us`;

let h: Harness;

beforeEach(async () => {
  h = await startWithFakeClient();
});

afterEach(async () => {
  await h.close();
});

test.each<[string, FakeMessage, string]>([
  ['a group message', text('120363025246125486@g.us', 'hi', { author: CHAT }), 'not-private'],
  ['a status update', text('status@broadcast', 'hi', { isStatus: true, author: CHAT }), 'status'],
  ['a broadcast list', text('1700000000@broadcast', 'hi'), 'status'],
  ['a channel (newsletter) post', text('120363166666666666@newsletter', 'hi'), 'not-private'],
  ['the bot’s own message', text(CHAT, 'hi', { fromMe: true }), 'own'],
  ['an encryption notice', fakeMessage(CHAT, { type: 'e2e_notification' }), 'not-a-message'],
  ['a missed call', fakeMessage(CHAT, { type: 'call_log' }), 'not-a-message'],
  ['a deleted message', fakeMessage(CHAT, { type: 'revoked' }), 'not-a-message'],
  ['a reaction', fakeMessage(CHAT, { type: 'reaction', body: '👍' }), 'not-a-message'],
  ['blank text', text(CHAT, '   '), 'empty'],
  ['a message without an id', { ...text(CHAT, 'hi'), id: undefined } as unknown as FakeMessage, 'malformed'],
])('%s gets no reply, and nothing is stored', async (_name, message, reason) => {
  await h.client.receive(message);

  expect(h.client.sent).toEqual([]);
  expect(await h.server.app.store.getConversation(`whatsapp-web:${PHONE}`)).toBeNull();
  expect(await h.server.app.store.isProcessed(`whatsapp-web:${PHONE}`, message.id?._serialized ?? '')).toBe(false);
  expect(h.logs.filter((l) => l.event === 'whatsapp-web-message-ignored')).toEqual([expect.objectContaining({ reason })]);
});

test.each(['ptt', 'audio', 'image', 'sticker', 'location', 'document'])(
  'a %s is answered with a request to type, and the question is asked again',
  async (type) => {
    await h.client.receive(text(CHAT, 'hi'));
    await h.client.receive(text(CHAT, 'menu'));
    const before = h.client.sent.length;

    await h.client.receive(fakeMessage(CHAT, { type, hasMedia: true }));

    const replies = h.client.sent.slice(before).map((m) => m.text);
    expect(replies[0]).toBe(english('common:textOnly'));
    expect(replies[1]?.startsWith(english('menu:prompt'))).toBe(true);
  },
);
