import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The header Meta signs every webhook request with. */
export const SIGNATURE_HEADER = 'x-hub-signature-256';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** `sha256=` and the hex HMAC-SHA256 of the body with the app secret: what Meta sends. */
export function sign(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * Whether the header is Meta's signature of these exact bytes. The raw body
 * is what was signed: any re-encoding of parsed JSON would change it. The
 * comparison takes the same time however many bytes match.
 */
export function validSignature(rawBody: Buffer, header: unknown, appSecret: string): boolean {
  if (typeof header !== 'string') return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(given, expected);
}

/** Compares two secrets in time that depends on neither (both are hashed to one length first). */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}
