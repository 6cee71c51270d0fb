import { z } from 'zod';
import { parseKey } from '../handoff/cipher';

/**
 * Every setting, from environment variables. This module is the only reader
 * of `process.env` (lint enforces it); everything else receives a Config.
 * Each variable is listed with its default in `.env.example`.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: "use 'true' or 'false'" })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A secret or id as a deployment tool would paste it: printable ASCII, no spaces. */
const printable = (what: string) =>
  z.string().max(2048).regex(/^[\x21-\x7e]+$/, `must be ${what}: printable ASCII without spaces`);

/** A PostgreSQL connection URL, as libpq and node-postgres take it. */
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Messages a second, 0 for no limit. */
const rate = (fallback: number) =>
  z.coerce.number({ message: 'must be a number' }).min(0, 'must be 0 (no limit) or more').max(10_000).default(fallback);

/** A WhatsApp template language code: `en`, `fil`, `en_US`, `pt_BR`. */
const WHATSAPP_LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;

/**
 * The bot locales with a WhatsApp template language of their own (Meta's
 * supported-languages list); Nepali, Sinhala, Khmer and Burmese have none
 * there, so they get the fallback language.
 */
export const DEFAULT_TEMPLATE_LANGUAGES = 'bn=bn,en=en,fil=fil,hi=hi,id=id,ta=ta,ur=ur,vi=vi';

/** `fil=fil,en=en_US` as a mapping; an empty one when any pair is malformed. */
function parseLanguagePairs(value: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of value.split(',')) {
    const match = /^([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)=(.+)$/.exec(pair.trim());
    if (!match || !WHATSAPP_LANGUAGE.test(match[2]!)) return {};
    mapping[match[1]!] = match[2]!;
  }
  return mapping;
}

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(3000),
  /**
   * A SQLite file path (or `sqlite:<path>`), `memory:` for a store that forgets on exit,
   * or a `postgres://` URL for PostgreSQL (several instances).
   */
  DATABASE_URL: z
    .string()
    .min(1)
    .default('./data/virtual-volunteer.sqlite')
    .refine((v) => !/^[a-z]+:\/\//i.test(v) || v.startsWith('file://') || POSTGRES_URL.test(v), {
      message: 'must be a SQLite file path, sqlite:<path>, memory: or a postgres:// (postgresql://) URL',
    }),
  /** PostgreSQL only: the schema the tables live in, created by the migrations if missing. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "must be a lowercase PostgreSQL schema name: letters, digits and '_'")
    .default('public'),
  /** PostgreSQL only: connections each instance keeps at most. */
  DATABASE_POOL_SIZE: z.coerce.number({ message: 'must be a number' }).int().min(1).max(200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Redis, for running several instances: the per-conversation lock, the fast
   * de-duplication of channel message ids and the shared rate limits. Unset: one instance, all in memory.
   */
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
  /** Starts every Redis key this app writes (BullMQ's queues too), so that one prefix finds them all. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1 to 64 letters, digits, '_', '.', ':' or '-'")
    .default('vv:'),
  /**
   * How long a conversation's lock outlives the last renewal by its instance: how long a
   * conversation waits after the instance handling it dies mid-turn. Renewed while a turn runs.
   */
  REDIS_LOCK_LEASE_MS: z.coerce.number({ message: 'must be a number' }).int().min(1000).max(600_000).default(10_000),
  WEBCHAT_ENABLED: bool.default(true),
  /** The First Aid app a National Society recommends; shown by the first aid topic. */
  FIRST_AID_URL: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).default('https://www.globalfirstaidcentre.org/'),
  /** The Restoring Family Links site: the ICRC's Family Links Network. */
  FAMILY_LINKS_URL: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).default('https://familylinks.icrc.org/'),
  /** Largest request body accepted, in bytes; a chat message is far smaller. */
  HTTP_BODY_LIMIT: z.coerce.number({ message: 'must be a number' }).int().min(1024).max(10_485_760).default(65_536),
  /**
   * 32 bytes (64 hex digits or base64) that encrypt transcripts, tracing
   * details and notes at rest (AES-256-GCM). Required unless ALLOW_PLAINTEXT_DATA=true.
   */
  DATA_ENCRYPTION_KEY: z.string().min(1).optional(),
  /** Local development only: keep case data unencrypted when no key is set (`npm start` sets it). */
  ALLOW_PLAINTEXT_DATA: bool.default(false),
  /**
   * Keys the pseudonyms (HMACs of user ids) that insight counts a person once a day by; at least
   * 32 characters. Unset: derived from DATA_ENCRYPTION_KEY; with neither, random for each start.
   */
  INSIGHT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)')
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  /** Minutes an urgent case may wait unclaimed before an alert is raised. */
  HANDOFF_URGENT_ALERT_MINUTES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1440).default(5),
  /** Minutes any case may wait unclaimed before an alert is raised. */
  HANDOFF_ALERT_MINUTES: z.coerce.number({ message: 'must be a number' }).int().min(1).max(10080).default(60),
  /** The organisation that takes cases from countries no other organisation serves (created at start if missing). */
  HANDOFF_DEFAULT_ORGANISATION: z.string().min(2).max(120).default('Red Cross Red Crescent caseworkers'),
  /**
   * Messages one conversation may send at once, and then per USER_RATE_LIMIT_WINDOW_SECONDS;
   * beyond it the person is told once to slow down and the rest is dropped. 0 turns the limit off.
   */
  USER_RATE_LIMIT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(10_000).default(10),
  USER_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(86_400).default(10),
  /** Days a closed case, and a conversation without messages and without an open case, are kept. */
  RETENTION_DAYS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(3650).default(90),
  /** Hours a console login lasts without activity. */
  CONSOLE_SESSION_HOURS: z.coerce.number({ message: 'must be a number' }).min(0.25).max(720).default(12),
  /** Serve Microsoft Teams at POST /api/messages; unset means on exactly when MICROSOFT_APP_ID is set. */
  TEAMS_ENABLED: bool.optional(),
  /** The bot's Azure app registration; without it Teams accepts unauthenticated activities (the Emulator). */
  MICROSOFT_APP_ID: z.string().max(200).optional(),
  MICROSOFT_APP_PASSWORD: z.string().max(500).optional(),
  MICROSOFT_APP_TENANT_ID: z.string().max(200).optional(),
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  /** The token from @BotFather; setting it turns the Telegram channel on. */
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'must be a bot token as @BotFather gives it, <digits>:<letters>')
    .optional(),
  /** Sent back by Telegram with every webhook request; 1 to 256 letters, digits, '_' or '-'. */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, "must be 1 to 256 letters, digits, '_' or '-'")
    .optional(),
  /** webhook: Telegram POSTs to /telegram/webhook; polling: the bot asks (local development). */
  TELEGRAM_MODE: z.enum(['webhook', 'polling']).default('webhook'),
  /** The Bot API's address: Telegram's own, a local Bot API server, or a fake in tests. */
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/, message: 'must be an http(s):// URL' }).default('https://api.telegram.org'),
  /** The bot's @username (without @), so that the bot need not ask Telegram who it is. */
  TELEGRAM_BOT_USERNAME: z
    .string()
    .regex(/^@?[A-Za-z][A-Za-z0-9_]{3,31}$/, 'must be a Telegram bot username')
    .transform((v) => v.replace(/^@/, ''))
    .optional(),
  /** Register /start, /menu, /language, /help and /sos with setMyCommands, in every language, at start-up. */
  TELEGRAM_SET_COMMANDS: bool.default(true),
  /** The public https base URL of this server (e.g. https://bot.example.org), for `npm run telegram:webhook`. */
  PUBLIC_URL: z
    .url({ protocol: /^https$/, message: 'must be an https:// URL' })
    .transform((v) => v.replace(/\/+$/, ''))
    .optional(),
  /** The WhatsApp Cloud API access token (a system user's); setting it turns the channel on. */
  WHATSAPP_CLOUD_TOKEN: printable('an access token').optional(),
  /** The Phone number ID of the bot's number (App dashboard → WhatsApp → API Setup), not the number itself. */
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: z.string().regex(/^\d{1,32}$/, 'must be the Phone number ID (digits) from API Setup').optional(),
  /** The Meta app's secret: every webhook request is signed with it (X-Hub-Signature-256). */
  WHATSAPP_CLOUD_APP_SECRET: printable('the app secret').optional(),
  /** Any secret string, typed into the app's webhook settings as the Verify token as well. */
  WHATSAPP_CLOUD_VERIFY_TOKEN: printable('a verify token').optional(),
  /** The Graph API with its version pinned, or a fake in tests. */
  WHATSAPP_CLOUD_API_ROOT: z
    .url({ protocol: /^https?$/, message: 'must be an http(s):// URL' })
    .default('https://graph.facebook.com/v23.0')
    .transform((v) => v.replace(/\/+$/, '')),
  /** The approved template sent outside the 24-hour window to say a reply is waiting. */
  WHATSAPP_CLOUD_TEMPLATE_NAME: z
    .string()
    .regex(/^[a-z0-9_]{1,512}$/, 'must be a template name: lowercase letters, digits and _')
    .default('reply_waiting'),
  /**
   * The template's WhatsApp language code for each bot locale, `locale=code` pairs
   * separated by commas; pairs given replace the defaults for their locales.
   */
  WHATSAPP_CLOUD_TEMPLATE_LANGUAGES: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const mapping = { ...parseLanguagePairs(DEFAULT_TEMPLATE_LANGUAGES) };
      for (const pair of (value ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
        const parsed = parseLanguagePairs(pair);
        if (Object.keys(parsed).length === 0) {
          ctx.addIssue({ code: 'custom', message: `'${pair}' is not <locale>=<WhatsApp language code>, e.g. fil=fil or en=en_US` });
          return z.NEVER;
        }
        Object.assign(mapping, parsed);
      }
      return mapping;
    }),
  /** The template's language code for a locale the mapping leaves out. */
  WHATSAPP_CLOUD_TEMPLATE_FALLBACK_LANGUAGE: z
    .string()
    .regex(WHATSAPP_LANGUAGE, 'must be a WhatsApp language code such as en or en_US')
    .default('en'),
  /** Run WhatsApp through whatsapp-web.js (an unofficial client that drives WhatsApp Web; pilots only). */
  WHATSAPP_WEB_ENABLED: bool.default(false),
  /** The Chromium whatsapp-web.js drives: Debian's, not one downloaded by puppeteer. */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** Where the linked WhatsApp Web session (browser profile) is kept, so that a restart needs no new scan. */
  WHATSAPP_WEB_DATA_DIR: z.string().min(1).default('./data/whatsapp-web'),
  /** Opens the login QR page GET /whatsapp-web/qr; at least 24 characters. */
  WHATSAPP_WEB_ADMIN_TOKEN: z
    .string()
    .min(24, 'must be at least 24 characters (e.g. `openssl rand -hex 24`)')
    .max(512)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  /**
   * Sending rates, kept by the outbox across every instance: messages a second on a channel
   * overall, and per Telegram chat (after a burst of 3). 0 turns a limit off.
   */
  TELEGRAM_MAX_PER_SECOND: rate(30),
  TELEGRAM_CHAT_MAX_PER_SECOND: rate(1),
  WHATSAPP_CLOUD_MAX_PER_SECOND: rate(80),
  TEAMS_MAX_PER_SECOND: rate(50),
  /** Failed attempts after which the outbox gives a reply up (the back-off grows from 1 s to 5 minutes). */
  OUTBOX_MAX_ATTEMPTS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(20),
  /**
   * How long a reply being sent stays its instance's after the last renewal: how long it waits
   * when the instance sending it dies. Renewed while the send lasts.
   */
  OUTBOX_LEASE_MS: z.coerce.number({ message: 'must be a number' }).int().min(1000).max(600_000).default(30_000),
  /** Recipients an alert broadcast is written to between two looks at its status: a pause or cancel takes effect within one batch. */
  ALERT_SEND_BATCH: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(20),
  /** A bearer token GET /metrics then requires; unset, /metrics is open (it holds no personal data). */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(512).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').optional(),
  /** Seconds a stop (SIGTERM) may take to finish turns and sends in flight before the process exits anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(600).default(25),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates settings; a bad value throws ConfigError naming each variable at fault. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "not set", as most deployment tools write it.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ConfigSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const problems = [
    ...telegramProblems(parsed.data),
    ...keyProblems(parsed.data),
    ...whatsappWebProblems(parsed.data),
    ...whatsappCloudProblems(parsed.data),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}

/** A key, when given, must be a real 32-byte key. */
function keyProblems(config: Config): string[] {
  const key = config.DATA_ENCRYPTION_KEY;
  if (key === undefined) return [];
  // The same check the cipher makes when the app starts, so a mistyped key is a settings error, not a crash.
  try {
    parseKey(key);
    return [];
  } catch {
    return ['DATA_ENCRYPTION_KEY: must be 32 bytes, as 64 hex digits or 44 base64 characters'];
  }
}

/**
 * The server keeps case data (transcripts, tracing details) only encrypted,
 * unless plaintext is explicitly allowed: checked when the app is built, so
 * tools that read settings without touching case data need no key.
 */
export function dataKeyProblems(config: Pick<Config, 'DATA_ENCRYPTION_KEY' | 'ALLOW_PLAINTEXT_DATA'>): string[] {
  if (config.DATA_ENCRYPTION_KEY !== undefined || config.ALLOW_PLAINTEXT_DATA) return [];
  return [
    'DATA_ENCRYPTION_KEY: required to keep case data encrypted (generate one with `openssl rand -hex 32`), or set ALLOW_PLAINTEXT_DATA=true for local development',
  ];
}

/** Settings the Telegram channel needs once TELEGRAM_BOT_TOKEN turns it on. */
function telegramProblems(config: Config): string[] {
  if (config.TELEGRAM_BOT_TOKEN === undefined) return [];
  const problems: string[] = [];
  if (config.TELEGRAM_MODE === 'webhook' && config.TELEGRAM_WEBHOOK_SECRET === undefined) {
    problems.push('TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_BOT_TOKEN in webhook mode');
  }
  if (config.TELEGRAM_BOT_USERNAME === undefined) {
    problems.push('TELEGRAM_BOT_USERNAME: required with TELEGRAM_BOT_TOKEN');
  }
  return problems;
}

/** Settings the whatsapp-web.js channel needs once WHATSAPP_WEB_ENABLED turns it on. */
function whatsappWebProblems(config: Config): string[] {
  if (!config.WHATSAPP_WEB_ENABLED || config.WHATSAPP_WEB_ADMIN_TOKEN !== undefined) return [];
  return ['WHATSAPP_WEB_ADMIN_TOKEN: required with WHATSAPP_WEB_ENABLED=true (it protects the login QR page)'];
}

/** Settings the WhatsApp Cloud API channel needs once WHATSAPP_CLOUD_TOKEN turns it on. */
function whatsappCloudProblems(config: Config): string[] {
  if (config.WHATSAPP_CLOUD_TOKEN === undefined) return [];
  const required = ['WHATSAPP_CLOUD_PHONE_NUMBER_ID', 'WHATSAPP_CLOUD_APP_SECRET', 'WHATSAPP_CLOUD_VERIFY_TOKEN'] as const;
  return required.filter((name) => config[name] === undefined).map((name) => `${name}: required with WHATSAPP_CLOUD_TOKEN`);
}

export interface WhatsAppCloudSettings {
  token: string;
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  apiRoot: string;
  templateName: string;
  templateLanguages: Readonly<Record<string, string>>;
  templateFallbackLanguage: string;
}

/** The WhatsApp Cloud API settings when the channel is on (loadConfig has checked they are complete), else null. */
export function whatsappCloudSettings(config: Config): WhatsAppCloudSettings | null {
  const { WHATSAPP_CLOUD_TOKEN: token, WHATSAPP_CLOUD_PHONE_NUMBER_ID: phoneNumberId } = config;
  const { WHATSAPP_CLOUD_APP_SECRET: appSecret, WHATSAPP_CLOUD_VERIFY_TOKEN: verifyToken } = config;
  if (token === undefined || phoneNumberId === undefined || appSecret === undefined || verifyToken === undefined) return null;
  return {
    token,
    phoneNumberId,
    appSecret,
    verifyToken,
    apiRoot: config.WHATSAPP_CLOUD_API_ROOT,
    templateName: config.WHATSAPP_CLOUD_TEMPLATE_NAME,
    templateLanguages: config.WHATSAPP_CLOUD_TEMPLATE_LANGUAGES,
    templateFallbackLanguage: config.WHATSAPP_CLOUD_TEMPLATE_FALLBACK_LANGUAGE,
  };
}

/** The PostgreSQL URL when DATABASE_URL names one, else null (SQLite or memory). */
export function postgresUrl(config: Pick<Config, 'DATABASE_URL'>): string | null {
  return POSTGRES_URL.test(config.DATABASE_URL) ? config.DATABASE_URL : null;
}

/** Where the SQLite file lives, or null for the in-memory store and for PostgreSQL. */
export function sqlitePath(config: Pick<Config, 'DATABASE_URL'>): string | null {
  const url = config.DATABASE_URL;
  if (url === 'memory:' || postgresUrl(config) !== null) return null;
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  if (url.startsWith('file://')) return url.slice('file://'.length);
  return url;
}

/** Whether the Teams channel is served: TEAMS_ENABLED, or else whether an app id is set. */
export function teamsEnabled(config: Pick<Config, 'TEAMS_ENABLED' | 'MICROSOFT_APP_ID'>): boolean {
  return config.TEAMS_ENABLED ?? config.MICROSOFT_APP_ID !== undefined;
}
