import type { Api } from 'grammy';
import type { BotCommand, LanguageCode } from 'grammy/types';

/** The commands shown in Telegram's menu, in this order; each is described by `telegram:<command>`. */
export const BOT_COMMANDS = ['start', 'menu', 'language', 'help', 'sos'] as const;

/** One setMyCommands call: the commands for one language, or the default (no language_code). */
export interface SetMyCommandsCall {
  commands: BotCommand[];
  language_code?: string;
}

/** Telegram's own codes for the bot's languages where they differ (Filipino is `tl` there). */
const TELEGRAM_CODES: Record<string, string> = { fil: 'tl' };
const DEFAULT_LOCALE = 'en';

/** The two-letter ISO 639-1 code Telegram accepts for a locale, or null when it has none. */
export function telegramLanguageCode(locale: string): string | null {
  const code = TELEGRAM_CODES[locale] ?? locale;
  return /^[a-z]{2}$/.test(code) ? code : null;
}

/**
 * The setMyCommands calls that register the bot's commands: one default call
 * in English, then one per locale Telegram has a code for. `describe` gives a
 * command's description in a locale (the `telegram` locale namespace).
 */
export function commandCalls(locales: readonly string[], describe: (command: string, locale: string) => string): SetMyCommandsCall[] {
  const list = (locale: string): BotCommand[] =>
    BOT_COMMANDS.map((command) => ({ command, description: describe(command, locale).slice(0, 256) }));
  const calls: SetMyCommandsCall[] = [{ commands: list(DEFAULT_LOCALE) }];
  const seen = new Set<string>();
  for (const locale of locales) {
    const code = telegramLanguageCode(locale);
    if (code === null || seen.has(code)) continue;
    seen.add(code);
    calls.push({ commands: list(locale), language_code: code });
  }
  return calls;
}

/** Makes the calls, one after another; the first failure rejects. */
export async function registerCommands(api: Api, calls: readonly SetMyCommandsCall[], signal?: AbortSignal): Promise<void> {
  for (const { commands, language_code } of calls) {
    await api.setMyCommands(commands, language_code === undefined ? {} : { language_code: language_code as LanguageCode }, signal as Parameters<Api['setMyCommands']>[2]);
  }
}
