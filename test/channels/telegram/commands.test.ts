import { readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { BOT_COMMANDS } from '../../../src/channels/telegram/commands';
import { english, LOCALES_DIR, translator } from '../../support/english';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../../support/server';
import { FakeBotApi } from './fake-bot-api';

const TOKEN = '7000000004:AAH-fake-token-for-commands_0123456';
const LOCALES = readdirSync(LOCALES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

let db: TempDatabase;
let api: FakeBotApi;
let server: RunningApp | null = null;

beforeEach(async () => {
  db = tempDatabase();
  api = new FakeBotApi(TOKEN);
  await api.start();
});

afterEach(async () => {
  await server?.close();
  server = null;
  await api.stop();
  db.remove();
});

async function until<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settings = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_BOT_USERNAME: 'vv_test_bot', TELEGRAM_WEBHOOK_SECRET: 'commands-secret' };

test('at start-up the commands are registered in English by default and in every language', async () => {
  server = await startApp(db.path, { env: { ...settings, TELEGRAM_API_ROOT: api.url } });
  const calls = await until(() => {
    const made = api.callsTo('setMyCommands');
    return made.length === LOCALES.length + 1 ? made : undefined;
  });

  const byCode = new Map(calls.map((c) => [c.body.language_code as string | undefined, c.body.commands]));
  const inEnglish = BOT_COMMANDS.map((command) => ({ command, description: english(`telegram:${command}`) }));
  expect(byCode.get(undefined)).toEqual(inEnglish);
  expect(byCode.get('en')).toEqual(inEnglish);
  // Filipino has no two-letter code of its own: Telegram calls it tl.
  expect(byCode.has('fil')).toBe(false);
  expect(byCode.get('tl')).toEqual(BOT_COMMANDS.map((command) => ({ command, description: translator.t(`telegram:${command}`, 'fil') })));
  for (const locale of LOCALES.filter((l) => l !== 'fil')) {
    expect(byCode.get(locale)).toEqual(BOT_COMMANDS.map((command) => ({ command, description: translator.t(`telegram:${command}`, locale) })));
  }
  expect(new Set(calls.map((c) => c.body.language_code)).size).toBe(calls.length);
});

test('a failure is logged and the bot keeps serving', async () => {
  api.queue('setMyCommands', { ok: false, error_code: 400, description: 'Bad Request: something' });
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  server = await startApp(db.path, { env: { ...settings, TELEGRAM_API_ROOT: api.url }, log: { level: 'info', destination } });
  await until(() => lines.find((l) => l.event === 'telegram-commands-failed'));
  const res = await fetch(`${server.url}/healthz`);
  expect(res.status).toBe(200);
});

test('TELEGRAM_SET_COMMANDS=false leaves the commands alone', async () => {
  server = await startApp(db.path, { env: { ...settings, TELEGRAM_API_ROOT: api.url, TELEGRAM_SET_COMMANDS: 'false' } });
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(api.callsTo('setMyCommands')).toEqual([]);
});
