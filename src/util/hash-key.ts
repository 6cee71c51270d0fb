import { createHash } from 'node:crypto';

/**
 * A stable, non-reversible tag for a conversation key in logs and errors:
 * keys can hold phone numbers (WhatsApp), which must never be written out.
 */
export function hashKey(key: string): string {
  let tag = recent.get(key);
  if (tag === undefined) {
    tag = createHash('sha256').update(key).digest('hex').slice(0, 12);
    // Every turn and delivery logs under its conversation's tag: keep the recent ones, forget all at once when full.
    if (recent.size >= RECENT_MAX) recent.clear();
    recent.set(key, tag);
  }
  return tag;
}

const RECENT_MAX = 10_000;
const recent = new Map<string, string>();
