import type { SubscriptionScope, SubscriptionStore, SubscriptionUpsert } from '../../src/alerts/subscriptions';

export interface SubscriptionStoreHarness {
  store: SubscriptionStore;
  /** Opens the same data again (durable stores only). */
  reopen?: () => Promise<SubscriptionStore>;
  cleanup: () => Promise<void>;
}

const yes = (
  conversationId: string,
  scope: SubscriptionScope,
  country: string,
  over: Partial<SubscriptionUpsert> = {},
): SubscriptionUpsert => ({
  conversationKey: `${over.ref?.channel ?? 'telegram'}:${conversationId}`,
  ref: { channel: 'telegram', conversationId, userId: `u-${conversationId}` },
  scope,
  country,
  locale: 'ne',
  now: 1_000,
  ...over,
});

/**
 * What every SubscriptionStore must do, run on memory, SQLite and
 * PostgreSQL, so the bot's dialogue and the broadcast sender rely on the port alone.
 */
export function subscriptionStoreContract(
  name: string,
  make: () => Promise<SubscriptionStoreHarness>,
  { durable = false }: { durable?: boolean } = {},
): void {
  describe(`${name}: subscription store contract`, () => {
    let harness: SubscriptionStoreHarness;
    let store: SubscriptionStore;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    it('keeps a subscription with everything needed to alert the person', async () => {
      const sub = await store.upsert(yes('c1', 'origin', 'NP'));
      expect(sub).toEqual({
        id: expect.any(Number),
        conversationKey: 'telegram:c1',
        ref: { channel: 'telegram', conversationId: 'c1', userId: 'u-c1' },
        scope: 'origin',
        country: 'NP',
        locale: 'ne',
        createdAt: 1_000,
        updatedAt: 1_000,
      });
      expect(await store.listFor('telegram:c1')).toEqual([sub]);
      expect(await store.listFor('telegram:other')).toEqual([]);
    });

    it('treats a second yes as an update of the same subscription, not a second one', async () => {
      const first = await store.upsert(yes('c1', 'current', 'MY'));
      const again = await store.upsert(yes('c1', 'current', 'QA', { locale: 'en', now: 2_000 }));
      expect(again).toMatchObject({ id: first.id, country: 'QA', locale: 'en', createdAt: 1_000, updatedAt: 2_000 });
      expect(await store.listFor('telegram:c1')).toEqual([again]);
    });

    it('keeps one subscription per scope, listed in the order they were made', async () => {
      const origin = await store.upsert(yes('c1', 'origin', 'NP'));
      const current = await store.upsert(yes('c1', 'current', 'MY'));
      expect(current.id).toBeGreaterThan(origin.id);
      expect((await store.listFor('telegram:c1')).map((s) => s.scope)).toEqual(['origin', 'current']);
    });

    it('refuses a country that is not an upper-case ISO code, and writes nothing', async () => {
      await expect(store.upsert(yes('c1', 'origin', 'np'))).rejects.toThrow();
      await expect(store.upsert(yes('c1', 'origin', 'Nepal'))).rejects.toThrow();
      expect(await store.listFor('telegram:c1')).toEqual([]);
    });

    it('removes one scope or all, saying how many', async () => {
      await store.upsert(yes('c1', 'origin', 'NP'));
      await store.upsert(yes('c1', 'current', 'MY'));
      await store.upsert(yes('c2', 'origin', 'NP'));
      expect(await store.remove('telegram:c1', 'current')).toBe(1);
      expect((await store.listFor('telegram:c1')).map((s) => s.scope)).toEqual(['origin']);
      expect(await store.remove('telegram:c1', 'current')).toBe(0);
      await store.upsert(yes('c1', 'current', 'MY'));
      expect(await store.remove('telegram:c1')).toBe(2);
      expect(await store.listFor('telegram:c1')).toEqual([]);
      expect(await store.listFor('telegram:c2')).toHaveLength(1);
      expect(await store.remove('telegram:c1')).toBe(0);
    });

    it('moves the alert language with the person, for every scope, and leaves others alone', async () => {
      await store.upsert(yes('c1', 'origin', 'NP'));
      await store.upsert(yes('c1', 'current', 'MY'));
      await store.upsert(yes('c2', 'origin', 'NP'));
      await store.setLocale('telegram:c1', 'en', 5_000);
      expect((await store.listFor('telegram:c1')).map((s) => [s.locale, s.updatedAt])).toEqual([
        ['en', 5_000],
        ['en', 5_000],
      ]);
      expect((await store.listFor('telegram:c2'))[0]).toMatchObject({ locale: 'ne', updatedAt: 1_000 });
    });

    it('leaves a subscription untouched when the language is the same, and does nothing for someone not subscribed', async () => {
      await store.upsert(yes('c1', 'origin', 'NP'));
      await store.setLocale('telegram:c1', 'ne', 9_000);
      expect((await store.listFor('telegram:c1'))[0]!.updatedAt).toBe(1_000);
      await store.setLocale('telegram:nobody', 'en', 9_000);
      expect(await store.listFor('telegram:nobody')).toEqual([]);
    });

    it('moves one scope to another country, and only that scope', async () => {
      await store.upsert(yes('c1', 'origin', 'NP'));
      await store.upsert(yes('c1', 'current', 'MY'));
      await store.setCountry('telegram:c1', 'current', 'QA', 7_000);
      expect((await store.listFor('telegram:c1')).map((s) => [s.scope, s.country, s.updatedAt])).toEqual([
        ['origin', 'NP', 1_000],
        ['current', 'QA', 7_000],
      ]);
      await store.setCountry('telegram:c2', 'current', 'QA', 7_000);
      expect(await store.listFor('telegram:c2')).toEqual([]);
      await expect(store.setCountry('telegram:c1', 'current', 'qatar', 7_000)).rejects.toThrow();
    });

    describe('audience', () => {
      it('gives the subscribers about one of the countries, speaking one of the languages, in id order', async () => {
        const a = await store.upsert(yes('a', 'origin', 'NP'));
        await store.upsert(yes('b', 'origin', 'PH', { locale: 'fil' }));
        const c = await store.upsert(yes('c', 'current', 'MY', { locale: 'en' }));
        await store.upsert(yes('d', 'current', 'MY', { locale: 'bn' }));
        const got = await store.audience({ countries: ['NP', 'MY'], locales: ['ne', 'en'] }, 0, 100);
        expect(got).toEqual([a, c]);
      });

      it('reaches a person subscribed under both scopes once, by their first subscription', async () => {
        const origin = await store.upsert(yes('a', 'origin', 'NP'));
        await store.upsert(yes('a', 'current', 'NP'));
        const other = await store.upsert(yes('b', 'current', 'NP'));
        expect(await store.audience({ countries: ['NP'], locales: ['ne'] }, 0, 100)).toEqual([origin, other]);
        // Past the first subscription, the second is not offered as if it were someone new.
        expect(await store.audience({ countries: ['NP'], locales: ['ne'] }, origin.id, 100)).toEqual([other]);
      });

      it('uses the matching subscription when only one of a person\'s two is about the country', async () => {
        await store.upsert(yes('a', 'origin', 'NP'));
        const current = await store.upsert(yes('a', 'current', 'MY'));
        expect(await store.audience({ countries: ['MY'], locales: ['ne'] }, 0, 100)).toEqual([current]);
      });

      it('pages by id: each page starts after the last id of the one before, and nobody comes twice', async () => {
        const made = [];
        for (let i = 0; i < 7; i++) made.push(await store.upsert(yes(`p${i}`, 'origin', 'NP')));
        await store.upsert(yes('p0', 'current', 'NP'));
        const seen: number[] = [];
        let after = 0;
        for (;;) {
          const page = await store.audience({ countries: ['NP'], locales: ['ne'] }, after, 3);
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(3);
          seen.push(...page.map((s) => s.id));
          after = page[page.length - 1]!.id;
        }
        expect(seen).toEqual(made.map((s) => s.id));
      });

      it('matches nobody when a list is empty, and refuses a negative page size', async () => {
        await store.upsert(yes('a', 'origin', 'NP'));
        expect(await store.audience({ countries: [], locales: ['ne'] }, 0, 100)).toEqual([]);
        expect(await store.audience({ countries: ['NP'], locales: [] }, 0, 100)).toEqual([]);
        expect(await store.countAudience({ countries: [], locales: [] })).toEqual([]);
        await expect(store.audience({ countries: ['NP'], locales: ['ne'] }, 0, -1)).rejects.toThrow(RangeError);
      });

      it('counts people (not subscriptions) per channel and language, sorted', async () => {
        await store.upsert(yes('a', 'origin', 'NP'));
        await store.upsert(yes('a', 'current', 'NP'));
        await store.upsert(yes('b', 'origin', 'NP'));
        await store.upsert(yes('c', 'origin', 'NP', { locale: 'en' }));
        await store.upsert(
          yes('w1', 'current', 'NP', { conversationKey: 'web:w1', ref: { channel: 'web', conversationId: 'w1', userId: 'x' } }),
        );
        await store.upsert(yes('z', 'origin', 'PH'));
        expect(await store.countAudience({ countries: ['NP'], locales: ['ne', 'en'] })).toEqual([
          { channel: 'telegram', locale: 'en', count: 1 },
          { channel: 'telegram', locale: 'ne', count: 2 },
          { channel: 'web', locale: 'ne', count: 1 },
        ]);
      });
    });

    it('lists the conversations with a subscription once each, for retention to keep', async () => {
      await store.upsert(yes('b', 'origin', 'NP'));
      await store.upsert(yes('b', 'current', 'MY'));
      await store.upsert(yes('a', 'origin', 'NP'));
      expect(await store.subscribedKeys()).toEqual(['telegram:a', 'telegram:b']);
      await store.remove('telegram:b');
      expect(await store.subscribedKeys()).toEqual(['telegram:a']);
    });

    it('erases every subscription of one user on one channel, and nobody else\'s', async () => {
      const mine = { ref: { channel: 'telegram', conversationId: 'g1', userId: 'me' } };
      await store.upsert(yes('g1', 'origin', 'NP', mine));
      await store.upsert(yes('g1', 'current', 'MY', mine));
      await store.upsert(
        yes('g2', 'origin', 'NP', { conversationKey: 'telegram:g2', ref: { channel: 'telegram', conversationId: 'g2', userId: 'me' } }),
      );
      await store.upsert(
        yes('w', 'origin', 'NP', { conversationKey: 'web:w', ref: { channel: 'web', conversationId: 'w', userId: 'me' } }),
      );
      await store.upsert(yes('other', 'origin', 'NP'));
      expect(await store.deleteUser('telegram', 'me')).toBe(3);
      expect(await store.subscribedKeys()).toEqual(['telegram:other', 'web:w']);
      expect(await store.deleteUser('telegram', 'me')).toBe(0);
    });

    it('never hands out an erased subscription\'s id again', async () => {
      const first = await store.upsert(yes('a', 'origin', 'NP'));
      await store.upsert(yes('b', 'origin', 'NP'));
      const last = await store.upsert(yes('c', 'origin', 'NP'));
      await store.remove('telegram:c');
      await store.remove('telegram:a');
      const next = await store.upsert(yes('d', 'origin', 'NP'));
      expect(next.id).toBeGreaterThan(last.id);
      expect(next.id).not.toBe(first.id);
    });

    if (durable) {
      it('keeps subscriptions, and counts ids upward past erased ones, when opened again', async () => {
        const kept = await store.upsert(yes('a', 'origin', 'NP'));
        const erased = await store.upsert(yes('b', 'origin', 'NP'));
        await store.remove('telegram:b');
        store = await harness.reopen!();
        expect(await store.listFor('telegram:a')).toEqual([kept]);
        expect((await store.upsert(yes('c', 'origin', 'NP'))).id).toBeGreaterThan(erased.id);
      });
    }
  });
}
