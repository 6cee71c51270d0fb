import type { OutboundMessage } from '../../conversation/channel';
import { toOutbound } from './to-outbound';

const base: OutboundMessage = { text: 'What would you like to know about?', locale: 'en', dir: 'ltr' };

test('text alone has no keyboard', () => {
  expect(toOutbound(base)).toEqual({ params: { text: base.text }, skipped: [] });
});

test('choices become an inline keyboard, two short ones to a row, long ones alone', () => {
  const message: OutboundMessage = {
    ...base,
    buttons: [
      { label: 'Yes', payload: 'flow.answer:yes' },
      { label: 'No', payload: 'flow.answer:no' },
      { label: 'Before I leave home: packing', payload: 'topic.open:packing' },
      { label: 'Menu', payload: 'cmd.menu' },
    ],
  };
  expect(toOutbound(message)).toEqual({
    params: {
      text: base.text,
      reply_markup: {
        inline_keyboard: [
          [
            { text: 'Yes', callback_data: 'flow.answer:yes' },
            { text: 'No', callback_data: 'flow.answer:no' },
          ],
          [{ text: 'Before I leave home: packing', callback_data: 'topic.open:packing' }],
          [{ text: 'Menu', callback_data: 'cmd.menu' }],
        ],
      },
    },
    skipped: [],
  });
});

test('links become URL buttons, after the choices', () => {
  const message: OutboundMessage = {
    ...base,
    buttons: [{ label: 'Menu', payload: 'cmd.menu' }],
    links: [{ label: 'Family Links', url: 'https://familylinks.icrc.org/' }],
  };
  expect(toOutbound(message).params.reply_markup).toEqual({
    inline_keyboard: [[{ text: 'Menu', callback_data: 'cmd.menu' }], [{ text: 'Family Links', url: 'https://familylinks.icrc.org/' }]],
  });
});

test('a payload over 64 bytes is left out and reported; 64 bytes exactly fits', () => {
  const fits = 'p'.repeat(64);
  const tooLong = `topic.open:${'ह'.repeat(18)}`; // 11 + 54 bytes
  const result = toOutbound({
    ...base,
    buttons: [
      { label: 'Fits', payload: fits },
      { label: 'Too long', payload: tooLong },
    ],
  });
  expect(result.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Fits', callback_data: fits }]] });
  expect(result.skipped).toEqual([tooLong]);
});

test('right-to-left text is sent as it is', () => {
  const text = 'آپ کیا جاننا چاہیں گے؟';
  expect(toOutbound({ ...base, text, locale: 'ur', dir: 'rtl' }).params.text).toBe(text);
});
