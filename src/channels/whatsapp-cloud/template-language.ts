/**
 * The WhatsApp language code of the "reply waiting" template for a bot
 * locale: from the configured mapping (`fil` → `fil`, `en` → `en_US` if so
 * approved), by the locale's base language (`en-GB` → `en`), else the
 * fallback. A template must be approved in every code this can return.
 */
export function templateLanguage(mapping: Readonly<Record<string, string>>, fallback: string): (locale: string) => string {
  return (locale) => mapping[locale] ?? mapping[locale.split('-')[0] ?? ''] ?? fallback;
}
