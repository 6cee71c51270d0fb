import { InboundMessageSchema, UNSUPPORTED_INPUT } from '../../conversation/inbound';
import { toInbound } from '../whatsapp/message';
import { CHANNEL, WELCOME_PAYLOAD, toIncoming } from './to-inbound';
import { CloudMessageSchema, type CloudMessage } from './webhook-schema';

/** `messages[]` entries as Meta's webhook reference shows them, with a Nepali sender. */
const FROM = '9779812345678';
const base = { from: FROM, id: 'wamid.HBgMOTc3OTgxMjM0NTY3OBUCABIYFjNFQjBDMDg3', timestamp: '1750000000' };
const parse = (m: object): CloudMessage => CloudMessageSchema.parse({ ...base, ...m });
const expected = { id: base.id, from: FROM, timestamp: 1_750_000_000_000 };

test('typed text is text', () => {
  expect(toIncoming(parse({ type: 'text', text: { body: 'namaste' } }))).toEqual({ ...expected, kind: 'text', text: 'namaste' });
});

test('a pressed reply button is its id', () => {
  const m = parse({
    type: 'interactive',
    context: { from: '15550783881', id: 'wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' },
    interactive: { type: 'button_reply', button_reply: { id: 'answer.yes', title: 'Yes' } },
  });
  expect(toIncoming(m)).toEqual({ ...expected, kind: 'reply', payload: 'answer.yes' });
});

test('a chosen list row is its id', () => {
  const m = parse({
    type: 'interactive',
    interactive: { type: 'list_reply', list_reply: { id: 'topic.open:packing', title: 'Packing', description: 'What to pack' } },
  });
  expect(toIncoming(m)).toEqual({ ...expected, kind: 'reply', payload: 'topic.open:packing' });
});

describe('a template quick-reply button', () => {
  test("with one of the bot's payloads is that payload", () => {
    expect(toIncoming(parse({ type: 'button', button: { text: 'Menu', payload: 'cmd.menu' } }))).toMatchObject({
      kind: 'reply',
      payload: 'cmd.menu',
    });
  });

  test.each([
    ['Meta\'s default (the text again)', { text: 'Show me', payload: 'Show me' }, 'Show me'],
    ['a payload of another shape', { text: 'No', payload: 'No-Button-Payload' }, 'No'],
    ['no payload', { text: 'OK' }, 'OK'],
  ])('with %s is typed text', (_name, button, text) => {
    expect(toIncoming(parse({ type: 'button', button }))).toMatchObject({ kind: 'text', text });
  });
});

test.each([
  ['an image', { type: 'image', image: { caption: 'my contract', mime_type: 'image/jpeg', sha256: 'abc', id: '1003383421387256' } }],
  ['a voice note', { type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'abc', id: '1003383421387257', voice: true } }],
  ['a video', { type: 'video', video: { mime_type: 'video/mp4', sha256: 'abc', id: '1003383421387258' } }],
  ['a document', { type: 'document', document: { filename: 'contract.pdf', mime_type: 'application/pdf', sha256: 'abc', id: '1' } }],
  ['a sticker', { type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'abc', id: '1', animated: false } }],
  ['a location', { type: 'location', location: { latitude: 25.28, longitude: 51.52, name: 'Doha', address: 'Corniche' } }],
  ['a shared contact', { type: 'contacts', contacts: [{ name: { formatted_name: 'Ram' }, phones: [{ phone: '+977 981' }] }] }],
  ['a reaction', { type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' } }],
  [
    'a message WhatsApp itself cannot show',
    { type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }] },
  ],
  ['a type Meta adds later', { type: 'hologram', hologram: { depth: 3 } }],
  ['an interactive answer of another kind (a Flow)', { type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { response_json: '{}' } } }],
])('%s is unsupported, and the engine is asked to request typing', (_name, m) => {
  const incoming = toIncoming(parse(m));
  expect(incoming).toEqual({ ...expected, kind: 'unsupported' });
  expect(toInbound(CHANNEL, incoming!)).toMatchObject({ payload: UNSUPPORTED_INPUT });
});

test('a welcome request (the chat opened for the first time) asks for the menu, which greets a newcomer', () => {
  expect(toIncoming(parse({ type: 'request_welcome' }))).toEqual({ ...expected, kind: 'reply', payload: WELCOME_PAYLOAD });
});

test.each([
  ['a system notice (the person changed number)', { type: 'system', system: { body: 'User A changed from 1 to 2', type: 'user_changed_number' } }],
  ['a sender that is not a phone number', { from: 'abc', type: 'text', text: { body: 'hi' } }],
])('%s is ignored', (_name, m) => {
  expect(toIncoming(parse(m))).toBeNull();
});

test.each([
  ['text', { type: 'text', text: { body: 'मलाई सहयोग चाहियो' } }],
  ['a reply', { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'cmd.menu', title: 'Menu' } } }],
  ['an image', { type: 'image', image: { id: '1', mime_type: 'image/jpeg' } }],
])('%s passes the engine schema, with the channel, the number as conversation and a language from it', (_name, m) => {
  const inbound = toInbound(CHANNEL, toIncoming(parse(m))!);
  expect(InboundMessageSchema.safeParse(inbound).success).toBe(true);
  expect(inbound).toMatchObject({ channel: 'whatsapp-cloud', conversationId: FROM, userId: FROM, messageId: base.id, locale: 'ne' });
});
