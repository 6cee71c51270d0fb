import { createApp } from '../../src/app';
import { benchConfig } from '../workload/engine';

/**
 * The bot's server for the HTTP benchmark, in its own process so that the
 * load generator does not share its event loop: the real app (web chat and
 * the Telegram webhook) on a SQLite file. Prints its address as one JSON line.
 */
async function main(): Promise<void> {
  const [databasePath, telegramApiRoot, token, secret] = process.argv.slice(2);
  if (!databasePath || !telegramApiRoot || !token || !secret) throw new Error('usage: serve.ts <sqlite file> <bot api root> <token> <secret>');
  const app = createApp(
    benchConfig(databasePath, {
      HOST: '127.0.0.1',
      PORT: '0',
      TELEGRAM_BOT_TOKEN: token,
      TELEGRAM_BOT_USERNAME: 'vv_bench_bot',
      TELEGRAM_WEBHOOK_SECRET: secret,
      TELEGRAM_API_ROOT: telegramApiRoot,
      TELEGRAM_SET_COMMANDS: 'false',
      // Telegram's own limits (30 messages a second in all, 1 a second per chat) would measure the pacing,
      // not the server; the fake Bot API has none.
      TELEGRAM_MAX_PER_SECOND: '0',
      TELEGRAM_CHAT_MAX_PER_SECOND: '0',
    }),
  );
  const url = await app.listen();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.once('SIGTERM', () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
