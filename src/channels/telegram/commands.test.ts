import { BOT_COMMANDS, commandCalls, telegramLanguageCode } from './commands';

const describe_ = (command: string, locale: string) => `${command} in ${locale}`;

test('Telegram codes: two letters as they are, fil as tl, anything else none', () => {
  expect(telegramLanguageCode('en')).toBe('en');
  expect(telegramLanguageCode('ne')).toBe('ne');
  expect(telegramLanguageCode('fil')).toBe('tl');
  expect(telegramLanguageCode('ceb')).toBeNull();
  expect(telegramLanguageCode('pt-BR')).toBeNull();
});

test('one default call in English, then one per language with its Telegram code', () => {
  const calls = commandCalls(['en', 'fil', 'ne', 'ceb'], describe_);
  expect(calls).toEqual([
    { commands: BOT_COMMANDS.map((c) => ({ command: c, description: `${c} in en` })) },
    { commands: BOT_COMMANDS.map((c) => ({ command: c, description: `${c} in en` })), language_code: 'en' },
    { commands: BOT_COMMANDS.map((c) => ({ command: c, description: `${c} in fil` })), language_code: 'tl' },
    { commands: BOT_COMMANDS.map((c) => ({ command: c, description: `${c} in ne` })), language_code: 'ne' },
  ]);
});

test('the commands are start, menu, language, help and sos, each valid for Telegram', () => {
  expect([...BOT_COMMANDS]).toEqual(['start', 'menu', 'language', 'help', 'sos']);
  for (const c of BOT_COMMANDS) expect(c).toMatch(/^[a-z0-9_]{1,32}$/);
});

test('a language code is used once, and a description is cut to 256 characters', () => {
  const calls = commandCalls(['tl', 'fil'], () => 'x'.repeat(300));
  expect(calls.map((c) => c.language_code)).toEqual([undefined, 'tl']);
  expect(calls[0]!.commands[0]!.description).toHaveLength(256);
});
