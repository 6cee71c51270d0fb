import type { OutboundButton, OutboundMessage } from '../../conversation/channel';
import { LIMITS, splitBody, templateRequest, toOutbound } from './to-outbound';

const TO = '9779812345678';
const addressed = { messaging_product: 'whatsapp', recipient_type: 'individual', to: TO } as const;
const base: OutboundMessage = { text: 'Before you go: a short checklist. Shall we start?', locale: 'en', dir: 'ltr' };
const choices = (n: number): OutboundButton[] =>
  Array.from({ length: n }, (_, i) => ({ label: `Choice ${i + 1}`, payload: `topic.open:t${i + 1}` }));

describe('text alone', () => {
  test('is a text message', () => {
    expect(toOutbound(base, TO, 'Choose')).toEqual({
      requests: [{ ...addressed, type: 'text', text: { body: base.text } }],
      skipped: [],
    });
  });

  test('with a URL asks for a link preview', () => {
    const text = 'Family Links: https://familylinks.icrc.org/';
    expect(toOutbound({ ...base, text }, TO, 'Choose').requests).toEqual([
      { ...addressed, type: 'text', text: { body: text, preview_url: true } },
    ]);
  });

  test('right-to-left text is sent as it is', () => {
    const text = 'آپ کیا جاننا چاہیں گے؟';
    expect(toOutbound({ ...base, text, locale: 'ur', dir: 'rtl' }, TO, 'Choose').requests[0]).toMatchObject({ text: { body: text } });
  });

  test('links, should any be given, are written into the text', () => {
    const message = { ...base, links: [{ label: 'First aid', url: 'https://www.globalfirstaidcentre.org/' }] };
    expect(toOutbound(message, TO, 'Choose').requests).toEqual([
      {
        ...addressed,
        type: 'text',
        text: { body: `${base.text}\n\nFirst aid: https://www.globalfirstaidcentre.org/`, preview_url: true },
      },
    ]);
  });
});

describe('one to three choices', () => {
  test('are reply buttons whose ids are the payloads', () => {
    const message = {
      ...base,
      buttons: [
        { label: 'Yes', payload: 'answer.yes' },
        { label: 'Main menu', payload: 'cmd.menu' },
      ],
    };
    expect(toOutbound(message, TO, 'Choose')).toEqual({
      requests: [
        {
          ...addressed,
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: base.text },
            action: {
              buttons: [
                { type: 'reply', reply: { id: 'answer.yes', title: 'Yes' } },
                { type: 'reply', reply: { id: 'cmd.menu', title: 'Main menu' } },
              ],
            },
          },
        },
      ],
      skipped: [],
    });
  });

  test('three is the most as buttons', () => {
    const [request] = toOutbound({ ...base, buttons: choices(3) }, TO, 'Choose').requests;
    expect(request).toMatchObject({ interactive: { type: 'button' } });
  });

  test('a text with a URL keeps it in the body (interactive messages take no preview flag)', () => {
    const text = 'See https://familylinks.icrc.org/ then choose:';
    const [request] = toOutbound({ ...base, text, buttons: choices(1) }, TO, 'Choose').requests;
    expect(request).toMatchObject({ type: 'interactive', interactive: { body: { text } } });
  });
});

describe('four to ten choices', () => {
  test('are a list with one section, opened by the localised button', () => {
    const message = { ...base, buttons: choices(4) };
    expect(toOutbound(message, TO, 'छान्नुहोस्')).toEqual({
      requests: [
        {
          ...addressed,
          type: 'interactive',
          interactive: {
            type: 'list',
            body: { text: base.text },
            action: {
              button: 'छान्नुहोस्',
              sections: [
                {
                  rows: [
                    { id: 'topic.open:t1', title: 'Choice 1' },
                    { id: 'topic.open:t2', title: 'Choice 2' },
                    { id: 'topic.open:t3', title: 'Choice 3' },
                    { id: 'topic.open:t4', title: 'Choice 4' },
                  ],
                },
              ],
            },
          },
        },
      ],
      skipped: [],
    });
  });

  test('ten is the most rows; any more are left out and reported', () => {
    const ten = toOutbound({ ...base, buttons: choices(10) }, TO, 'Choose');
    expect(ten.requests[0]).toMatchObject({ interactive: { type: 'list' } });
    expect(ten.skipped).toEqual([]);
    const eleven = toOutbound({ ...base, buttons: choices(11) }, TO, 'Choose');
    const list = eleven.requests[0] as { interactive: { action: { sections: { rows: unknown[] }[] } } };
    expect(list.interactive.action.sections[0]!.rows).toHaveLength(LIMITS.listRows);
    expect(eleven.skipped).toEqual(['topic.open:t11']);
  });

  test('a list button label over 20 characters is shortened; an empty one becomes a symbol', () => {
    const long = toOutbound({ ...base, buttons: choices(4) }, TO, 'Choose one of these options').requests[0];
    expect(long).toMatchObject({ interactive: { action: { button: 'Choose one of these…' } } });
    const empty = toOutbound({ ...base, buttons: choices(4) }, TO, '  ').requests[0];
    expect(empty).toMatchObject({ interactive: { action: { button: '☰' } } });
  });
});

describe('limits on ids and titles', () => {
  test('a button id takes 256 characters; a longer payload is left out and reported', () => {
    const fits = `p.${'x'.repeat(LIMITS.buttonId - 2)}`;
    const tooLong = `${fits}y`;
    const result = toOutbound({ ...base, buttons: [{ label: 'A', payload: fits }, { label: 'B', payload: tooLong }] }, TO, 'Choose');
    expect(result.requests[0]).toMatchObject({
      interactive: { type: 'button', action: { buttons: [{ type: 'reply', reply: { id: fits, title: 'A' } }] } },
    });
    expect(result.skipped).toEqual([tooLong]);
  });

  test('a list row id takes 200 characters', () => {
    const fits = `p.${'x'.repeat(LIMITS.rowId - 2)}`;
    const tooLong = `${fits}y`;
    const buttons = [...choices(3), { label: 'Fits', payload: fits }, { label: 'Too long', payload: tooLong }];
    const result = toOutbound({ ...base, buttons }, TO, 'Choose');
    const list = result.requests[0] as { interactive: { action: { sections: { rows: { id: string }[] }[] } } };
    expect(list.interactive.action.sections[0]!.rows.map((r) => r.id)).toEqual([...choices(3).map((c) => c.payload), fits]);
    expect(result.skipped).toEqual([tooLong]);
  });

  test('ids and titles are counted in characters, not bytes', () => {
    const devanagari = `p.${'क'.repeat(LIMITS.buttonId - 2)}`; // 764 bytes in UTF-8
    const title = 'क'.repeat(LIMITS.buttonTitle);
    const result = toOutbound({ ...base, buttons: [{ label: title, payload: devanagari }] }, TO, 'Choose');
    expect(result.skipped).toEqual([]);
    expect(result.requests[0]).toMatchObject({ interactive: { action: { buttons: [{ reply: { title } }] } } });
  });

  test('a title over its limit (20 for a button, 24 for a row) is shortened with an ellipsis', () => {
    const label = 'Before you go: what to pack';
    const buttons = toOutbound({ ...base, buttons: [{ label, payload: 'topic.open:packing' }] }, TO, 'Choose');
    expect(buttons.requests[0]).toMatchObject({ interactive: { action: { buttons: [{ reply: { title: 'Before you go: what…' } }] } } });
    const list = toOutbound({ ...base, buttons: [...choices(3), { label, payload: 'topic.open:packing' }] }, TO, 'Choose');
    const rows = (list.requests[0] as { interactive: { action: { sections: { rows: { title: string }[] }[] } } }).interactive.action
      .sections[0]!.rows;
    expect(rows[3]!.title).toBe('Before you go: what to …');
    expect([...rows[3]!.title]).toHaveLength(LIMITS.rowTitle);
  });

  test('when every payload is too long, the message is plain text', () => {
    const result = toOutbound({ ...base, buttons: [{ label: 'A', payload: 'p'.repeat(300) }] }, TO, 'Choose');
    expect(result.requests).toEqual([{ ...addressed, type: 'text', text: { body: base.text } }]);
    expect(result.skipped).toHaveLength(1);
  });
});

describe('an interactive body over 1024 characters', () => {
  const paragraph = (n: number, letter: string) => letter.repeat(n);

  test('1024 characters fit in one interactive message', () => {
    const text = paragraph(LIMITS.interactiveBody, 'a');
    const { requests } = toOutbound({ ...base, text, buttons: choices(2) }, TO, 'Choose');
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ interactive: { body: { text } } });
  });

  test('goes out as a text, then the interactive message with the closing paragraphs that fit as its body', () => {
    const intro = `${paragraph(700, 'a')}\n\n${paragraph(700, 'b')}`;
    const question = 'Shall we start?';
    const text = `${intro}\n\n${paragraph(400, 'c')}\n\n${question}`;
    const { requests } = toOutbound({ ...base, text, buttons: choices(2) }, TO, 'Choose');
    expect(requests).toHaveLength(2);
    expect(requests[0]).toEqual({ ...addressed, type: 'text', text: { body: intro } });
    expect(requests[1]).toMatchObject({ type: 'interactive', interactive: { type: 'button', body: { text: `${paragraph(400, 'c')}\n\n${question}` } } });
  });

  test('the same holds for a list, and the text part gets a link preview when it has a URL', () => {
    const first = `Read https://example.org/guide ${paragraph(1100, 'a')}`;
    const text = `${first}\n\nWhich topic?`;
    const { requests } = toOutbound({ ...base, text, buttons: choices(5) }, TO, 'Choose');
    expect(requests[0]).toEqual({ ...addressed, type: 'text', text: { body: first, preview_url: true } });
    expect(requests[1]).toMatchObject({ interactive: { type: 'list', body: { text: 'Which topic?' } } });
  });
});

describe('splitBody', () => {
  test('text that fits is all body', () => {
    expect(splitBody('short', 10)).toEqual({ before: null, body: 'short' });
  });

  test('cuts at the earliest paragraph break whose tail fits', () => {
    expect(splitBody('aaaa\n\nbbb\n\ncc', 8)).toEqual({ before: 'aaaa', body: 'bbb\n\ncc' });
  });

  test('falls back to a line break, then a space, then a hard cut', () => {
    expect(splitBody('aaaaaaaa\nbbb cc', 6)).toEqual({ before: 'aaaaaaaa', body: 'bbb cc' });
    expect(splitBody('aaaaaaaa bbbbbbb cc', 8)).toEqual({ before: 'aaaaaaaa bbbbbbb', body: 'cc' });
    expect(splitBody('abcdefghij', 4)).toEqual({ before: 'abcdef', body: 'ghij' });
  });

  test('a hard cut does not split a character made of two UTF-16 units', () => {
    const { before, body } = splitBody('😀😀😀😀😀', 2);
    expect(body).toBe('😀😀');
    expect(before).toBe('😀😀😀');
  });

  test('every part is within its limit and nothing is lost but the separator', () => {
    const text = Array.from({ length: 30 }, (_, i) => `Line ${i}: ${'word '.repeat(20).trim()}`).join('\n');
    const { before, body } = splitBody(text, LIMITS.interactiveBody);
    expect([...body].length).toBeLessThanOrEqual(LIMITS.interactiveBody);
    expect(`${before}\n${body}`).toBe(text);
  });
});

test('the waiting-reply template is sent by name and WhatsApp language code, without parameters', () => {
  expect(templateRequest(TO, 'reply_waiting', 'fil')).toEqual({
    ...addressed,
    type: 'template',
    template: { name: 'reply_waiting', language: { code: 'fil' } },
  });
});
