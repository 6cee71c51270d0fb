/**
 * Checks on the answers of a tracing request. They are deliberately loose:
 * they catch an empty answer, a message pasted by mistake or a typo in a
 * number, not every odd but true answer (people write ages and dates in
 * many ways).
 */

export const MAX_ANSWER = 300;

/** What a question expects. */
export type AnswerKind = 'text' | 'age' | 'contact';

/**
 * The zero of each decimal digit set people in the region type in (Arabic,
 * Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada,
 * Malayalam, Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer, full-width), so
 * "৩৫" counts as 35.
 */
const DIGIT_ZEROS = [
  0x0660, 0x06f0, 0x0966, 0x09e6, 0x0a66, 0x0ae6, 0x0b66, 0x0be6, 0x0c66, 0x0ce6, 0x0d66, 0x0de6, 0x0e50, 0x0ed0,
  0x0f20, 0x1040, 0x17e0, 0xff10,
];

export function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (d) => {
    const code = d.codePointAt(0)!;
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9);
    return zero === undefined ? d : String(code - zero);
  });
}

const length = (text: string) => [...text].length;

/** A short answer with at least one letter or digit in it. */
export function isText(text: string): boolean {
  const t = text.trim();
  return t !== '' && length(t) <= MAX_ANSWER && /[\p{L}\p{N}]/u.test(t);
}

const isYear = (n: number) => n >= 1900 && n <= 2100;
const isDay = (n: number) => n >= 1 && n <= 31;
const isMonth = (n: number) => n >= 1 && n <= 12;

/**
 * An age (0 to 120, words around it allowed: "about 34 years") or a date of
 * birth: a year, a day and month name with a year ("12 March 1990"), or a
 * numeric date either way round (12/03/1990, 1990-03-12, 03/12/1990).
 */
export function isAgeOrBirthDate(text: string): boolean {
  if (!isText(text)) return false;
  const numbers = (asciiDigits(text).match(/\d+/g) ?? []).map(Number);
  if (numbers.length === 1) return numbers[0]! <= 120 || isYear(numbers[0]!);
  if (numbers.length === 2) {
    const [a, b] = numbers as [number, number];
    return (isDay(a) && isYear(b)) || (isYear(a) && isDay(b));
  }
  if (numbers.length === 3) {
    const [a, b, c] = numbers as [number, number, number];
    if (isYear(a)) return isMonth(b) && isDay(c);
    return isYear(c) && isDay(a) && isDay(b) && (isMonth(a) || isMonth(b));
  }
  return false;
}

const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
const MIN_PHONE_DIGITS = 5;

/** A way to reach the person: a phone number (at least 5 digits) or an e-mail address. */
export function isContact(text: string): boolean {
  if (!isText(text)) return false;
  const digits = asciiDigits(text).replace(/\D/g, '').length;
  return digits >= MIN_PHONE_DIGITS || EMAIL.test(text);
}

export function isValid(kind: AnswerKind, text: string): boolean {
  switch (kind) {
    case 'text':
      return isText(text);
    case 'age':
      return isAgeOrBirthDate(text);
    case 'contact':
      return isContact(text);
  }
}
