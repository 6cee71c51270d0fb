import { resolveLocale } from '../locale';
import { normalise } from '../render';
import { languagesOfScript } from '../scripts';
import type { Translator } from '../i18n';
import type { Middleware, Turn } from '../turn';

/**
 * Says, once per language, that a draft translation is new: in that language
 * and in English, so that a person who cannot read it well still learns they
 * can type `en`.
 */
export function noticeDraft(turn: Turn): void {
  const locale = turn.record.locale;
  if (!turn.tr.isDraft(locale) || turn.record.notices.includes(locale)) return;
  turn.record.notices = [...turn.record.notices, locale];
  turn.say({ key: 'common:draftNotice', aside: true }, { key: 'common:draftNotice', aside: true, locale: 'en' });
}

/** The person's own choice, which wins over any detection from then on. */
export function chooseLanguage(turn: Turn, locale: string): void {
  turn.record.locale = locale;
  turn.record.localeSource = 'chosen';
  turn.say({ key: 'common:languageSet' });
  noticeDraft(turn);
}

/** A language named by its own name ("नेपाली", "Tiếng Việt") or, for English, by `en`. */
export function typedLanguage(turn: Turn): string | undefined {
  const typed = turn.typed;
  if (typed === '' || turn.payload !== undefined) return undefined;
  if (typed === 'en') return 'en';
  return ownNames(turn.tr).get(typed);
}

/** Each language's own name, normalised, to its code: made once per translator, asked on every typed message. */
const namesByTranslator = new WeakMap<Translator, ReadonlyMap<string, string>>();

function ownNames(tr: Translator): ReadonlyMap<string, string> {
  let names = namesByTranslator.get(tr);
  if (!names) {
    const byName = new Map<string, string>();
    // The first language with a name wins, as the list's order did before.
    for (const code of tr.locales) {
      const name = normalise(tr.t(`languages:${code}`, code));
      if (!byName.has(name)) byName.set(name, code);
    }
    names = byName;
    namesByTranslator.set(tr, names);
  }
  return names;
}

/**
 * Before anything is said: until the person chooses, the language follows
 * the channel's hint (Telegram's language_code, the browser's language, a
 * WhatsApp number's country code), mapped to a supported language.
 */
export function detectLanguage(): Middleware {
  return async (turn, next) => {
    if (turn.record.localeSource !== 'chosen') {
      const detected = resolveLocale(turn.msg.locale, turn.tr.locales);
      if (detected && detected !== turn.record.locale) {
        turn.record.locale = detected;
        turn.record.localeSource = 'detected';
      }
    }
    await next();
  };
}

/**
 * A message in another supported language's script (Bengali typed to an
 * English conversation) gets an offer to switch, instead of "I did not
 * understand". Typed answers to a question are left alone: a name may be
 * written in any script.
 */
export function offerScriptSwitch(): Middleware {
  return async (turn, next) => {
    if (turn.payload !== undefined || turn.expectsText) return next();
    const candidates = languagesOfScript(turn.text).filter((l) => turn.tr.isSupported(l));
    if (candidates.length === 0 || candidates.includes(turn.record.locale)) return next();
    turn.say({
      key: 'common:switchOffer',
      choices: [
        ...candidates.map((code) => ({ label: `languages:${code}`, payload: `lang.set:${code}` })),
        { label: `languages:${turn.record.locale}`, payload: `lang.set:${turn.record.locale}` },
      ],
    });
  };
}
