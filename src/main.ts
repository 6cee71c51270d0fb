import { createApp } from './app';
import { ConfigError, loadConfig } from './config/env';
import { errorFields } from './conversation/logger';

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

  // The first SIGTERM (or Ctrl+C) stops gently: no new requests, turns and sends in flight finish, the
  // rest stays saved for the next worker. A second signal, or the deadline, ends the process at once.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      app.log.warn({ event: 'shutdown-forced', signal });
      process.exit(1);
    }
    stopping = true;
    const seconds = app.config.SHUTDOWN_TIMEOUT_SECONDS;
    app.log.info({ event: 'shutdown', signal, seconds });
    setTimeout(() => {
      app.log.error({ event: 'shutdown-timeout', seconds });
      process.exit(1);
    }, seconds * 1000).unref();
    app.close().then(
      () => {
        app.log.info({ event: 'stopped' });
        process.exit(0);
      },
      (err: unknown) => {
        app.log.error({ event: 'shutdown-failed', ...errorFields(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Virtual Volunteer stopped: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
