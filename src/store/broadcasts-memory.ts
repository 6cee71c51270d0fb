import type {
  Broadcast,
  BroadcastCounts,
  BroadcastPatch,
  BroadcastStatus,
  BroadcastStore,
  NewBroadcast,
  NewRecipient,
  Recipient,
} from '../alerts/broadcasts';
import { checkLimit } from './guards';

const clone = <T>(value: T): T => structuredClone(value);

/** Alert broadcasts in process memory: for tests and the terminal chat. */
export class MemoryBroadcastStore implements BroadcastStore {
  private readonly broadcasts = new Map<string, Broadcast>();
  private readonly recipients = new Map<string, Recipient[]>();
  private readonly leases = new Map<string, { owner: string; until: number }>();
  /** Creation order breaks ties between broadcasts made in the same millisecond. */
  private readonly order = new Map<string, number>();
  private nextRecipientId = 1;

  async create(b: NewBroadcast): Promise<Broadcast> {
    if (this.broadcasts.has(b.id)) throw new Error('broadcast id already used');
    const row: Broadcast = { ...clone(b), audienceDone: false, finishedAt: null };
    this.broadcasts.set(b.id, row);
    this.order.set(b.id, this.order.size);
    this.recipients.set(b.id, []);
    return clone(row);
  }

  async get(id: string): Promise<Broadcast | null> {
    const row = this.broadcasts.get(id);
    return row ? clone(row) : null;
  }

  async list(organisationId: string, limit: number): Promise<Broadcast[]> {
    checkLimit(limit);
    return [...this.broadcasts.values()]
      .filter((b) => b.organisationId === organisationId)
      .sort((a, b) => b.createdAt - a.createdAt || this.order.get(b.id)! - this.order.get(a.id)!)
      .slice(0, limit)
      .map(clone);
  }

  async withStatus(status: BroadcastStatus): Promise<Broadcast[]> {
    return [...this.broadcasts.values()].filter((b) => b.status === status).map(clone);
  }

  async update(id: string, patch: BroadcastPatch, from?: readonly BroadcastStatus[]): Promise<Broadcast | null> {
    const row = this.broadcasts.get(id);
    if (!row || (from && !from.includes(row.status))) return null;
    const next: Broadcast = {
      ...row,
      ...(patch.status === undefined ? {} : { status: patch.status }),
      ...(patch.audienceDone === undefined ? {} : { audienceDone: patch.audienceDone }),
      ...(patch.finishedAt === undefined ? {} : { finishedAt: patch.finishedAt }),
      updatedAt: patch.updatedAt,
    };
    this.broadcasts.set(id, next);
    return clone(next);
  }

  async addRecipients(broadcastId: string, recipients: readonly NewRecipient[]): Promise<number> {
    const rows = this.recipients.get(broadcastId);
    if (!rows) throw new Error('no such broadcast');
    const known = new Set(rows.map((r) => r.conversationKey));
    let added = 0;
    for (const r of recipients) {
      if (known.has(r.conversationKey)) continue;
      known.add(r.conversationKey);
      rows.push({ ...clone(r), id: this.nextRecipientId++, broadcastId, state: 'pending', error: null });
      added++;
    }
    return added;
  }

  async lastSubscriptionId(broadcastId: string): Promise<number> {
    return (this.recipients.get(broadcastId) ?? []).reduce((max, r) => Math.max(max, r.subscriptionId), 0);
  }

  async pending(broadcastId: string, afterId: number, limit: number): Promise<Recipient[]> {
    checkLimit(limit);
    return (this.recipients.get(broadcastId) ?? [])
      .filter((r) => r.state === 'pending' && r.id > afterId)
      .slice(0, limit)
      .map(clone);
  }

  async mark(broadcastId: string, subscriptionId: number, state: 'sent' | 'failed', error: string | null): Promise<boolean> {
    const row = (this.recipients.get(broadcastId) ?? []).find((r) => r.subscriptionId === subscriptionId);
    if (!row) return false;
    if (row.state !== 'sent') {
      row.state = state;
      row.error = state === 'sent' ? null : error;
    }
    return true;
  }

  async counts(broadcastId: string): Promise<BroadcastCounts> {
    const rows = this.recipients.get(broadcastId) ?? [];
    const of = (state: Recipient['state']) => rows.filter((r) => r.state === state).length;
    return { total: rows.length, pending: of('pending'), sent: of('sent'), failed: of('failed') };
  }

  async lease(broadcastId: string, owner: string, until: number, now: number): Promise<boolean> {
    if (!this.broadcasts.has(broadcastId)) return false;
    const held = this.leases.get(broadcastId);
    if (held && held.owner !== owner && held.until > now) return false;
    this.leases.set(broadcastId, { owner, until });
    return true;
  }

  async release(broadcastId: string, owner: string): Promise<void> {
    if (this.leases.get(broadcastId)?.owner === owner) this.leases.delete(broadcastId);
  }

  async deleteUser(channel: string, userId: string): Promise<number> {
    let removed = 0;
    for (const [id, rows] of this.recipients) {
      const kept = rows.filter((r) => !(r.ref.channel === channel && r.ref.userId === userId));
      removed += rows.length - kept.length;
      this.recipients.set(id, kept);
    }
    return removed;
  }

  async deleteFinishedRecipients(before: number): Promise<number> {
    let removed = 0;
    for (const b of this.broadcasts.values()) {
      if (b.finishedAt === null || b.finishedAt >= before) continue;
      removed += this.recipients.get(b.id)?.length ?? 0;
      this.recipients.set(b.id, []);
    }
    return removed;
  }
}
