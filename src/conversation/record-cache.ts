import type { ConversationRecord } from './record';

export interface RecordCacheOptions {
  /** Conversations remembered at most; the least recently used go first. */
  size?: number;
  /**
   * Freeze what is remembered, so that a step which changes a loaded record
   * in place instead of replacing its fields throws. Tests turn it on: a
   * record handed out by the cache is a shallow copy, and nested objects are
   * shared with the next turn.
   */
  freeze?: boolean;
}

interface Entry {
  rev: number;
  createdAt: number;
  updatedAt: number;
  record: ConversationRecord;
}

/**
 * The records this process saved last, by conversation. Validating a stored
 * record on every load is a large part of a turn's cost, and almost every
 * load reads back what the same process saved one turn earlier. A load takes
 * the remembered record instead of validating when the stored revision and
 * both timestamps are the ones this process saved: a revision is written once
 * per conversation, and only a conversation erased and started again in the
 * same millisecond could repeat all three.
 */
export class RecordCache {
  private readonly size: number;
  private readonly freeze: boolean;
  private readonly entries = new Map<string, Entry>();

  constructor(options: RecordCacheOptions = {}) {
    this.size = options.size ?? 10_000;
    this.freeze = options.freeze ?? false;
  }

  /** A copy of the remembered record, if `data` at `rev` is what was saved; else undefined. */
  get(key: string, rev: number, data: unknown): ConversationRecord | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.rev !== rev) return undefined;
    const stored = data as { createdAt?: unknown; updatedAt?: unknown } | null;
    if (stored?.createdAt !== entry.createdAt || stored.updatedAt !== entry.updatedAt) return undefined;
    // Most recently used last, so that the oldest is the first to go.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { ...entry.record };
  }

  /** What a commit just saved at `rev`; the caller must not change `record` afterwards. */
  remember(key: string, rev: number, record: ConversationRecord): void {
    if (this.size <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.size) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { rev, createdAt: record.createdAt, updatedAt: record.updatedAt, record: this.freeze ? deepFreeze(record) : record });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get count(): number {
    return this.entries.size;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
