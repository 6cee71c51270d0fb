import type { InsightIncrement, InsightStore } from '../../src/insight/store';

export interface InsightStoreHarness {
  store: InsightStore;
  /** The same data through another connection or pool, as a second process would see it; memory: the same store. */
  other: () => Promise<InsightStore>;
  cleanup: () => Promise<void>;
}

const DAY = '2026-03-14';
const NEXT = '2026-03-15';

const plain = (over: Partial<InsightIncrement> = {}): InsightIncrement => ({
  day: DAY,
  organisationId: 'sg',
  metric: 'flow.started',
  dimension: 'packing',
  ...over,
});

const once = (pseudonym: string, over: Partial<InsightIncrement> = {}): InsightIncrement =>
  plain({ metric: 'language.used', dimension: 'km', pseudonym, ...over });

/**
 * What every InsightStore must do, run on memory, SQLite and PostgreSQL, so
 * that the recorder and the dashboard rely on the port alone.
 */
export function insightStoreContract(name: string, make: () => Promise<InsightStoreHarness>): void {
  describe(`${name}: insight store contract`, () => {
    let harness: InsightStoreHarness;
    let store: InsightStore;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('adds one per increment, per day, organisation, metric and dimension', async () => {
      await store.add([plain(), plain(), plain({ dimension: 'passport' })]);
      await store.add([plain(), plain({ metric: 'flow.finished' }), plain({ organisationId: 'kh' }), plain({ day: NEXT })]);

      expect(await store.counts('sg', DAY, NEXT)).toEqual([
        { day: DAY, organisationId: 'sg', metric: 'flow.finished', dimension: 'packing', count: 1 },
        { day: DAY, organisationId: 'sg', metric: 'flow.started', dimension: 'packing', count: 3 },
        { day: DAY, organisationId: 'sg', metric: 'flow.started', dimension: 'passport', count: 1 },
        { day: NEXT, organisationId: 'sg', metric: 'flow.started', dimension: 'packing', count: 1 },
      ]);
      expect(await store.counts('kh', DAY, DAY)).toEqual([{ day: DAY, organisationId: 'kh', metric: 'flow.started', dimension: 'packing', count: 1 }]);
    });

    it('gives only the days asked for, both ends included, ordered by day, metric and dimension', async () => {
      await store.add([
        plain({ day: '2026-03-16', metric: 'sos.raised', dimension: '' }),
        plain({ day: '2026-03-13' }),
        plain({ day: NEXT, metric: 'case.opened', dimension: 'passport/normal' }),
        plain({ day: NEXT, metric: 'case.opened', dimension: 'danger/urgent' }),
        plain({ day: NEXT, metric: 'case.first_reply', dimension: '0-5' }),
        plain({ day: DAY, metric: 'sos.raised', dimension: '' }),
        plain({ day: '2026-03-17' }),
      ]);

      const counts = await store.counts('sg', DAY, '2026-03-16');
      expect(counts.map((c) => [c.day, c.metric, c.dimension])).toEqual([
        [DAY, 'sos.raised', ''],
        [NEXT, 'case.first_reply', '0-5'],
        [NEXT, 'case.opened', 'danger/urgent'],
        [NEXT, 'case.opened', 'passport/normal'],
        ['2026-03-16', 'sos.raised', ''],
      ]);
      expect(await store.counts('sg', '2026-04-01', '2026-04-30')).toEqual([]);
      expect(await store.counts('nobody', DAY, NEXT)).toEqual([]);
    });

    it('orders dimensions by code unit, as a byte-wise sort would, whatever the database locale', async () => {
      await store.add(['b', 'B', 'a b', 'a', 'a-b', 'ab'].map((dimension) => plain({ dimension })));

      const dims = (await store.counts('sg', DAY, DAY)).map((c) => c.dimension);
      expect(dims).toEqual(['B', 'a', 'a b', 'a-b', 'ab', 'b']);
    });

    it('counts a pseudonymous increment once per person, day, metric and dimension', async () => {
      await store.add([once('p1'), once('p1'), once('p2')]);
      await store.add([once('p1'), once('p1', { day: NEXT }), once('p1', { dimension: 'en' }), once('p1', { metric: 'country.current', dimension: 'SG' })]);

      expect((await store.counts('sg', DAY, NEXT)).map((c) => [c.day, c.metric, c.dimension, c.count])).toEqual([
        [DAY, 'country.current', 'SG', 1],
        [DAY, 'language.used', 'en', 1],
        [DAY, 'language.used', 'km', 2],
        [NEXT, 'language.used', 'km', 1],
      ]);
    });

    it('counts the same person once per organisation too', async () => {
      await store.add([once('p1'), once('p1', { organisationId: 'kh' })]);

      expect(await store.counts('sg', DAY, DAY)).toEqual([{ day: DAY, organisationId: 'sg', metric: 'language.used', dimension: 'km', count: 1 }]);
      expect(await store.counts('kh', DAY, DAY)).toEqual([{ day: DAY, organisationId: 'kh', metric: 'language.used', dimension: 'km', count: 1 }]);
    });

    it('forgets a person’s marks, keeping the counts: they are about nobody', async () => {
      await store.add([once('p1'), once('p1', { day: NEXT }), once('p2')]);

      expect(await store.forget('p1')).toBe(2);
      expect(await store.forget('p1')).toBe(0);
      const km = async () => (await store.counts('sg', DAY, DAY)).find((c) => c.dimension === 'km')?.count;
      expect(await km()).toBe(2);
      // Without the mark, the person is new again today; p2's mark is still there.
      await store.add([once('p1'), once('p2')]);
      expect(await km()).toBe(3);
    });

    it('prunes marks of days before the one given, and only those', async () => {
      await store.add([once('p1', { day: '2026-03-12' }), once('p1', { day: '2026-03-13' }), once('p1'), once('p2')]);

      expect(await store.prune(DAY)).toBe(2);
      expect(await store.prune(DAY)).toBe(0);
      // The marks of the day kept still stop a second count.
      await store.add([once('p1'), once('p2')]);
      expect((await store.counts('sg', DAY, DAY))[0]?.count).toBe(2);
      // Those pruned no longer do (no one adds to a past day in practice; this shows the mark is gone).
      await store.add([once('p1', { day: '2026-03-13' })]);
      expect((await store.counts('sg', '2026-03-13', '2026-03-13'))[0]?.count).toBe(2);
    });

    it('writes all of a batch or none of it', async () => {
      await store.add([plain()]);

      await expect(store.add([plain(), once('p1'), plain({ day: '2026-02-30' })])).rejects.toThrow(/day/);
      await expect(store.add([plain(), plain({ metric: 'nonsense' as InsightIncrement['metric'] })])).rejects.toThrow(/metric/);

      expect(await store.counts('sg', DAY, DAY)).toEqual([{ day: DAY, organisationId: 'sg', metric: 'flow.started', dimension: 'packing', count: 1 }]);
      // p1 was not marked either: the refused batch left nothing behind.
      await store.add([once('p1')]);
      expect((await store.counts('sg', DAY, DAY)).find((c) => c.metric === 'language.used')?.count).toBe(1);
    });

    it('takes an empty batch, and refuses days that are not days', async () => {
      await store.add([]);
      expect(await store.counts('sg', DAY, DAY)).toEqual([]);
      await expect(store.counts('sg', '14/03/2026', DAY)).rejects.toThrow(RangeError);
      await expect(store.prune('yesterday')).rejects.toThrow(RangeError);
    });

    it('adds up right when two processes add at once, and counts a person seen by both once', async () => {
      const other = await harness.other();
      const batch = (i: number): InsightIncrement[] => [plain(), plain({ dimension: 'passport' }), once(`p${i % 5}`), once('everyone')];

      await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store : other).add(batch(i))));

      const counts = await store.counts('sg', DAY, DAY);
      expect(counts.map((c) => [c.metric, c.dimension, c.count])).toEqual([
        ['flow.started', 'packing', 20],
        ['flow.started', 'passport', 20],
        ['language.used', 'km', 6],
      ]);
      expect(await other.counts('sg', DAY, DAY)).toEqual(counts);
    });
  });
}
