import { Writable } from 'node:stream';
import { ConfigError, loadConfig } from '../../../src/config/env';
import { startApp, tempDatabase } from '../../support/server';

const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';

test('without a token Telegram is off, and every Telegram setting has its default', () => {
  expect(loadConfig({})).toMatchObject({ TELEGRAM_MODE: 'webhook', TELEGRAM_API_ROOT: 'https://api.telegram.org' });
  expect(loadConfig({}).TELEGRAM_BOT_TOKEN).toBeUndefined();
});

test('a token needs a username, and a webhook secret in webhook mode', () => {
  expect(() => loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN })).toThrow(
    new ConfigError([
      'TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_BOT_TOKEN in webhook mode',
      'TELEGRAM_BOT_USERNAME: required with TELEGRAM_BOT_TOKEN',
    ]),
  );
  expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'polling', TELEGRAM_BOT_USERNAME: '@vv_bot' })).toMatchObject({
    TELEGRAM_MODE: 'polling',
    TELEGRAM_BOT_USERNAME: 'vv_bot',
  });
});

test.each([
  ['TELEGRAM_BOT_TOKEN', 'not-a-token'],
  ['TELEGRAM_WEBHOOK_SECRET', 'has spaces in it'],
  ['TELEGRAM_MODE', 'push'],
  ['TELEGRAM_API_ROOT', 'ftp://example.org'],
  ['TELEGRAM_BOT_USERNAME', 'a'],
])('a bad %s is refused by name', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
});

test('start-up logs which channels are on and off', async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const db = tempDatabase();
  const server = await startApp(db.path, { log: { level: 'info', destination } });
  try {
    const entry = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'channels');
    expect(entry).toMatchObject({ webchat: 'on', telegram: 'off: TELEGRAM_BOT_TOKEN is not set' });
  } finally {
    await server.close();
    db.remove();
  }
});
