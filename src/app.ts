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
import { createWhatsAppWeb, type WhatsAppWebOverrides } from './channels/whatsapp-web/channel';
import { createWhatsAppWebClient } from './channels/whatsapp-web/client';
import { whatsappWebRoutes } from './channels/whatsapp-web/routes';
import { WhatsAppCloudChannel } from './channels/whatsapp-cloud/channel';
import { GraphClient } from './channels/whatsapp-cloud/graph-client';
import { whatsappCloudRoutes } from './channels/whatsapp-cloud/routes';
import { templateLanguage } from './channels/whatsapp-cloud/template-language';
import { ConfigError, dataKeyProblems, sqlitePath, teamsEnabled, whatsappCloudSettings, type Config } from './config/env';
import { AesGcmCipher, PlaintextCipher, parseKey, type Cipher } from './handoff/cipher';
import type { ChannelPort } from './conversation/channel';
import { errorFields } from './conversation/logger';
import { Engine } from './conversation/engine';
import { FlowRegistry, FlowRunner } from './conversation/flows';
import { Translator, loadLocaleResources, loadLocaleStatus } from './conversation/i18n';
import { MemoryLock } from './conversation/lock';
import { flowDeps } from './flow-deps';
import { buildHttpServer } from './http/server';
import { MemoryStore } from './store/memory';
import { SqliteStore } from './store/sqlite';
import type { Store } from './store/store';
import { MemoryHandoffStore } from './store/handoff-memory';
import { SqliteHandoffStore } from './store/handoff-sqlite';
import type { HandoffStore } from './handoff/store';
import { AlertMonitor } from './handoff/alerts';
import { alertSender, type TeamsPoster } from './handoff/alert-sender';
import { HandoffEvents } from './handoff/events';
import { HandoffService } from './handoff/handoff';
import { handoffStep } from './handoff/middleware';
import { consolePageRoutes } from './handoff/inbox/page';
import { consoleApiRoutes } from './handoff/inbox/routes';

export interface AppOptions {
  /** Channels served by this process besides the web chat (the terminal chat adds its own). */
  channels?: ChannelPort[];
  /** Serve HTTP (web chat, health). The terminal chat runs without. */
  http?: boolean;
  /** Where pino writes; defaults to standard output. */
  logDestination?: pino.DestinationStream;
  /** Tests: a fake whatsapp-web.js client (instead of Chromium), no QR in the terminal, shorter waits. */
  whatsappWeb?: WhatsAppWebOverrides;
  /** The time (ms since the epoch) for the engine and the WhatsApp Cloud window; tests move it. */
  clock?: () => number;
  /** How often replies a channel did not take are sent again, in ms (default 15 s); tests shorten it. */
  redeliverEveryMs?: number;
}

export interface App {
  config: Config;
  engine: Engine;
  store: Store;
  /** Cases, organisations, staff and the audit log. */
  handoffStore: HandoffStore;
  /** Raises time-limit alerts on cases left waiting; runs between listen() and close(). */
  alerts: AlertMonitor;
  /** The handoff to caseworkers: the console's service, and the person's side in the engine. */
  handoff: HandoffService;
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
  const keyProblems = dataKeyProblems(config);
  if (keyProblems.length > 0) throw new ConfigError(keyProblems);
  const cipher: Cipher =
    config.DATA_ENCRYPTION_KEY === undefined ? new PlaintextCipher() : new AesGcmCipher(parseKey(config.DATA_ENCRYPTION_KEY));
  const log = pino({ level: config.LOG_LEVEL, base: { app: 'virtual-volunteer' } }, options.logDestination);
  const path = sqlitePath(config);
  const sqlite = path === null ? null : new SqliteStore(path);
  const store: Store = sqlite ?? new MemoryStore();
  // Cases live in the conversations' file, on its connection: closed before the store, which closes that.
  const handoffStore: HandoffStore =
    sqlite === null ? new MemoryHandoffStore(cipher) : new SqliteHandoffStore(sqlite.database, cipher);
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
  // WhatsApp through whatsapp-web.js: one browser per number, so only the server runs it (not the terminal chat).
  const whatsappWebLog = log.child({ channel: 'whatsapp-web' });
  const whatsappWeb =
    config.WHATSAPP_WEB_ENABLED && options.http !== false
      ? createWhatsAppWeb({
          createClient: () =>
            createWhatsAppWebClient({
              chromiumPath: config.CHROMIUM_PATH,
              dataDir: config.WHATSAPP_WEB_DATA_DIR,
              runningAsRoot: process.getuid?.() === 0,
            }),
          qrOutput: process.stderr,
          ...options.whatsappWeb,
          log: whatsappWebLog,
        })
      : null;
  if (whatsappWeb) channels.push(whatsappWeb.channel);
  const deps = flowDeps(config);
  const tr = new Translator(loadLocaleResources(join(ROOT, 'locales')), loadLocaleStatus(join(ROOT, 'locales')));
  // WhatsApp Cloud API: on when an access token is set (loadConfig has checked the settings it then needs);
  // messages arrive by webhook, so only the server runs it.
  const cloudSettings = whatsappCloudSettings(config);
  const cloudLog = log.child({ channel: 'whatsapp-cloud' });
  const cloud =
    cloudSettings === null || options.http === false
      ? null
      : new WhatsAppCloudChannel({
          graph: new GraphClient({ apiRoot: cloudSettings.apiRoot, phoneNumberId: cloudSettings.phoneNumberId, token: cloudSettings.token }),
          store,
          log: cloudLog,
          templateName: cloudSettings.templateName,
          templateLanguage: templateLanguage(cloudSettings.templateLanguages, cloudSettings.templateFallbackLanguage),
          listButton: (locale) => tr.t('whatsapp:listButton', locale),
          now: options.clock,
        });
  if (cloud) channels.push(cloud);
  const flows = new FlowRegistry(createFlows(deps));
  const handoffEvents = new HandoffEvents(log.child({ component: 'handoff' }));
  const handoff = new HandoffService({
    store: handoffStore,
    log: log.child({ component: 'handoff' }),
    defaultOrganisation: config.HANDOFF_DEFAULT_ORGANISATION,
    languages: tr.locales,
    events: handoffEvents,
    clock: options.clock,
  });
  const engine = new Engine({
    store,
    lock: new MemoryLock(),
    flows,
    // After the SOS step: an open case takes the person's messages; offers of a person ask consent first.
    before: [handoffStep({ handoff, flows: new FlowRunner(flows), countries: deps.countries })],
    // "Delete my data" takes the person's cases with it.
    onErase: async (channel, userId) => {
      await handoff.erasePerson(channel, userId);
    },
    countries: deps.countries,
    tr,
    channels,
    log,
    clock: options.clock,
  });
  // The engine and the handoff reference each other: the service writes to people through the engine.
  handoff.connect(engine);
  engine.onDelivery((entries, outcome) => {
    handoff.deliveryReported(entries, outcome).catch((err: unknown) => log.error({ event: 'delivery-report-failed', ...errorFields(err) }));
  });
  // Replies a channel did not take (any channel, a caseworker's too) are sent again, in order.
  let redelivering: Promise<unknown> | null = null;
  const redeliverTimer = setInterval(() => {
    if (redelivering) return;
    redelivering = engine
      .redeliver()
      .catch((err: unknown) => log.error({ event: 'redeliver-failed', ...errorFields(err) }))
      .finally(() => {
        redelivering = null;
      });
  }, options.redeliverEveryMs ?? 15_000);
  redeliverTimer.unref();

  let http: FastifyInstance | null = null;
  if (options.http !== false) {
    http = buildHttpServer({ log, bodyLimit: config.HTTP_BODY_LIMIT });
    if (config.WEBCHAT_ENABLED) void http.register(webchatRoutes({ engine, store }));
    // The caseworker console's page; its API under /console/api.
    void http.register(consolePageRoutes());
    void http.register(
      consoleApiRoutes({
        store: handoffStore,
        handoff,
        locales: tr.locales,
        sessionHours: config.CONSOLE_SESSION_HOURS,
        // PUBLIC_URL is always https (env.ts): the console is then served over TLS.
        secureCookies: config.PUBLIC_URL !== undefined || config.NODE_ENV === 'production',
        publicUrl: config.PUBLIC_URL,
        bodyLimit: config.HTTP_BODY_LIMIT,
        log,
        clock: options.clock,
      }),
    );
    if (teams) {
      void http.register(teamsRoutes({ engine, adapter: teams.adapter, channel: teams.channel, log: teamsLog }));
      if (teams.authenticated) teamsLog.info({ event: 'teams-on', auth: 'app id' });
      else teamsLog.warn({ event: 'teams-on', auth: 'none: MICROSOFT_APP_ID is not set; unauthenticated activities are accepted (Emulator only)' });
    }
    if (whatsappWeb && config.WHATSAPP_WEB_ADMIN_TOKEN !== undefined) {
      void http.register(whatsappWebRoutes({ token: config.WHATSAPP_WEB_ADMIN_TOKEN, status: () => whatsappWeb.status() }));
    }
    if (cloud && cloudSettings) {
      const { appSecret, verifyToken, phoneNumberId } = cloudSettings;
      void http.register(whatsappCloudRoutes({ engine, channel: cloud, store, log: cloudLog, phoneNumberId, appSecret, verifyToken }));
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
    'whatsapp-web': whatsappWeb
      ? 'on (whatsapp-web.js, unofficial)'
      : config.WHATSAPP_WEB_ENABLED
        ? 'off: only the server runs it, not the terminal chat'
        : 'off: WHATSAPP_WEB_ENABLED is not true',
    'whatsapp-cloud': cloud
      ? 'on'
      : cloudSettings
        ? 'off: only the server runs it, not the terminal chat'
        : 'off: WHATSAPP_CLOUD_TOKEN is not set',
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

  // Time-limit alerts: the console link uses PUBLIC_URL, else the address listen() got.
  let baseUrl = config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`;
  // An alert target names the staff's Teams channel by its conversation key, `teams:<conversation id>`.
  const teamsConversation = (key: string) => key.replace(/^teams:/, '');
  const teamsAlerts: TeamsPoster | null = teams
    ? {
        known: async (key) => (await teams.channel.references.get(teamsConversation(key))) !== undefined,
        post: (key, text) =>
          teams.channel.send({ channel: teams.channel.name, conversationId: teamsConversation(key), userId: '' }, [
            { text, locale: 'en', dir: 'ltr' },
          ]),
      }
    : null;
  const alerts = new AlertMonitor({
    store: handoffStore,
    events: handoffEvents,
    sender: alertSender({ log: log.child({ component: 'alerts' }), teams: teamsAlerts }),
    log: log.child({ component: 'alerts' }),
    urgentMinutes: config.HANDOFF_URGENT_ALERT_MINUTES,
    normalMinutes: config.HANDOFF_ALERT_MINUTES,
    consoleUrl: (caseId) => `${baseUrl}/console/#/cases/${encodeURIComponent(caseId)}`,
    clock: options.clock,
  });

  let closed: Promise<void> | null = null;
  return {
    config,
    engine,
    store,
    handoffStore,
    alerts,
    handoff,
    channels,
    http,
    log,
    async listen() {
      if (!http) throw new Error('this app was created without HTTP');
      const address = await http.listen({ host: config.HOST, port: config.PORT });
      if (config.PUBLIC_URL === undefined) baseUrl = address;
      await handoff.ensureDefaultOrganisation();
      alerts.start();
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
      // Launches Chromium in the background; linking and connecting are logged as they happen.
      whatsappWeb?.start((message) => engine.handle(message));
      return address;
    },
    close() {
      closed ??= (async () => {
        commandsAbort.abort();
        await commandsDone;
        if (telegramBot?.isRunning()) await telegramBot.stop();
        // Before the store closes: it closes the browser and waits for the messages being handled.
        await whatsappWeb?.stop();
        if (http) await http.close();
        // Webhook work outlives its request (answered first, handled after): let it finish with the store open.
        await cloud?.idle();
        await alerts.stop();
        clearInterval(redeliverTimer);
        await redelivering;
        await handoffStore.close();
        await store.close();
      })();
      return closed;
    },
  };
}
