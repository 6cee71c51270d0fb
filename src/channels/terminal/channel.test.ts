import type { OutboundMessage } from '../../conversation/channel';
import { render } from '../../conversation/render';
import { Translator } from '../../conversation/i18n';
import { createTerminalChannel } from './channel';

const tr = new Translator({
  en: {
    t: {
      pick: 'Pick one:',
      a: 'Apples',
      b: 'Bananas',
      site: 'Our website',
    },
  },
});

describe('the terminal channel', () => {
  test('has no buttons or link buttons, so choices are numbered and links written out', () => {
    const channel = createTerminalChannel(() => undefined);
    const [reply] = render(
      [
        {
          key: 't:pick',
          choices: [
            { label: 't:a', payload: 'fruit.a' },
            { label: 't:b', payload: 'fruit.b' },
          ],
          links: [{ label: 't:site', url: 'https://example.org/help' }],
        },
      ],
      'en',
      channel.capabilities,
      tr,
    );
    expect(reply).toEqual({
      text: 'Pick one:\n\n1. Apples\n2. Bananas\n\nOur website: https://example.org/help',
      locale: 'en',
      dir: 'ltr',
    });
  });

  test('writes each reply in order, separated by a blank line', async () => {
    const written: string[] = [];
    const channel = createTerminalChannel((text) => written.push(text));
    const messages: OutboundMessage[] = [
      { text: 'First\nline two', locale: 'en', dir: 'ltr' },
      { text: 'Second', locale: 'en', dir: 'ltr' },
    ];
    await channel.send({ channel: 'terminal', conversationId: 'local', userId: 'local' }, messages);
    expect(written).toEqual(['First\nline two\n\n', 'Second\n\n']);
  });
});
