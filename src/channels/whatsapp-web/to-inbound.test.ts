import { InboundMessageSchema, UNSUPPORTED_INPUT } from '../../conversation/inbound';
import { chatIdOf, toIncoming } from './to-inbound';

/** A whatsapp-web.js Message, as the library builds it (the fields the adapter reads, and others). */
const message = (fields: Record<string, unknown> = {}) => ({
  id: { fromMe: false, remote: '9779812345678@c.us', id: '3EB0C767D26A1D9F5C3B', _serialized: 'false_9779812345678@c.us_3EB0C767D26A1D9F5C3B' },
  from: '9779812345678@c.us',
  to: '6580000000@c.us',
  fromMe: false,
  isStatus: false,
  type: 'chat',
  body: 'namaste',
  timestamp: 1_750_000_000,
  hasMedia: false,
  ack: 1,
  ...fields,
});

describe('messages the bot answers', () => {
  test('typed text from a phone number: the number is the conversation and the user, its calling code the language', () => {
    expect(toIncoming(message())).toEqual({
      kind: 'message',
      inbound: {
        channel: 'whatsapp-web',
        conversationId: '9779812345678',
        userId: '9779812345678',
        messageId: 'false_9779812345678@c.us_3EB0C767D26A1D9F5C3B',
        timestamp: 1_750_000_000_000,
        text: 'namaste',
        locale: 'ne',
      },
    });
  });

  test('a contact under a linked id keeps that id, and gets no language from its digits', () => {
    const incoming = toIncoming(message({ from: '977123456789012@lid' }));
    expect(incoming).toMatchObject({ kind: 'message', inbound: { conversationId: '977123456789012@lid', userId: '977123456789012@lid' } });
    expect(incoming.kind === 'message' && incoming.inbound).not.toHaveProperty('locale');
  });

  test.each(['ptt', 'audio', 'image', 'video', 'document', 'sticker', 'location', 'vcard', 'poll_creation'])(
    'a message of type %s asks the engine to request typing, and its caption is not read',
    (type) => {
      const incoming = toIncoming(message({ type, body: 'a caption', hasMedia: true }));
      expect(incoming).toMatchObject({ kind: 'message', inbound: { payload: UNSUPPORTED_INPUT } });
      expect(incoming.kind === 'message' && incoming.inbound).not.toHaveProperty('text');
    },
  );

  test.each([['text', message()], ['a voice note', message({ type: 'ptt', body: '' })], ['a linked id', message({ from: '1234@lid' })]])(
    '%s passes the engine schema',
    (_name, raw) => {
      const incoming = toIncoming(raw);
      expect(incoming.kind === 'message' && InboundMessageSchema.safeParse(incoming.inbound).success).toBe(true);
    },
  );
});

describe('messages the bot leaves alone', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['its own', { fromMe: true }, 'own'],
    ['a status update', { from: 'status@broadcast', isStatus: true }, 'status'],
    ['a status flagged only by isStatus', { isStatus: true }, 'status'],
    ['a broadcast list', { from: '1712345678@broadcast' }, 'status'],
    ['a group', { from: '120363025246125486@g.us', author: '9779812345678@c.us' }, 'not-private'],
    ['a channel post', { from: '120363166666666666@newsletter' }, 'not-private'],
    ['a chat id that is no phone number', { from: '12345@c.us' }, 'not-private'],
    ['an encryption notice', { type: 'e2e_notification', body: '' }, 'not-a-message'],
    ['a business template notice', { type: 'notification_template', body: '' }, 'not-a-message'],
    ['a missed call', { type: 'call_log', body: '' }, 'not-a-message'],
    ['a deleted message', { type: 'revoked', body: '' }, 'not-a-message'],
    ['a protocol message', { type: 'protocol', body: '' }, 'not-a-message'],
    ['a reaction', { type: 'reaction', body: '👍' }, 'not-a-message'],
    ['blank text', { body: ' \n ' }, 'empty'],
    ['no id', { id: undefined }, 'malformed'],
    ['a timestamp that is no number', { timestamp: '1750000000' }, 'malformed'],
    ['a sender that is no string', { from: { _serialized: '9779812345678@c.us' } }, 'malformed'],
  ])('%s', (_name, fields, reason) => {
    expect(toIncoming(message(fields))).toEqual({ kind: 'ignored', reason });
  });

  test('something that is not an object at all', () => {
    expect(toIncoming(null)).toEqual({ kind: 'ignored', reason: 'malformed' });
    expect(toIncoming('hi')).toEqual({ kind: 'ignored', reason: 'malformed' });
  });
});

describe('chatIdOf', () => {
  test('writes to a phone number as <number>@c.us, and to a linked id as it is', () => {
    expect(chatIdOf('9779812345678')).toBe('9779812345678@c.us');
    expect(chatIdOf('977123456789012@lid')).toBe('977123456789012@lid');
  });

  test.each(['120363025246125486@g.us', 'status@broadcast', '+977 981 2345678', '12345', ''])('refuses %p', (id) => {
    expect(() => chatIdOf(id)).toThrow('not a WhatsApp private chat');
  });
});
