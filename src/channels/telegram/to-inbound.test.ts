import type { Update } from 'grammy/types';
import { InboundMessageSchema } from '../../conversation/inbound';
import { toInbound } from './to-inbound';

const ctx = { now: 1_750_000_000_000 };

const person = {
  id: 123456789,
  is_bot: false,
  first_name: 'Sita',
  username: 'sita_k',
  language_code: 'ne',
} as const;

const privateChat = { id: 123456789, first_name: 'Sita', username: 'sita_k', type: 'private' } as const;

/** A text message as Telegram delivers it to a webhook. */
function textUpdate(text: string, overrides: Partial<NonNullable<Update['message']>> = {}): Update {
  return {
    update_id: 910000001,
    message: {
      message_id: 42,
      from: person,
      chat: privateChat,
      date: 1_750_000_000,
      text,
      ...overrides,
    },
  } as Update;
}

/** A press on an inline keyboard button under one of the bot's messages. */
const callbackUpdate: Update = {
  update_id: 910000002,
  callback_query: {
    id: '4382bfdwdsb323b2d9',
    from: person,
    message: {
      message_id: 43,
      from: { id: 7000000001, is_bot: true, first_name: 'Virtual Volunteer', username: 'vv_test_bot' },
      chat: privateChat,
      date: 1_750_000_010,
      text: 'What would you like to know about?',
      reply_markup: { inline_keyboard: [[{ text: 'Packing', callback_data: 'topic.open:packing' }]] },
    },
    chat_instance: '-8265391742937',
    data: 'topic.open:packing',
  },
} as Update;

describe('updates the bot answers', () => {
  test('typed text', () => {
    expect(toInbound(textUpdate('hello'), ctx)).toEqual({
      channel: 'telegram',
      conversationId: '123456789',
      userId: '123456789',
      messageId: 'u910000001',
      text: 'hello',
      locale: 'ne',
      timestamp: 1_750_000_000_000,
    });
  });

  test('a button press carries its callback data as the payload', () => {
    expect(toInbound(callbackUpdate, ctx)).toEqual({
      channel: 'telegram',
      conversationId: '123456789',
      userId: '123456789',
      messageId: 'u910000002',
      payload: 'topic.open:packing',
      locale: 'ne',
      timestamp: ctx.now,
    });
  });

  test.each([
    ['/start', 'cmd.menu'],
    ['/start campaign-42', 'cmd.menu'],
    ['/menu', 'cmd.menu'],
    ['/menu@vv_test_bot', 'cmd.menu'],
    ['/help', 'cmd.help'],
    ['/language', 'cmd.language'],
    ['/SOS', 'cmd.sos'],
  ])('the command %s becomes the payload %s', (text, payload) => {
    const message = toInbound(textUpdate(text), ctx);
    expect(message).toMatchObject({ payload });
    expect(message).not.toHaveProperty('text');
  });

  test('an unknown command is passed on as text', () => {
    expect(toInbound(textUpdate('/weather'), ctx)).toMatchObject({ text: '/weather' });
  });

  test('no language code, or one that is not a tag, leaves the locale out', () => {
    const { language_code: _code, ...nameless } = person;
    expect(toInbound(textUpdate('hi', { from: nameless }), ctx)).not.toHaveProperty('locale');
    expect(toInbound(textUpdate('hi', { from: { ...person, language_code: 'en_US' } }), ctx)).not.toHaveProperty(
      'locale',
    );
  });

  test.each([
    ['text', textUpdate('नमस्ते, मलाई सहयोग चाहियो')],
    ['a command', textUpdate('/start')],
    ['a button press', callbackUpdate],
  ])('%s passes the engine schema', (_name, update) => {
    expect(InboundMessageSchema.safeParse(toInbound(update, ctx)).success).toBe(true);
  });
});

describe('updates the bot ignores', () => {
  const photo = textUpdate('', {}) as Update & { message: Record<string, unknown> };
  delete photo.message.text;
  photo.message.photo = [{ file_id: 'AgAC', file_unique_id: 'AQAD', width: 90, height: 90 }];

  test.each<[string, Update]>([
    ['a photo without text', photo],
    ['blank text', textUpdate('  ')],
    ['a group message', textUpdate('hi', { chat: { id: -100123, title: 'Workers', type: 'supergroup' } })],
    ['a message from a bot', textUpdate('hi', { from: { id: 5, is_bot: true, first_name: 'Other' } })],
    [
      'an edited message',
      { update_id: 910000003, edited_message: { ...textUpdate('hi').message!, edit_date: 1_750_000_100 } } as Update,
    ],
    [
      'a button press without data',
      { update_id: 910000004, callback_query: { ...callbackUpdate.callback_query!, data: undefined } } as Update,
    ],
    [
      'a button press on an inline message (no chat)',
      { update_id: 910000005, callback_query: { ...callbackUpdate.callback_query!, message: undefined } } as Update,
    ],
    [
      'a channel post',
      {
        update_id: 910000006,
        channel_post: { message_id: 1, chat: { id: -100999, title: 'News', type: 'channel' }, date: 1, text: 'hi' },
      } as Update,
    ],
    [
      'a member update',
      {
        update_id: 910000007,
        my_chat_member: {
          chat: privateChat,
          from: person,
          date: 1_750_000_000,
          old_chat_member: { status: 'member', user: { id: 7000000001, is_bot: true, first_name: 'VV' } },
          new_chat_member: { status: 'kicked', user: { id: 7000000001, is_bot: true, first_name: 'VV' }, until_date: 0 },
        },
      } as Update,
    ],
  ])('%s', (_name, update) => {
    expect(toInbound(update, ctx)).toBeNull();
  });
});
