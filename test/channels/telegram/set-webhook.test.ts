import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/env';
import { webhookRequest } from '../../../scripts/telegram-webhook';
import { FakeBotApi } from './fake-bot-api';

const ROOT = join(__dirname, '..', '..', '..');
const TOKEN = '7000000005:AAH-fake-token-for-setwebhook_01234';
const SECRET = 'webhook-secret_5';
const PER_RUN = 20_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run telegram:webhook` (tsx scripts/telegram-webhook.ts) with only these settings. */
function run(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/telegram-webhook.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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
  PER_RUN,
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
  PER_RUN,
);

test(
  'a refusal from Telegram is reported and exits non-zero',
  async () => {
    api.queue('setWebhook', { ok: false, error_code: 400, description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' });
    const result = await run(settings());

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bad webhook');
  },
  PER_RUN,
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
