import { checkLimit, serialiseTurn, toJson } from './guards';
import {
  DELIVERY_RANK,
  type CommitResult,
  type Delivery,
  type OutboxEntry,
  type Store,
  type StoredConversation,
  type Submission,
  type SubmissionFilter,
  type TurnCommit,
} from './store';

interface Conversation {
  data: string;
  rev: number;
  channel: string;
  userId: string;
}

/** A submission with its data still as the JSON text it was written as. */
type StoredSubmission = Omit<Submission, 'data'> & { data: string };

/**
 * Keeps everything in process memory: for tests, the terminal chat and
 * benchmarks. Records are kept as JSON text so that callers can never share
 * (and silently mutate) a stored object, as with a real database.
 */
export class MemoryStore implements Store {
  private readonly conversations = new Map<string, Conversation>();
  /** `${channel}\u0000${messageId}` → conversation key and the seqs it produced. */
  private readonly processed = new Map<string, { conversationKey: string; seqs: number[] }>();
  private readonly outbox = new Map<number, OutboxEntry>();
  private nextSeq = 1;
  private readonly submissions = new Map<number, StoredSubmission>();
  private nextSubmissionId = 1;
  /** Conversation key → channel reference, as JSON text. */
  private readonly references = new Map<string, { channel: string; userId: string; data: string }>();
  /** `${channel}\u0000${externalId}` → the delivery kept. */
  private readonly deliveries = new Map<string, Delivery>();

  async getConversation(conversationKey: string): Promise<StoredConversation | null> {
    const row = this.conversations.get(conversationKey);
    return row ? { data: JSON.parse(row.data) as unknown, rev: row.rev } : null;
  }

  async isProcessed(channel: string, messageId: string): Promise<boolean> {
    return this.processed.has(markKey(channel, messageId));
  }

  async commitTurn(c: TurnCommit): Promise<CommitResult> {
    const { record: data, outbox: messages, submissions } = serialiseTurn(c);
    const mark = markKey(c.channel, c.messageId);
    if (this.processed.has(mark)) return { ok: false, reason: 'duplicate' };
    const current = this.conversations.get(c.conversationKey)?.rev ?? 0;
    if (current !== c.expectedRev) return { ok: false, reason: 'conflict' };

    const rev = current + 1;
    this.conversations.set(c.conversationKey, { data, rev, channel: c.channel, userId: c.userId });
    const entries = messages.map((message): OutboxEntry => {
      const entry: OutboxEntry = {
        seq: this.nextSeq++,
        conversationKey: c.conversationKey,
        channel: c.channel,
        messageId: c.messageId,
        message: JSON.parse(message) as unknown,
        createdAt: c.now,
        deliveredAt: null,
      };
      this.outbox.set(entry.seq, entry);
      return entry;
    });
    for (const { kind, data: text } of submissions) {
      const id = this.nextSubmissionId++;
      const { conversationKey, channel, userId, now: createdAt } = c;
      this.submissions.set(id, { id, conversationKey, channel, userId, kind, data: text, createdAt });
    }
    this.processed.set(mark, { conversationKey: c.conversationKey, seqs: entries.map((e) => e.seq) });
    return { ok: true, rev, outbox: entries.map(copy) };
  }

  async repliesTo(channel: string, messageId: string): Promise<OutboxEntry[] | null> {
    const mark = this.processed.get(markKey(channel, messageId));
    if (!mark) return null;
    return mark.seqs.flatMap((seq) => {
      const entry = this.outbox.get(seq);
      return entry ? [copy(entry)] : [];
    });
  }

  async outboxSince(conversationKey: string, afterSeq: number, limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return [...this.outbox.values()]
      .filter((e) => e.conversationKey === conversationKey && e.seq > afterSeq)
      .slice(0, limit)
      .map(copy);
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    checkLimit(limit);
    return [...this.outbox.values()].filter((e) => e.deliveredAt === null).slice(0, limit).map(copy);
  }

  async markDelivered(seqs: number[], now: number): Promise<void> {
    for (const seq of seqs) {
      const entry = this.outbox.get(seq);
      if (entry && entry.deliveredAt === null) entry.deliveredAt = now;
    }
  }

  async listSubmissions(filter: SubmissionFilter, limit: number): Promise<Submission[]> {
    checkLimit(limit);
    const { kind, conversationKey: key } = filter;
    return [...this.submissions.values()]
      .filter((s) => (kind === undefined || s.kind === kind) && (key === undefined || s.conversationKey === key))
      .slice(0, limit)
      .map((s) => ({ ...s, data: JSON.parse(s.data) as unknown }));
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    const keys = [...this.conversations].filter(([, c]) => c.channel === channel && c.userId === userId).map(([k]) => k);
    const gone = new Set(keys);
    for (const key of keys) this.conversations.delete(key);
    for (const [seq, entry] of this.outbox) if (gone.has(entry.conversationKey)) this.outbox.delete(seq);
    for (const [mark, p] of this.processed) if (gone.has(p.conversationKey)) this.processed.delete(mark);
    for (const [id, s] of this.submissions) {
      const theirs = s.channel === channel && s.userId === userId;
      if (theirs || gone.has(s.conversationKey)) this.submissions.delete(id);
    }
    for (const [key, r] of this.references) {
      if (r.channel === channel && r.userId === userId) this.references.delete(key);
    }
    for (const [key, d] of this.deliveries) {
      if (d.channel === channel && d.userId === userId) this.deliveries.delete(key);
    }
    return keys.length;
  }

  /** The time is not kept: nothing reads it back. */
  async saveReference(
    conversationKey: string,
    channel: string,
    userId: string,
    reference: unknown,
    _now: number,
  ): Promise<void> {
    this.references.set(conversationKey, { channel, userId, data: toJson(reference, 'reference') });
  }

  async getReference(conversationKey: string): Promise<unknown | null> {
    const row = this.references.get(conversationKey);
    return row ? (JSON.parse(row.data) as unknown) : null;
  }

  async recordDelivery(delivery: Delivery): Promise<void> {
    const key = markKey(delivery.channel, delivery.externalId);
    const kept = this.deliveries.get(key);
    if (kept && DELIVERY_RANK[delivery.state] < DELIVERY_RANK[kept.state]) return;
    this.deliveries.set(key, { ...delivery });
  }

  async getDelivery(channel: string, externalId: string): Promise<Delivery | null> {
    const kept = this.deliveries.get(markKey(channel, externalId));
    return kept ? { ...kept } : null;
  }

  async close(): Promise<void> {
    // Nothing to release; the data goes with the process.
  }
}

function markKey(channel: string, messageId: string): string {
  return `${channel}\u0000${messageId}`;
}

function copy(entry: OutboxEntry): OutboxEntry {
  return { ...entry, message: JSON.parse(JSON.stringify(entry.message)) as unknown };
}
