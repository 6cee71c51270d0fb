/**
 * Points Telegram at this server: setWebhook(<PUBLIC_URL>/telegram/webhook)
 * with TELEGRAM_WEBHOOK_SECRET, for the updates the bot handles.
 * Run once per deployment (or when the address or secret change):
 *   npm run telegram:webhook
 * Settings come from the environment, as for `npm start` (src/config/env.ts).
 */
import { Api } from 'grammy';
import { ConfigError, loadConfig, type Config } from '../src/config/env';

export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** The setWebhook request for these settings, or the names of the settings missing. */
export function webhookRequest(
  config: Config,
): { ok: true; token: string; apiRoot: string; url: string; secret: string } | { ok: false; missing: string[] } {
  const missing = (['TELEGRAM_BOT_TOKEN', 'PUBLIC_URL', 'TELEGRAM_WEBHOOK_SECRET'] as const).filter((k) => config[k] === undefined);
  if (missing.length > 0 || !config.TELEGRAM_BOT_TOKEN || !config.PUBLIC_URL || !config.TELEGRAM_WEBHOOK_SECRET) {
    return { ok: false, missing };
  }
  return {
    ok: true,
    token: config.TELEGRAM_BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
    url: `${config.PUBLIC_URL}/telegram/webhook`,
    secret: config.TELEGRAM_WEBHOOK_SECRET,
  };
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`telegram:webhook: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const request = webhookRequest(config);
  if (!request.ok) {
    console.error(
      `telegram:webhook: missing settings: ${request.missing.join(', ')}\n` +
        '  TELEGRAM_BOT_TOKEN: the token from @BotFather\n' +
        '  PUBLIC_URL: the public https:// address of this server, e.g. https://bot.example.org\n' +
        '  TELEGRAM_WEBHOOK_SECRET: the same secret the server runs with (1 to 256 letters, digits, _ or -)',
    );
    return 1;
  }
  if (config.TELEGRAM_MODE === 'polling') {
    console.warn('telegram:webhook: TELEGRAM_MODE is polling; a polling bot removes the webhook when it starts.');
  }
  const api = new Api(request.token, { apiRoot: request.apiRoot });
  try {
    await api.setWebhook(request.url, { secret_token: request.secret, allowed_updates: [...ALLOWED_UPDATES] });
  } catch (err) {
    console.error(`telegram:webhook: Telegram refused setWebhook: ${(err as Error).message}`);
    return 1;
  }
  console.log(`telegram:webhook: Telegram now sends ${ALLOWED_UPDATES.join(' and ')} updates to ${request.url}`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
