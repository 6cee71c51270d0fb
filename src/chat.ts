import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { createApp } from './app';
import { createTerminalChannel } from './channels/terminal/channel';
import { toInbound } from './channels/terminal/to-inbound';
import { ConfigError, dataKeyProblems, loadConfig, type Config } from './config/env';
import { InboundError } from './conversation/engine';

const QUIET_LEVELS: readonly Config['LOG_LEVEL'][] = ['fatal', 'error', 'warn', 'silent'];

/**
 * `npm run chat`: talk to the bot in a terminal, interactively or piped
 * (`printf 'hi\n2\n' | npm run chat`). Leave with Ctrl-D or Ctrl-C: words
 * such as `quit`, `exit` and `stop` belong to the bot.
 */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    const problems = dataKeyProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Virtual Volunteer cannot start: ${err.message}\nSee .env.example for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }

  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const write = (text: string) => void process.stdout.write(text);
  const app = createApp(
    // Logs go to stderr and only from warn up, so they never interleave with the conversation.
    { ...config, LOG_LEVEL: QUIET_LEVELS.includes(config.LOG_LEVEL) ? config.LOG_LEVEL : 'warn' },
    { http: false, channels: [createTerminalChannel(write)], logDestination: pino.destination({ dest: 2, sync: true }) },
  );
  // No listen() here, which would prepare the database: PostgreSQL's migrations run before the first message.
  await app.ready();

  const rl = createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive });
  rl.on('SIGINT', () => rl.close());
  process.once('SIGINT', () => rl.close());
  process.once('SIGTERM', () => rl.close());

  if (interactive) {
    write('Virtual Volunteer, terminal chat. Type hi to start; choices are numbered, type a number to choose.\n');
    write('Leave with Ctrl-D or Ctrl-C.\n\n');
    rl.setPrompt('you> ');
    rl.prompt();
  }

  for await (const line of rl) {
    const message = toInbound(line, { now: Date.now(), messageId: randomUUID() });
    if (message) {
      // Piped input is not echoed by a terminal; writing it keeps the transcript readable.
      write(interactive ? '\n' : `> ${message.text}\n\n`);
      try {
        await app.engine.handle(message);
      } catch (err) {
        if (!(err instanceof InboundError)) throw err;
        write(`(not sent: ${err.issues.join('; ')})\n\n`);
      }
    }
    if (interactive) rl.prompt();
  }

  if (interactive) write('\nBye.\n');
  await app.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`Virtual Volunteer stopped: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
