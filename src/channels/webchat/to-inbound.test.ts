import { InboundMessageSchema } from '../../conversation/inbound';
import { toInbound } from './to-inbound';

const ctx = { now: 1_750_000_000_000, newId: () => 'made-by-server' };
const conversationId = '0b7e2c1a-5d3f-4c8e-9a61-2f0d4b7c9e13';

describe('a valid body becomes an inbound message', () => {
  test('typed text, with the client id scoped to its conversation', () => {
    expect(toInbound({ conversationId, text: 'hi', locale: 'ne-NP', messageId: 'msg-0001' }, ctx)).toEqual({
      ok: true,
      message: {
        channel: 'webchat',
        conversationId,
        userId: conversationId,
        text: 'hi',
        locale: 'ne-NP',
        messageId: `${conversationId}:msg-0001`,
        timestamp: ctx.now,
      },
    });
  });

  test('a button payload, with a server-made id when the client sent none', () => {
    expect(toInbound({ conversationId, payload: 'topic.open:packing' }, ctx)).toEqual({
      ok: true,
      message: {
        channel: 'webchat',
        conversationId,
        userId: conversationId,
        payload: 'topic.open:packing',
        messageId: `${conversationId}:made-by-server`,
        timestamp: ctx.now,
      },
    });
  });

  test.each([
    ['longest text', { conversationId, text: 'x'.repeat(4096) }],
    ['text in another script, with newlines', { conversationId, text: 'سلام\nکیا حال ہے؟' }],
    ['the shortest id', { conversationId: 'abcd_-12', text: 'hi' }],
    ['the longest id', { conversationId: 'a'.repeat(64), text: 'hi', messageId: 'b'.repeat(64) }],
    ['a three-letter language with script and region', { conversationId, text: 'hi', locale: 'fil-Latn-PH' }],
  ])('%s passes the engine schema too', (_name, body) => {
    const result = toInbound(body, ctx);
    expect(result.ok).toBe(true);
    if (result.ok) expect(InboundMessageSchema.safeParse(result.message).success).toBe(true);
  });
});

describe('an invalid body is refused with every problem named', () => {
  test.each<[string, unknown, string[]]>([
    ['not an object', 'hi', ['the body must be a JSON object']],
    ['null', null, ['the body must be a JSON object']],
    ['an array', [{ conversationId, text: 'hi' }], ['the body must be a JSON object']],
    ['nothing in it', {}, ['conversationId is missing']],
    ['neither text nor payload', { conversationId, locale: 'en' }, ['send exactly one of text (typed) or payload (a button)']],
    ['both text and payload', { conversationId, text: 'a', payload: 'b' }, ['send exactly one of text (typed) or payload (a button)']],
    ['blank text', { conversationId, text: ' \n ' }, ['text is empty']],
    ['text too long', { conversationId, text: 'x'.repeat(4097) }, ['text is too long: the limit is 4096 characters']],
    ['empty payload', { conversationId, payload: '' }, ['payload is empty']],
    ['payload too long', { conversationId, payload: 'p'.repeat(257) }, ['payload is too long: the limit is 256 characters']],
    ['an id with a colon', { conversationId: 'webchat:abcdefgh', text: 'hi' }, [
      "conversationId must be 8 to 64 letters, digits, '-' or '_' (a UUID fits)",
    ]],
    ['a messageId too long', { conversationId, text: 'hi', messageId: 'm'.repeat(65) }, [
      "messageId must be 8 to 64 letters, digits, '-' or '_' (a UUID fits)",
    ]],
    ['a locale that is not a tag', { conversationId, text: 'hi', locale: 'en_US' }, [
      "locale must be a language tag such as 'en' or 'ur-PK'",
    ]],
    ['wrong types', { conversationId: 7, text: true, locale: 1 }, [
      'conversationId must be a string',
      'text must be a string',
      'locale must be a string',
    ]],
    ['unknown fields', { conversationId, text: 'hi', userId: 'someone', channel: 'telegram' }, [
      'unknown field: userId, channel',
    ]],
  ])('%s', (_name, body, issues) => {
    expect(toInbound(body, ctx)).toEqual({ ok: false, issues });
  });
});
