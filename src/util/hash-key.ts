import { createHash } from 'node:crypto';

/**
 * A stable, non-reversible tag for a conversation key in logs and errors:
 * keys can hold phone numbers (WhatsApp), which must never be written out.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}
