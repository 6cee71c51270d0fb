import callingCodes from './calling-codes.json';

/** Regional and older tags that mean one of the supported languages. */
const ALIASES: Record<string, string> = { tl: 'fil', in: 'id', bur: 'my', mya: 'my', nep: 'ne', ben: 'bn' };

/**
 * The supported language a channel's hint means: `en-GB` → `en`, `tl` →
 * `fil`, `zh-TW` → undefined. Callers fall back to English.
 */
export function resolveLocale(hint: string | undefined, supported: readonly string[]): string | undefined {
  if (!hint) return undefined;
  const tag = hint.trim().toLowerCase().replace(/_/g, '-');
  if (supported.includes(tag)) return tag;
  const base = tag.split('-')[0] ?? '';
  const language = ALIASES[base] ?? base;
  return supported.includes(language) ? language : undefined;
}

/**
 * A first guess from a phone number's country calling code (WhatsApp), as
 * data in calling-codes.json: +63 → Filipino, +977 → Nepali. The longest
 * matching code wins, so +977 is Nepal, not a three-digit prefix of another.
 */
export function localeFromPhone(phone: string): string | undefined {
  const digits = phone.replace(/\D/g, '').replace(/^00/, '');
  for (let length = 3; length >= 1; length--) {
    const locale = (callingCodes as Record<string, string>)[digits.slice(0, length)];
    if (locale) return locale;
  }
  return undefined;
}
