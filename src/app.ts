import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createFlows } from '../flows';
import { webchatChannel } from './channels/webchat/channel';
import { webchatRoutes } from './channels/webchat/routes';
import { createTeams } from './channels/teams/adapter';
import { teamsRoutes } from './channels/teams/routes';
import { createTelegramBot, telegramChannel } from './channels/telegram/channel';
import { MessageTracker } from './channels/telegram/tracked';
import { commandCalls, registerCommands } from './channels/telegram/commands';
import { telegramRoutes } from './channels/telegram/routes';
import { handleUpdate } from './channels/telegram/updates';
import { sqlitePath, teamsEnabled, type Config } from './config/env';
import type { ChannelPort } from './conversation/channel';
import { errorFields } from './conversation/logger';
import { Engine } from './conversation/engine';
import { FlowRegistry } from './conversation/flows';
import { Translator, loadLocaleResources, loadLocaleStatus } from './conversation/i18n';
import { MemoryLock } from './conversation/lock';
import { flowDeps } from './flow-deps';
import { buildHttpServer } from './http/server';
import { MemoryStore } from './store/memory';
import { SqliteStore } from './store/sqlite';
import type { Store } from './store/store';

export interface AppOptions {
  /** Channels served by this process besides the web chat (the terminal chat adds its own). */
  channels?: ChannelPort[];
  /** Serve HTTP (web chat, health). The terminal chat runs without. */
  http?: boolean;
  /** Where pino writes; defaults to standard output. */
  logDestination?: pino.DestinationStream;
}

export interface App {
  config: Config;
  engine: Engine;
  store: Store;
  /** The channels the engine sends through, e.g. to write to a conversation unprompted. */
  channels: readonly ChannelPort[];
  http: FastifyInstance | null;
  log: pino.Logger;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops taking requests, then closes the store. Safe to call twice. */
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..');

/**
 * The composition root: the one place that picks implementations (store,
 * lock, channels) from the settings and wires them together.
 */
export function createApp(config: Config, options: AppOptions = {}): App {
  const log = pino({ level: config.LOG_LEVEL, base: { app: 'virtual-volunteer' } }, options.logDestination);
  const path = sqlitePath(config);
  const store: Store = path === null ? new MemoryStore() : new SqliteStore(path);
  const channels = [...(config.WEBCHAT_ENABLED ? [webchatChannel] : []), ...(options.channels ?? [])];
  // Teams: on with TEAMS_ENABLED, or else when an app id is set; without one, activities are not authenticated.
  const teamsLog = log.child({ channel: 'teams' });
  const teams = teamsEnabled(config)
    ? createTeams(
        {
          appId: config.MICROSOFT_APP_ID,
          appPassword: config.MICROSOFT_APP_PASSWORD,
          tenantId: config.MICROSOFT_APP_TENANT_ID,
          appType: config.MICROSOFT_APP_TYPE,
        },
        store,
        teamsLog,
      )
    : null;
  if (teams) channels.push(teams.channel);
  // Telegram: on when a bot token is set (loadConfig has checked the settings it then needs).
  const telegramBot =
    config.TELEGRAM_BOT_TOKEN === undefined
      ? null
      : createTelegramBot({
          token: config.TELEGRAM_BOT_TOKEN,
          apiRoot: config.TELEGRAM_API_ROOT.replace(/\/+$/, ''),
          username: config.TELEGRAM_BOT_USERNAME ?? 'bot',
        });
  const telegramLog = log.child({ channel: 'telegram' });
  // The chats' recent message ids, for discreet mode: in memory, so lost on a restart.
  const telegramTracker = new MessageTracker();
  if (telegramBot) channels.push(telegramChannel(telegramBot.api, telegramLog, { tracker: telegramTracker }));
  const deps = flowDeps(config);
  const tr = new Translator(loadLocaleResources(join(ROOT, 'locales')), loadLocaleStatus(join(ROOT, 'locales')));
  const engine = new Engine({
    store,
    lock: new MemoryLock(),
    flows: new FlowRegistry(createFlows(deps)),
    countries: deps.countries,
    tr,
    channels,
    log,
  });

  let http: FastifyInstance | null = null;
  if (options.http !== false) {
    http = buildHttpServer({ log, bodyLimit: config.HTTP_BODY_LIMIT });
    if (config.WEBCHAT_ENABLED) void http.register(webchatRoutes({ engine, store }));
    if (teams) {
      void http.register(teamsRoutes({ engine, adapter: teams.adapter, channel: teams.channel, log: teamsLog }));
      if (teams.authenticated) teamsLog.info({ event: 'teams-on', auth: 'app id' });
      else teamsLog.warn({ event: 'teams-on', auth: 'none: MICROSOFT_APP_ID is not set; unauthenticated activities are accepted (Emulator only)' });
    }
    if (telegramBot && config.TELEGRAM_MODE === 'webhook' && config.TELEGRAM_WEBHOOK_SECRET !== undefined) {
      const secret = config.TELEGRAM_WEBHOOK_SECRET;
      void http.register(telegramRoutes({ engine, api: telegramBot.api, log: telegramLog, secret, tracker: telegramTracker }));
    }
  }
  const telegramPolling = telegramBot !== null && config.TELEGRAM_MODE === 'polling';
  if (telegramBot && telegramPolling) {
    const bot = telegramBot;
    bot.use(async (ctx) => {
      await handleUpdate(ctx.update, { engine, api: bot.api, log: telegramLog, tracker: telegramTracker });
    });
    bot.catch((err) => telegramLog.error({ event: 'telegram-update-failed', ...errorFields(err.error) }));
  }
  log.info({
    event: 'channels',
    webchat: config.WEBCHAT_ENABLED && options.http !== false ? 'on' : 'off',
    telegram: telegramBot ? `on (${config.TELEGRAM_MODE})` : 'off: TELEGRAM_BOT_TOKEN is not set',
    teams: teams && options.http !== false ? (teams.authenticated ? 'on' : 'on (unauthenticated)') : 'off: MICROSOFT_APP_ID is not set (or TEAMS_ENABLED=false)',
    ...Object.fromEntries((options.channels ?? []).map((c) => [c.name, 'on'])),
  });

  // Telegram's command menu, in every language; a failure is logged, not fatal.
  const commandsAbort = new AbortController();
  let commandsDone: Promise<void> | null = null;
  const setTelegramCommands = () => {
    if (!telegramBot || !config.TELEGRAM_SET_COMMANDS || commandsDone) return;
    const calls = commandCalls(tr.locales, (command, locale) => tr.t(`telegram:${command}`, locale));
    commandsDone = registerCommands(telegramBot.api, calls, commandsAbort.signal).then(
      () => telegramLog.info({ event: 'telegram-commands-set', languages: calls.length - 1 }),
      (err: unknown) => {
        if (!commandsAbort.signal.aborted) telegramLog.error({ event: 'telegram-commands-failed', ...errorFields(err) });
      },
    );
  };

  let closed: Promise<void> | null = null;
  return {
    config,
    engine,
    store,
    channels,
    http,
    log,
    async listen() {
      if (!http) throw new Error('this app was created without HTTP');
      const address = await http.listen({ host: config.HOST, port: config.PORT });
      if (telegramBot && telegramPolling && !telegramBot.isRunning()) {
        // Resolves only when polling stops; a failure to start (a bad token) is logged, not fatal to the rest.
        telegramBot
          .start({
            onStart: () => {
              telegramLog.info({ event: 'telegram-polling' });
              setTelegramCommands();
            },
          })
          .catch((err: unknown) => telegramLog.error({ event: 'telegram-polling-failed', ...errorFields(err) }));
      }
      // In polling mode, after polling has started (its first call removes the webhook).
      if (!telegramPolling) setTelegramCommands();
      return address;
    },
    close() {
      closed ??= (async () => {
        commandsAbort.abort();
        await commandsDone;
        if (telegramBot?.isRunning()) await telegramBot.stop();
        if (http) await http.close();
        await store.close();
      })();
      return closed;
    },
  };
}
