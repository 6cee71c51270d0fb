import { z } from 'zod';

/**
 * Every setting, from environment variables. This module is the only reader
 * of `process.env` (lint enforces it); everything else receives a Config.
 * Each variable is listed with its default in `.env.example`.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: "use 'true' or 'false'" })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number({ message: 'must be a number' }).int().min(0).max(65535).default(3000),
  /** A SQLite file path (or `sqlite:<path>`), or `memory:` for a store that forgets on exit. */
  DATABASE_URL: z
    .string()
    .min(1)
    .default('./data/virtual-volunteer.sqlite')
    .refine((v) => !/^[a-z]+:\/\//i.test(v) || v.startsWith('file://'), {
      message: 'only a SQLite file path, sqlite:<path> or memory: is supported by this build',
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEBCHAT_ENABLED: bool.default(true),
  /** The First Aid app a National Society recommends; shown by the first aid topic. */
  FIRST_AID_URL: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).default('https://www.globalfirstaidcentre.org/'),
  /** The Restoring Family Links site: the ICRC's Family Links Network. */
  FAMILY_LINKS_URL: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }).default('https://familylinks.icrc.org/'),
  /** Largest request body accepted, in bytes; a chat message is far smaller. */
  HTTP_BODY_LIMIT: z.coerce.number({ message: 'must be a number' }).int().min(1024).max(10_485_760).default(65_536),
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
  const problems = telegramProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
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

/** Where the SQLite file lives, or null for the in-memory store. */
export function sqlitePath(config: Pick<Config, 'DATABASE_URL'>): string | null {
  const url = config.DATABASE_URL;
  if (url === 'memory:') return null;
  if (url.startsWith('sqlite:')) return url.slice('sqlite:'.length);
  if (url.startsWith('file://')) return url.slice('file://'.length);
  return url;
}

/** Whether the Teams channel is served: TEAMS_ENABLED, or else whether an app id is set. */
export function teamsEnabled(config: Pick<Config, 'TEAMS_ENABLED' | 'MICROSOFT_APP_ID'>): boolean {
  return config.TEAMS_ENABLED ?? config.MICROSOFT_APP_ID !== undefined;
}
