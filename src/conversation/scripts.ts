/**
 * The writing systems of the supported languages, to notice a message
 * written in another language's script and offer to switch. Latin is left
 * out: it is shared by English, Filipino, Indonesian and Vietnamese.
 */
const SCRIPTS: readonly { pattern: RegExp; locales: readonly string[] }[] = [
  { pattern: /\p{Script=Devanagari}/u, locales: ['ne', 'hi'] },
  { pattern: /\p{Script=Bengali}/u, locales: ['bn'] },
  { pattern: /\p{Script=Sinhala}/u, locales: ['si'] },
  { pattern: /\p{Script=Tamil}/u, locales: ['ta'] },
  { pattern: /\p{Script=Khmer}/u, locales: ['km'] },
  { pattern: /\p{Script=Myanmar}/u, locales: ['my'] },
  { pattern: /\p{Script=Arabic}/u, locales: ['ur'] },
];

/** The languages whose script most of the message's letters are in, or [] when none stands out. */
export function languagesOfScript(text: string): readonly string[] {
  const letters = [...text].filter((ch) => /\p{L}|\p{M}/u.test(ch));
  if (letters.length < 2) return [];
  for (const { pattern, locales } of SCRIPTS) {
    const inScript = letters.filter((ch) => pattern.test(ch)).length;
    if (inScript / letters.length >= 0.5) return locales;
  }
  return [];
}
