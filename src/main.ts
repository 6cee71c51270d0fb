import { createApp } from './app';
import { ConfigError, loadConfig } from './config/env';

/** `npm start`: the bot with its web chat, on SQLite under ./data by default. */
async function main(): Promise<void> {
  let app;
  try {
    app = createApp(loadConfig());
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Virtual Volunteer cannot start: ${err.message}\nSee .env.example for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }
  const url = await app.listen();
  app.log.info({ event: 'listening', url }, `Virtual Volunteer web chat: ${url.replace('127.0.0.1', 'localhost')}/`);

  const shutdown = (signal: string) => {
    app.log.info({ event: 'shutdown', signal });
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ event: 'shutdown-failed', err });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Virtual Volunteer stopped: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
