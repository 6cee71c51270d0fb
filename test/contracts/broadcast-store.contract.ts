import type { BroadcastStore, NewBroadcast, NewRecipient } from '../../src/alerts/broadcasts';

export interface BroadcastStoreHarness {
  store: BroadcastStore;
  cleanup: () => Promise<void>;
}

const broadcast = (over: Partial<NewBroadcast> = {}): NewBroadcast => ({
  id: 'b1',
  organisationId: 'org-np',
  createdBy: 'u-admin',
  countries: ['NP', 'MY'],
  texts: { en: 'Flooding in the east: stay away from rivers.', ne: 'पूर्वमा बाढी: नदीबाट टाढा बस्नुहोस्।' },
  flow: 'rfl',
  status: 'sending',
  createdAt: 1_000,
  updatedAt: 1_000,
  ...over,
});

const recipient = (n: number, over: Partial<NewRecipient> = {}): NewRecipient => ({
  conversationKey: `telegram:${n}`,
  subscriptionId: n,
  ref: { channel: 'telegram', conversationId: String(n), userId: `u${n}` },
  locale: 'en',
  ...over,
});

/**
 * What every BroadcastStore must do, run on memory, SQLite and PostgreSQL,
 * so the sender relies on the port alone.
 */
export function broadcastStoreContract(name: string, make: () => Promise<BroadcastStoreHarness>): void {
  describe(`${name}: broadcast store contract`, () => {
    let harness: BroadcastStoreHarness;
    let store: BroadcastStore;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('keeps a broadcast as written, and refuses a second one with the same id', async () => {
      const created = await store.create(broadcast());

      expect(created).toEqual({ ...broadcast(), audienceDone: false, finishedAt: null });
      expect(await store.get('b1')).toEqual(created);
      expect(await store.get('nope')).toBeNull();
      await expect(store.create(broadcast())).rejects.toThrow('broadcast id already used');
    });

    it('lists an organisation’s broadcasts newest first, and finds them by status', async () => {
      await store.create(broadcast({ id: 'old', createdAt: 1 }));
      await store.create(broadcast({ id: 'same-ms-1', createdAt: 5 }));
      await store.create(broadcast({ id: 'same-ms-2', createdAt: 5, status: 'paused' }));
      await store.create(broadcast({ id: 'other', organisationId: 'org-my', createdAt: 9 }));

      expect((await store.list('org-np', 10)).map((b) => b.id)).toEqual(['same-ms-2', 'same-ms-1', 'old']);
      expect((await store.list('org-np', 1)).map((b) => b.id)).toEqual(['same-ms-2']);
      expect((await store.withStatus('sending')).map((b) => b.id).sort()).toEqual(['old', 'other', 'same-ms-1']);
    });

    it('changes a broadcast only from the statuses it is told to expect', async () => {
      await store.create(broadcast());

      const paused = await store.update('b1', { status: 'paused', updatedAt: 2_000 }, ['sending']);
      expect(paused).toMatchObject({ status: 'paused', updatedAt: 2_000, audienceDone: false });
      expect(await store.update('b1', { status: 'done', updatedAt: 3_000 }, ['sending'])).toBeNull();
      expect((await store.get('b1'))?.status).toBe('paused');

      const finished = await store.update('b1', { status: 'cancelled', finishedAt: 4_000, audienceDone: true, updatedAt: 4_000 });
      expect(finished).toMatchObject({ status: 'cancelled', finishedAt: 4_000, audienceDone: true });
      expect(await store.update('missing', { updatedAt: 1 })).toBeNull();
    });

    it('writes each conversation down once, pending, and pages through the pending ones in order', async () => {
      await store.create(broadcast());

      expect(await store.addRecipients('b1', [recipient(3), recipient(7, { locale: 'ne' })])).toBe(2);
      expect(await store.addRecipients('b1', [recipient(7), recipient(9)])).toBe(1);
      await expect(store.addRecipients('missing', [recipient(1)])).rejects.toThrow('no such broadcast');

      const first = await store.pending('b1', 0, 2);
      expect(first.map((r) => r.subscriptionId)).toEqual([3, 7]);
      expect(first[1]).toMatchObject({
        broadcastId: 'b1',
        conversationKey: 'telegram:7',
        ref: { channel: 'telegram', conversationId: '7', userId: 'u7' },
        locale: 'ne',
        state: 'pending',
        error: null,
      });
      expect((await store.pending('b1', first[1]!.id, 10)).map((r) => r.subscriptionId)).toEqual([9]);
      expect(await store.lastSubscriptionId('b1')).toBe(9);
    });

    it('counts sent and failed recipients, and never lets a late failure undo a sent one', async () => {
      await store.create(broadcast());
      await store.addRecipients('b1', [recipient(1), recipient(2), recipient(3)]);
      expect(await store.lastSubscriptionId('missing')).toBe(0);

      expect(await store.mark('b1', 1, 'failed', 'Too Many Requests')).toBe(true);
      expect(await store.mark('b1', 1, 'sent', null)).toBe(true);
      expect(await store.mark('b1', 1, 'failed', 'late report')).toBe(true);
      await store.mark('b1', 2, 'failed', 'blocked by the user');
      expect(await store.mark('b1', 99, 'sent', null)).toBe(false);

      expect(await store.counts('b1')).toEqual({ total: 3, pending: 1, sent: 1, failed: 1 });
      expect((await store.pending('b1', 0, 10)).map((r) => r.subscriptionId)).toEqual([3]);
      expect(await store.counts('missing')).toEqual({ total: 0, pending: 0, sent: 0, failed: 0 });
    });

    it('lets one sender hold a broadcast at a time, until its lease runs out or it gives it back', async () => {
      await store.create(broadcast());

      expect(await store.lease('b1', 'a', 10_000, 1_000)).toBe(true);
      expect(await store.lease('b1', 'b', 10_000, 5_000)).toBe(false);
      expect(await store.lease('b1', 'a', 20_000, 5_000)).toBe(true);
      expect(await store.lease('b1', 'b', 30_000, 20_000)).toBe(true);
      await store.release('b1', 'a');
      expect(await store.lease('b1', 'a', 40_000, 21_000)).toBe(false);
      await store.release('b1', 'b');
      expect(await store.lease('b1', 'a', 40_000, 21_000)).toBe(true);
      expect(await store.lease('missing', 'a', 40_000, 21_000)).toBe(false);
    });

    it('erases one user’s recipient rows on one channel only', async () => {
      await store.create(broadcast());
      await store.create(broadcast({ id: 'b2' }));
      await store.addRecipients('b1', [recipient(1), recipient(2), recipient(3, { ref: { channel: 'webchat', conversationId: 'c', userId: 'u1' } })]);
      await store.addRecipients('b2', [recipient(1)]);

      expect(await store.deleteUser('telegram', 'u1')).toBe(2);

      expect((await store.pending('b1', 0, 10)).map((r) => r.conversationKey)).toEqual(['telegram:2', 'telegram:3']);
      expect(await store.counts('b2')).toEqual({ total: 0, pending: 0, sent: 0, failed: 0 });
    });

    it('drops the recipient rows of broadcasts finished before the cut-off, and only those', async () => {
      await store.create(broadcast({ id: 'old' }));
      await store.create(broadcast({ id: 'recent' }));
      await store.create(broadcast({ id: 'running' }));
      for (const id of ['old', 'recent', 'running']) await store.addRecipients(id, [recipient(1), recipient(2)]);
      await store.update('old', { status: 'done', finishedAt: 100, updatedAt: 100 });
      await store.update('recent', { status: 'cancelled', finishedAt: 900, updatedAt: 900 });

      expect(await store.deleteFinishedRecipients(500)).toBe(2);

      expect((await store.counts('old')).total).toBe(0);
      expect((await store.counts('recent')).total).toBe(2);
      expect((await store.counts('running')).total).toBe(2);
      expect(await store.get('old')).not.toBeNull();
    });
  });
}
