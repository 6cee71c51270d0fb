import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
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
import {
  ConfigError,
  dataKeyProblems,
  postgresUrl,
  sqlitePath,
  teamsEnabled,
  whatsappCloudSettings,
  type Config,
} from './config/env';
import { AesGcmCipher, PlaintextCipher, parseKey, type Cipher } from './handoff/cipher';
import type { ChannelPort } from './conversation/channel';
import { errorFields } from './conversation/logger';
import { Engine } from './conversation/engine';
import type { ChannelPacing } from './conversation/delivery/deliverer';
import type { Outbox } from './conversation/delivery/outbox';
import type { Pace } from './conversation/delivery/pacer';
import { PollingOutbox } from './conversation/delivery/polling';
import { DEFAULT_RETRY, checkRetryPolicy } from './conversation/delivery/retry';
import { createMetrics, type Metrics } from './observability/metrics';
import { opsRoutes } from './observability/routes';
import { BullmqOutbox } from './outbox/bullmq-outbox';
import { RedisPacer } from './outbox/redis-pacer';
import { FlowRegistry, FlowRunner } from './conversation/flows';
import { Translator, loadLocaleResources, loadLocaleStatus } from './conversation/i18n';
import { MemoryLock, type KeyedLock } from './conversation/lock';
import { MemoryRateLimiter } from './conversation/rate-limit';
import { flowDeps } from './flow-deps';
import { RetentionJob } from './retention/job';
import { buildHttpServer } from './http/server';
import { MemoryStore } from './store/memory';
import { SqliteStore } from './store/sqlite';
import type { Store } from './store/store';
import { MemoryHandoffStore } from './store/handoff-memory';
import { SqliteHandoffStore } from './store/handoff-sqlite';
import { MemoryInsightStore } from './store/insight-memory';
import { SqliteInsightStore } from './store/insight-sqlite';
import { PostgresInsightStore } from './store/postgres/postgres-insight-store';
import type { InsightStore } from './insight/store';
import { InsightRecorder } from './insight/recorder';
import { organisationRouter } from './insight/organisations';
import { insightSecret, pseudonymiser } from './insight/pseudonym';
import { migratePostgres } from './store/postgres/migrate';
import { openPostgres } from './store/postgres/pool';
import { PostgresHandoffStore } from './store/postgres/postgres-handoff-store';
import { PostgresStore } from './store/postgres/postgres-store';
import { connectRedis } from './store/redis/connection';
import { RedisDeduper } from './store/redis/dedup';
import { RedisFailureLimiter } from './store/redis/failure-limiter';
import { RedisKeys } from './store/redis/keys';
import { RedisLock } from './store/redis/lock';
import { RedisRateLimiter } from './store/redis/rate-limiter';
import type { HandoffStore } from './handoff/store';
import { AlertMonitor } from './handoff/alerts';
import { alertSender, type TeamsPoster } from './handoff/alert-sender';
import { HandoffEvents } from './handoff/events';
import { HandoffService } from './handoff/handoff';
import { handoffStep } from './handoff/middleware';
import { alertsStep } from './alerts/middleware';
import { insightPageRoutes } from './handoff/inbox/insight-page';
import { consolePageRoutes } from './handoff/inbox/page';
import { consoleApiRoutes } from './handoff/inbox/routes';
import type { BroadcastStore } from './alerts/broadcasts';
import { LINKABLE_FLOWS } from './alerts/alert-message';
import { AlertSender } from './alerts/sender';
import type { SubscriptionStore } from './alerts/subscriptions';
import { MemoryBroadcastStore } from './store/broadcasts-memory';
import { SqliteBroadcastStore } from './store/broadcasts-sqlite';
import { PostgresBroadcastStore } from './store/postgres/postgres-broadcast-store';
import { MemorySubscriptionStore } from './store/subscriptions-memory';
import { SqliteSubscriptionStore } from './store/subscriptions-sqlite';
import { PostgresSubscriptionStore } from './store/postgres/postgres-subscription-store';

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
  /** Without Redis: how often the outbox looks for replies due again, in ms (default 1 s); tests shorten it. */
  outboxPollMs?: number;
}

export interface App {
  config: Config;
  engine: Engine;
  store: Store;
  /** Cases, organisations, staff and the audit log. */
  handoffStore: HandoffStore;
  /** Raises time-limit alerts on cases left waiting; runs between listen() and close(). */
  alerts: AlertMonitor;
  /** Daily aggregate counts per organisation (src/insight): never text, never a raw user id. */
  insightStore: InsightStore;
  /** Turns saved turns and handoff events into those counts, written in batches; `flush()` writes what is buffered now. */
  insight: InsightRecorder;
  /** Who asked for alerts about which country, in which language. */
  subscriptions: SubscriptionStore;
  /** Alert broadcasts and their recipients. */
  broadcasts: BroadcastStore;
  /** Previews, sends, pauses and cancels alert broadcasts; its loop runs between listen() and close(). */
  alertSender: AlertSender;
  /** Deletes closed cases and idle conversations older than RETENTION_DAYS; runs at listen() and daily until close(). */
  retention: RetentionJob;
  /** The handoff to caseworkers: the console's service, and the person's side in the engine. */
  handoff: HandoffService;
  /** The channels the engine sends through, e.g. to write to a conversation unprompted. */
  channels: readonly ChannelPort[];
  http: FastifyInstance | null;
  /** Delivers the replies saved in the outbox: BullMQ with Redis, else polling the database. */
  outbox: Outbox;
  /** The Prometheus metrics served at GET /metrics. */
  metrics: Metrics;
  /** The Redis connection shared by the lock, de-duplication and limits (REDIS_URL); null without. */
  redis: Redis | null;
  log: pino.Logger;
  /** Prepares the database (PostgreSQL's migrations); listen() does it first, the terminal chat calls it itself. */
  ready(): Promise<void>;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops taking requests, then closes the store. Safe to call twice. */
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..');

/** A channel's word in /readyz: `ok`, or the state WhatsApp Web is in instead (`qr`, `disconnected`…). */
function readyOrState(state: string): string {
  return state === 'ready' ? 'ok' : state;
}

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
  const pgUrl = postgresUrl(config);
  // PostgreSQL (several instances): one pool for every table, migrated by ready() before first use.
  const postgres =
    pgUrl === null
      ? null
      : openPostgres({
          url: pgUrl,
          schema: config.DATABASE_SCHEMA,
          poolSize: config.DATABASE_POOL_SIZE,
          onIdleError: (err) => log.warn({ event: 'postgres-connection-lost', ...errorFields(err) }),
        });
  const path = sqlitePath(config);
  const sqlite = path === null ? null : new SqliteStore(path);
  const store: Store = postgres ? new PostgresStore(postgres) : (sqlite ?? new MemoryStore());
  // Cases live with the conversations, on their connection or pool: closed before the store, which closes that.
  const handoffStore: HandoffStore = postgres
    ? new PostgresHandoffStore(postgres, cipher)
    : sqlite === null
      ? new MemoryHandoffStore(cipher)
      : new SqliteHandoffStore(sqlite.database, cipher);
  // Insight counts on the same connection or pool as the cases.
  const insightStore: InsightStore = postgres
    ? new PostgresInsightStore(postgres)
    : sqlite === null
      ? new MemoryInsightStore()
      : new SqliteInsightStore(sqlite.database);
  // Alert subscriptions and broadcasts, likewise beside the conversations they write to.
  const subscriptions: SubscriptionStore = postgres
    ? new PostgresSubscriptionStore(postgres)
    : sqlite === null
      ? new MemorySubscriptionStore()
      : new SqliteSubscriptionStore(sqlite.database);
  const broadcasts: BroadcastStore = postgres
    ? new PostgresBroadcastStore(postgres)
    : sqlite === null
      ? new MemoryBroadcastStore()
      : new SqliteBroadcastStore(sqlite.database);
  // SQLite migrates as it opens; PostgreSQL here, once. A failure (the database not up yet) is tried again on the next call.
  let readying: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    readying ??= (async () => {
      if (!postgres) return;
      const report = await migratePostgres(postgres);
      log.info({ event: 'postgres-schema', schema: postgres.schema, from: report.from, to: report.to, applied: report.applied.length });
    })().catch((err: unknown) => {
      readying = null;
      throw err;
    });
    return readying;
  };
  // Several instances share, through Redis, what one instance keeps in memory.
  const redis = config.REDIS_URL === undefined ? null : connectRedis(config.REDIS_URL, log.child({ component: 'redis' }));
  const redisKeys = new RedisKeys(config.REDIS_KEY_PREFIX);
  const lock: KeyedLock = redis
    ? new RedisLock(redis, { keys: redisKeys, leaseMs: config.REDIS_LOCK_LEASE_MS, local: new MemoryLock(), log: log.child({ component: 'lock' }) })
    : new MemoryLock();
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
  // Counts of what people do, from saved turns and handoff events, written in batches off the turn's path.
  const secret = insightSecret(config);
  // Counts kept in memory are gone after a restart anyway: nothing to warn about (and the terminal chat stays quiet).
  if (secret.source === 'random' && (postgres !== null || sqlite !== null)) {
    log.warn({
      event: 'insight-secret-random',
      detail: 'neither INSIGHT_SECRET nor DATA_ENCRYPTION_KEY is set: per-person daily counts may count a person twice after a restart',
    });
  }
  const insight = new InsightRecorder({
    store: insightStore,
    pseudonymise: pseudonymiser(secret.key),
    organisationFor: organisationRouter({ list: () => handoffStore.listOrganisations(), fallback: () => handoff.ensureDefaultOrganisation() }),
    cases: handoffStore,
    log: log.child({ component: 'insight' }),
    clock: options.clock,
  });
  handoffEvents.subscribe((event) => insight.handoffEvent(event));
  // Platforms' sending limits (0 in a setting: none). Telegram also limits each chat; a burst of 3 covers one turn's replies.
  const overall: Record<string, Pace> = {};
  const paceOf = (perSecond: number, burst: number): Pace | undefined => (perSecond > 0 ? { perSecond, burst } : undefined);
  for (const [name, perSecond] of [
    ['telegram', config.TELEGRAM_MAX_PER_SECOND],
    ['whatsapp-cloud', config.WHATSAPP_CLOUD_MAX_PER_SECOND],
    ['teams', config.TEAMS_MAX_PER_SECOND],
  ] as const) {
    // No burst: never more than the rate in any one second.
    const pace = paceOf(perSecond, 1);
    if (pace) overall[name] = pace;
  }
  const telegramChat = paceOf(config.TELEGRAM_CHAT_MAX_PER_SECOND, 3);
  const perChat: Record<string, Pace> = telegramChat ? { telegram: telegramChat } : {};
  // BullMQ needs Redis and a server (the terminal chat delivers in its own process).
  const queued = redis !== null && options.http !== false;
  // With BullMQ, each queue's limiter keeps the overall rate; the per-chat slots are shared in Redis.
  const pacing: Record<string, ChannelPacing> = {};
  for (const name of new Set([...Object.keys(overall), ...Object.keys(perChat)])) {
    pacing[name] = {
      ...(!queued && overall[name] ? { overall: overall[name] } : {}),
      ...(perChat[name] ? { perConversation: perChat[name] } : {}),
    };
  }
  const messageRate = {
    burst: config.USER_RATE_LIMIT,
    perWindow: config.USER_RATE_LIMIT,
    windowMs: config.USER_RATE_LIMIT_WINDOW_SECONDS * 1000,
  };
  const engine = new Engine({
    store,
    lock,
    // Frozen outside production, so that tests catch a step that changes a loaded record in place.
    recordCache: { freeze: config.NODE_ENV !== 'production' },
    dedup: redis ? new RedisDeduper(redis, { keys: redisKeys, clock: options.clock }) : undefined,
    flows,
    // After the SOS step. Alerts first, so that `unsubscribe` works even while a case is open; then an
    // open case takes the person's messages, and offers of a person ask consent first.
    before: [
      alertsStep({ subscriptions, flows: new FlowRunner(flows) }),
      handoffStep({ handoff, flows: new FlowRunner(flows), countries: deps.countries }),
    ],
    // One bucket per conversation: a flood is slowed without slowing anyone else.
    rateLimiter:
      config.USER_RATE_LIMIT === 0
        ? undefined
        : redis
          ? new RedisRateLimiter(redis, redisKeys, messageRate)
          : new MemoryRateLimiter(messageRate),
    // "Delete my data" takes the person's cases with it, and their once-a-day insight marks.
    onErase: async (channel, userId) => {
      await handoff.erasePerson(channel, userId);
      await insight.forget(channel, userId);
      // Their alert subscriptions, and the rows that say which alerts reached them.
      await subscriptions.deleteUser(channel, userId);
      await broadcasts.deleteUser(channel, userId);
    },
    countries: deps.countries,
    tr,
    channels,
    log,
    clock: options.clock,
    // The outbox: each reply saved in the turn's commit, then sent by a worker, once, in order, within the channel's limits.
    delivery: {
      retry: checkRetryPolicy({ ...DEFAULT_RETRY, maxAttempts: config.OUTBOX_MAX_ATTEMPTS }),
      leaseMs: config.OUTBOX_LEASE_MS,
      pacing,
      ...(queued && redis ? { pacer: new RedisPacer(redis, config.REDIS_KEY_PREFIX) } : {}),
    },
    outbox: (deliverer) =>
      queued && config.REDIS_URL !== undefined
        ? new BullmqOutbox(deliverer, {
            redisUrl: config.REDIS_URL,
            prefix: `${config.REDIS_KEY_PREFIX}bull`,
            log: log.child({ component: 'outbox' }),
            inline: channels.map((c) => c.name).filter((name) => overall[name] === undefined),
            limits: overall,
          })
        : new PollingOutbox(deliverer, { log: log.child({ component: 'outbox' }), pollMs: options.outboxPollMs }),
  });
  // The engine and the handoff reference each other: the service writes to people through the engine.
  handoff.connect(engine);
  engine.onCommitted((turn) => insight.committed(turn));
  engine.onDelivery((entries, outcome) => {
    handoff.deliveryReported(entries, outcome).catch((err: unknown) => log.error({ event: 'delivery-report-failed', ...errorFields(err) }));
  });
  // Alerts go out through the engine's outbox, so each channel's rate limits and the WhatsApp window apply.
  const broadcaster = new AlertSender({
    broadcasts,
    subscriptions,
    write: (ref, sourceId, act) => engine.write(ref, sourceId, act),
    organisation: (id) => handoffStore.getOrganisation(id),
    defaultOrganisation: () => handoff.ensureDefaultOrganisation(),
    audit: (entry) => handoffStore.audit(entry),
    locales: tr.locales,
    log: log.child({ component: 'alert-broadcasts' }),
    clock: options.clock,
    batchSize: config.ALERT_SEND_BATCH,
    leaseMs: config.OUTBOX_LEASE_MS,
  });
  engine.onDelivery((entries, outcome) => {
    broadcaster.loop
      .deliveryReported(entries, outcome)
      .catch((err: unknown) => log.error({ event: 'alert-delivery-report-failed', ...errorFields(err) }));
  });
  const metrics = createMetrics({ store, handoffStore, channels: channels.map((c) => c.name), log, clock: options.clock });
  engine.onTurn((turn) => metrics.turn(turn));
  engine.onDelivery((entries, outcome) => metrics.delivery(entries, outcome));
  // From the first SIGTERM: /readyz says 503, so a load balancer stops sending traffic here.
  let stopping = false;

  let http: FastifyInstance | null = null;
  if (options.http !== false) {
    http = buildHttpServer({ log, bodyLimit: config.HTTP_BODY_LIMIT });
    // A request still running when the stop began ends its connection with its answer: a kept-alive
    // connection would otherwise hold the stop open until the client let go of it.
    http.addHook('onSend', async (_request, reply) => {
      if (stopping) void reply.header('connection', 'close');
    });
    void http.register(
      opsRoutes({
        registry: metrics.registry,
        metricsToken: config.METRICS_TOKEN,
        readiness: {
          database: () => store.ping(),
          ...(redis ? { redis: () => redis.ping() } : {}),
          channels: () =>
            Object.fromEntries(
              channels.map((c) => [c.name, c === whatsappWeb?.channel ? readyOrState(whatsappWeb.status().state) : 'ok']),
            ),
          stopping: () => stopping,
        },
      }),
    );
    if (config.WEBCHAT_ENABLED) void http.register(webchatRoutes({ engine, store }));
    // The caseworker console's page; its API under /console/api.
    void http.register(consolePageRoutes());
    void http.register(insightPageRoutes());
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
        insight: insightStore,
        alerts: {
          sender: broadcaster,
          countries: [...new Map([...deps.countries.destinations(), ...deps.countries.origins()].map((c) => [c.code, { code: c.code, name: c.name }])).values()].sort(
            (a, b) => a.code.localeCompare(b.code),
          ),
          flows: LINKABLE_FLOWS.filter((id) => flows.get(id) !== undefined).map((id) => ({ id, label: tr.t(`alerts:open.${id}`, 'en') })),
        },
        failureLimiter: redis
          ? (name, rule) => new RedisFailureLimiter(redis, { keys: redisKeys, name, rule, clock: options.clock ?? Date.now })
          : undefined,
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

  const retention = new RetentionJob({
    store,
    handoffStore,
    subscriptions,
    insightStore,
    broadcasts,
    days: config.RETENTION_DAYS,
    log: log.child({ component: 'retention' }),
    clock: options.clock,
  });

  let closed: Promise<void> | null = null;
  return {
    config,
    engine,
    store,
    handoffStore,
    alerts,
    insightStore,
    insight,
    subscriptions,
    broadcasts,
    alertSender: broadcaster,
    retention,
    handoff,
    channels,
    http,
    outbox: engine.outbox,
    metrics,
    redis,
    log,
    ready,
    async listen() {
      if (!http) throw new Error('this app was created without HTTP');
      await ready();
      const address = await http.listen({ host: config.HOST, port: config.PORT });
      if (config.PUBLIC_URL === undefined) baseUrl = address;
      // Retries, and replies a stopped or crashed process left behind.
      engine.outbox.start();
      await handoff.ensureDefaultOrganisation();
      alerts.start();
      retention.start();
      // Broadcasts a stopped or crashed instance left sending carry on.
      broadcaster.loop.start();
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
        stopping = true;
        commandsAbort.abort();
        await commandsDone;
        if (telegramBot?.isRunning()) await telegramBot.stop();
        // Before the store closes: it closes the browser and waits for the messages being handled.
        await whatsappWeb?.stop();
        if (http) await http.close();
        // Webhook work outlives its request (answered first, handled after): let it finish with the store open.
        await cloud?.idle();
        // Turns answered at their commit (the Telegram webhook) send their replies before the outbox stops.
        await engine.idle();
        await alerts.stop();
        await retention.stop();
        // The batch in flight ends; the rest stays pending for the next start.
        await broadcaster.loop.stop();
        // Turns are done: the sends in flight finish, the rest stays saved for the next worker.
        await engine.outbox.stop();
        // After the last turn and reply, before the stores close: what is left of the counts is written.
        await insight.close();
        await handoffStore.close();
        await store.close();
        // Last: turns finishing above still take and free locks. A Redis that is down cannot say goodbye.
        if (redis && redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
      })();
      return closed;
    },
  };
}
