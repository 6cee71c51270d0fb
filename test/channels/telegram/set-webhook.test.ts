import { loadConfig } from '../../../src/config/env';
import { webhookRequest } from '../../../scripts/telegram-webhook';
import { SCRIPT_RUN_MS, runScript, type ScriptRun } from '../../support/run-script';
import { FakeBotApi } from './fake-bot-api';

const TOKEN = '7000000005:AAH-fake-token-for-setwebhook_01234';
const SECRET = 'webhook-secret_5';

/** Runs `npm run telegram:webhook` (tsx scripts/telegram-webhook.ts) with only these settings. */
function run(env: Record<string, string>): Promise<ScriptRun> {
  return runScript('scripts/telegram-webhook.ts', { env });
}

let api: FakeBotApi;

beforeEach(async () => {
  api = new FakeBotApi(TOKEN);
  await api.start();
});

afterEach(() => api.stop());

const settings = () => ({
  TELEGRAM_BOT_TOKEN: TOKEN,
  TELEGRAM_BOT_USERNAME: 'vv_test_bot',
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_API_ROOT: api.url,
  PUBLIC_URL: 'https://bot.example.org/',
});

test(
  'sets the webhook to PUBLIC_URL/telegram/webhook with the secret and the updates the bot handles',
  async () => {
    const result = await run(settings());

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('https://bot.example.org/telegram/webhook');
    expect(api.calls.map((c) => c.method)).toEqual(['setWebhook']);
    expect(api.calls[0]!.body).toEqual({
      url: 'https://bot.example.org/telegram/webhook',
      secret_token: SECRET,
      allowed_updates: ['message', 'callback_query'],
    });
  },
  SCRIPT_RUN_MS,
);

test(
  'missing settings are named, and Telegram is not called',
  async () => {
    const { PUBLIC_URL: _url, TELEGRAM_WEBHOOK_SECRET: _secret, ...rest } = settings();
    const result = await run({ ...rest, TELEGRAM_MODE: 'polling' });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('missing settings: PUBLIC_URL, TELEGRAM_WEBHOOK_SECRET');
    expect(api.calls).toEqual([]);
  },
  SCRIPT_RUN_MS,
);

test(
  'a refusal from Telegram is reported and exits non-zero',
  async () => {
    api.queue('setWebhook', { ok: false, error_code: 400, description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' });
    const result = await run(settings());

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bad webhook');
  },
  SCRIPT_RUN_MS,
);

test('webhookRequest names every missing setting; PUBLIC_URL must be https', () => {
  expect(webhookRequest(loadConfig({}))).toEqual({ ok: false, missing: ['TELEGRAM_BOT_TOKEN', 'PUBLIC_URL', 'TELEGRAM_WEBHOOK_SECRET'] });
  expect(() => loadConfig({ PUBLIC_URL: 'http://bot.example.org' })).toThrow(/PUBLIC_URL: must be an https:\/\/ URL/);
  expect(webhookRequest(loadConfig({ ...settings(), TELEGRAM_API_ROOT: 'https://api.telegram.org/' }))).toEqual({
    ok: true,
    token: TOKEN,
    apiRoot: 'https://api.telegram.org',
    url: 'https://bot.example.org/telegram/webhook',
    secret: SECRET,
  });
});
