import type { CommitResult, Delivery, OutboxEntry, OutboxLease, Store, SubmissionFilter, TurnCommit } from '../../src/store/store';

export interface StoreHarness {
  store: Store;
  /** Closes nothing itself: opens the same data again after the contract closed `store`. */
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

export interface StoreTraits {
  /** The data outlives the process; the harness must then provide `reopen`. */
  durable?: boolean;
}

/**
 * What every Store must do, run once per implementation (memory, SQLite, and
 * later PostgreSQL), so the engine can rely on the port and not on one store.
 */
export function storeContract(name: string, make: () => Promise<StoreHarness>, traits: StoreTraits = {}): void {
  describe(`${name}: store contract`, () => {
    let harness: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      harness = await make();
      store = harness.store;
    });

    afterEach(async () => {
      await store.close();
      await harness.cleanup();
    });

    describe('records', () => {
      it('returns null for a conversation never committed', async () => {
        expect(await store.getConversation('web:nobody')).toBeNull();
      });

      it('starts a new conversation at rev 1 and adds one per commit', async () => {
        expect(await commitOk(store, turn({ messageId: 'm1', record: { step: 'a' } }))).toMatchObject({ rev: 1 });
        expect(await store.getConversation(KEY)).toEqual({ data: { step: 'a' }, rev: 1 });

        expect(await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, record: { step: 'b' } }))).toMatchObject({
          rev: 2,
        });
        expect(await store.getConversation(KEY)).toEqual({ data: { step: 'b' }, rev: 2 });
      });

      it('gives back records and replies exactly as written: nesting, every script, numbers', async () => {
        await commitOk(store, turn({ messageId: 'm1', record: RICH, outbox: [RICH, { text: RICH.text.km }] }));

        expect((await store.getConversation(KEY))?.data).toEqual(RICH);
        expect((await store.repliesTo(KEY, 'm1'))?.map((e) => e.message)).toEqual([RICH, { text: RICH.text.km }]);
      });

      it('keeps JSON meaning: dates come back as strings and undefined fields are dropped', async () => {
        const when = new Date(Date.UTC(2024, 4, 1));
        await commitOk(store, turn({ messageId: 'm1', record: { when, gone: undefined, kept: null } }));

        const data = (await store.getConversation(KEY))?.data;
        expect(data).toStrictEqual({ when: when.toISOString(), kept: null });
        expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
      });

      it('rejects a turn that JSON cannot hold, and writes none of it', async () => {
        const badReply = turn({ messageId: 'm1', outbox: [{ ok: true }, { count: BigInt(1) }] });
        await expect(store.commitTurn(badReply)).rejects.toThrow(TypeError);
        await expect(store.commitTurn(turn({ messageId: 'm2', record: undefined }))).rejects.toThrow(TypeError);

        expect(await store.getConversation(KEY)).toBeNull();
        expect(await store.isProcessed(KEY, 'm1')).toBe(false);
        expect(await store.isProcessed(KEY, 'm2')).toBe(false);
        expect(await store.pendingOutbox(10)).toEqual([]);
      });
    });

    describe('optimistic concurrency', () => {
      it('refuses a commit based on a stale rev and writes nothing', async () => {
        await commitOk(store, turn({ messageId: 'm1', record: { v: 1 }, outbox: [{ text: 'one' }] }));
        await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, record: { v: 2 } }));

        const stale = await store.commitTurn(
          turn({ messageId: 'm3', expectedRev: 1, record: { v: 'stale' }, outbox: [{ text: 'lost' }] }),
        );

        expect(stale).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.getConversation(KEY)).toEqual({ data: { v: 2 }, rev: 2 });
        expect(await store.isProcessed(KEY, 'm3')).toBe(false);
        expect(await store.repliesTo(KEY, 'm3')).toBeNull();
        expect((await store.outboxSince(KEY, 0, 10)).map((e) => e.message)).toEqual([{ text: 'one' }]);
      });

      it('reads what a turn starts from in one go: whether its message was handled, else the conversation', async () => {
        expect(await store.turnState(KEY, 'm1')).toEqual({ processed: false, conversation: null });
        await commitOk(store, turn({ messageId: 'm1', record: { v: 1 } }));
        await commitOk(store, turn({ messageId: 'm9', conversationKey: 'web:other', record: { v: 'other' } }));

        expect(await store.turnState(KEY, 'm1')).toEqual({ processed: true, conversation: null });
        expect(await store.turnState(KEY, 'm2')).toEqual({ processed: false, conversation: { data: { v: 1 }, rev: 1 } });
        expect(await store.turnState('web:none', 'm2')).toEqual({ processed: false, conversation: null });
        // Marks are the conversation's: m1 is new to another one.
        expect(await store.turnState('web:other', 'm1')).toEqual({ processed: false, conversation: { data: { v: 'other' }, rev: 1 } });
      });

      it('answers turn states asked at once each with its own, in any mix of handled, known and new', async () => {
        await commitOk(store, turn({ messageId: 'm1', record: { v: 1 } }));
        await commitOk(store, turn({ messageId: 'm9', conversationKey: 'web:other', record: { v: 'other' } }));

        // Asked in the same tick, as the turns of many conversations are: a store may answer them together.
        const states = await Promise.all([
          store.turnState(KEY, 'm1'),
          store.turnState('web:none', 'm1'),
          store.turnState(KEY, 'm2'),
          store.turnState('web:other', 'm9'),
          store.turnState('web:other', 'm1'),
          store.turnState(KEY, 'm2'),
        ]);

        expect(states).toEqual([
          { processed: true, conversation: null },
          { processed: false, conversation: null },
          { processed: false, conversation: { data: { v: 1 }, rev: 1 } },
          { processed: true, conversation: null },
          { processed: false, conversation: { data: { v: 'other' }, rev: 1 } },
          { processed: false, conversation: { data: { v: 1 }, rev: 1 } },
        ]);
        // Fresh objects each, even for the same conversation asked twice.
        expect(states[2]!.conversation!.data).not.toBe(states[5]!.conversation!.data);
      });

      it('commits turns asked at once each on its own: saved, conflicting and repeated side by side', async () => {
        await commitOk(store, turn({ messageId: 'm1', record: { v: 1 }, outbox: [{ n: 1 }] }));

        // Committed in the same tick, as the turns of many conversations are: a store may write them together.
        const results = await Promise.all([
          store.commitTurn(turn({ messageId: 'a1', conversationKey: 'web:a', userId: 'ua', record: { v: 'a' }, outbox: [{ a: 1 }, { a: 2 }] })),
          store.commitTurn(turn({ messageId: 'm2', expectedRev: 0, record: { v: 'stale' }, outbox: [{ lost: 1 }] })),
          store.commitTurn(turn({ messageId: 'm1', expectedRev: 1, outbox: [{ again: 1 }] })),
          store.commitTurn(turn({ messageId: 'm3', expectedRev: 1, record: { v: 2 }, submissions: [rfl({ who: 'sister' })] })),
          store.commitTurn(turn({ messageId: 'b1', conversationKey: 'web:b', userId: 'ub', record: RICH, outbox: [RICH] })),
        ]);

        const [a, stale, again, next, b] = results;
        expect(stale).toEqual(CONFLICT);
        expect(again).toEqual(DUPLICATE);
        expect(next).toMatchObject({ ok: true, rev: 2, outbox: [] });
        expect(a).toMatchObject({ ok: true, rev: 1, outbox: [{ message: { a: 1 } }, { message: { a: 2 } }] });
        expect(b).toMatchObject({ ok: true, rev: 1, outbox: [{ message: RICH }] });
        expectIncreasing((a as Extract<CommitResult, { ok: true }>).outbox.map((e) => e.seq));
        expect(await store.getConversation(KEY)).toEqual({ data: { v: 2 }, rev: 2 });
        expect(await store.getConversation('web:a')).toEqual({ data: { v: 'a' }, rev: 1 });
        expect(await store.getConversation('web:b')).toEqual({ data: RICH, rev: 1 });
        expect(await store.isProcessed(KEY, 'm2')).toBe(false);
        expect((await store.outboxSince(KEY, 0, 10)).map((e) => e.message)).toEqual([{ n: 1 }]);
        expect((await store.outboxSince('web:a', 0, 10)).map((e) => e.message)).toEqual([{ a: 1 }, { a: 2 }]);
        expect((await store.listSubmissions({ conversationKey: KEY }, 10)).map((x) => x.data)).toEqual([{ who: 'sister' }]);
      });

      it('refuses rev 0 for an existing conversation, and any other rev for a missing or newer one', async () => {
        await commitOk(store, turn({ messageId: 'm1' }));

        expect(await store.commitTurn(turn({ messageId: 'm2', expectedRev: 0 }))).toEqual(CONFLICT);
        expect(await store.commitTurn(turn({ messageId: 'm3', expectedRev: 2 }))).toEqual(CONFLICT);
        expect(await store.commitTurn(turn({ messageId: 'm4', conversationKey: 'web:new', expectedRev: 1 }))).toEqual(
          CONFLICT,
        );
        expect(await store.getConversation('web:new')).toBeNull();
        expect((await store.getConversation(KEY))?.rev).toBe(1);
      });

      it('processes one message id in each of ten conversations at once, each with its own record, replies and submissions', async () => {
        const keys = Array.from({ length: 10 }, (_, i) => `web:same-id-${i}`);
        const results = await Promise.all(
          keys.map((conversationKey, i) =>
            store.commitTurn(
              turn({
                messageId: 'shared',
                conversationKey,
                userId: `u${i}`,
                record: { of: i },
                outbox: [{ to: i }, { n: 2 }],
                submissions: [rfl({ of: i })],
              }),
            ),
          ),
        );

        expect(results.map((r) => r.ok)).toEqual(keys.map(() => true));
        for (const [i, key] of keys.entries()) {
          expect(await store.getConversation(key)).toEqual({ data: { of: i }, rev: 1 });
          expect(await store.isProcessed(key, 'shared')).toBe(true);
          expect((await store.repliesTo(key, 'shared'))?.map((e) => [e.conversationKey, e.message])).toEqual([
            [key, { to: i }],
            [key, { n: 2 }],
          ]);
          expect((await store.listSubmissions({ conversationKey: key }, 10)).map((s) => s.data)).toEqual([{ of: i }]);
          // Each conversation still knows its own resend.
          expect(await store.commitTurn(turn({ messageId: 'shared', conversationKey: key, expectedRev: 1 }))).toEqual(DUPLICATE);
        }
        expect(await store.isProcessed(KEY, 'shared')).toBe(false);
      });

      it('lets one of ten racing commits of one message in one conversation win; the others hear duplicate and write nothing', async () => {
        const won: unknown[] = [];
        for (const [expectedRev, id] of [
          [0, 'first'],
          [1, 'second'],
        ] as const) {
          const results = await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              store.commitTurn(
                turn({ messageId: id, expectedRev, record: { id, from: i }, outbox: [{ id, from: i }], submissions: [rfl({ id, from: i })] }),
              ),
            ),
          );

          const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
          expect(winners).toHaveLength(1);
          expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 9 }, () => DUPLICATE));
          const from = winners[0]!;
          won.push({ id, from });
          expect(await store.getConversation(KEY)).toEqual({ data: { id, from }, rev: expectedRev + 1 });
          expect((await store.repliesTo(KEY, id))?.map((e) => e.message)).toEqual([{ id, from }]);
        }
        expect((await store.outboxSince(KEY, 0, 100)).map((e) => e.message)).toEqual(won);
        expect((await store.listSubmissions({}, 100)).map((s) => s.data)).toEqual(won);
      });

      it('lets exactly one of many racing commits on the same rev win', async () => {
        const race = (expectedRev: number, round: string) =>
          Promise.all(
            Array.from({ length: 25 }, (_, i) =>
              store.commitTurn(
                turn({
                  messageId: `${round}-${i}`,
                  expectedRev,
                  record: { winner: i },
                  outbox: [{ from: i }],
                  submissions: [{ kind: 'race', data: { round, from: i } }],
                }),
              ),
            ),
          );

        const won: unknown[] = [];
        for (const [expectedRev, round] of [
          [0, 'first'],
          [1, 'second'],
        ] as const) {
          const results = await race(expectedRev, round);
          const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
          expect(winners).toHaveLength(1);
          expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 24 }, () => CONFLICT));

          const winner = winners[0]!;
          won.push({ round, from: winner });
          expect(await store.getConversation(KEY)).toEqual({ data: { winner }, rev: expectedRev + 1 });
          for (let i = 0; i < 25; i++) expect(await store.isProcessed(KEY, `${round}-${i}`)).toBe(i === winner);
          expect(await store.repliesTo(KEY, `${round}-${winner}`)).toHaveLength(1);
        }
        expect(await store.outboxSince(KEY, 0, 100)).toHaveLength(2);
        expect((await store.listSubmissions({ kind: 'race' }, 100)).map((s) => s.data)).toEqual(won);
      });
    });

    describe('processed marks', () => {
      it('marks a message as processed only once it is committed', async () => {
        expect(await store.isProcessed(KEY, 'm1')).toBe(false);
        await commitOk(store, turn({ messageId: 'm1' }));
        expect(await store.isProcessed(KEY, 'm1')).toBe(true);
      });

      it('refuses a message id seen before and writes nothing', async () => {
        await commitOk(store, turn({ messageId: 'm1', record: { v: 1 }, outbox: [{ text: 'first' }] }));

        const again = await store.commitTurn(
          turn({ messageId: 'm1', expectedRev: 1, record: { v: 'again' }, outbox: [{ text: 'twice' }] }),
        );

        expect(again).toEqual(DUPLICATE);
        expect(await store.getConversation(KEY)).toEqual({ data: { v: 1 }, rev: 1 });
        expect((await store.outboxSince(KEY, 0, 10)).map((e) => e.message)).toEqual([{ text: 'first' }]);
      });

      // A redelivered webhook carries the rev its first attempt read; it must hear
      // "duplicate" (and get the earlier replies), not "conflict" (and run again).
      it('reports a redelivered message as a duplicate even when its rev is stale', async () => {
        await commitOk(store, turn({ messageId: 'm1' }));
        await commitOk(store, turn({ messageId: 'm2', expectedRev: 1 }));

        expect(await store.commitTurn(turn({ messageId: 'm1', expectedRev: 0 }))).toEqual(DUPLICATE);
      });

      it('keeps marks per conversation: the same id in another conversation, of any channel, is a new message', async () => {
        await commitOk(store, turn({ messageId: '42', outbox: [{ in: KEY }] }));

        expect(await store.isProcessed('web:other', '42')).toBe(false);
        await commitOk(store, turn({ messageId: '42', conversationKey: 'web:other', outbox: [{ in: 'web:other' }] }));
        expect(await store.isProcessed('telegram:c1', '42')).toBe(false);
        await commitOk(store, turn({ messageId: '42', channel: 'telegram', conversationKey: 'telegram:c1' }));

        expect(await store.isProcessed('web:other', '42')).toBe(true);
        expect(await store.isProcessed('telegram:c1', '42')).toBe(true);
        expect((await store.repliesTo(KEY, '42'))?.map((e) => e.message)).toEqual([{ in: KEY }]);
        expect((await store.repliesTo('web:other', '42'))?.map((e) => e.message)).toEqual([{ in: 'web:other' }]);
        expect(await store.repliesTo('telegram:c1', '42')).toEqual([]);
      });

      it('prunes one conversation’s marks made before a time, keeping its replies and every other mark', async () => {
        await commitOk(store, turn({ messageId: 'old1', now: T0, outbox: [{ n: 1 }] }));
        await commitOk(store, turn({ messageId: 'old2', expectedRev: 1, now: T0 + 1 }));
        await commitOk(store, turn({ messageId: 'new', expectedRev: 2, now: T0 + 2 }));
        await commitOk(store, turn({ messageId: 'old1', conversationKey: 'web:other', now: T0 }));

        expect(await store.pruneProcessed(KEY, T0 + 2)).toBe(2);
        expect(await store.pruneProcessed(KEY, T0 + 2)).toBe(0);

        expect(await store.isProcessed(KEY, 'old1')).toBe(false);
        expect(await store.isProcessed(KEY, 'old2')).toBe(false);
        expect(await store.isProcessed(KEY, 'new')).toBe(true);
        expect(await store.isProcessed('web:other', 'old1')).toBe(true);
        expect(await store.repliesTo(KEY, 'old1')).toBeNull();
        expect((await store.outboxSince(KEY, 0, 10)).map((e) => e.message)).toEqual([{ n: 1 }]);
        // A message whose mark went is a new message again: nothing stops its commit.
        expect(await commitOk(store, turn({ messageId: 'old1', expectedRev: 3, now: T0 + 3 }))).toMatchObject({ rev: 4 });
        expect(await store.pruneProcessed('web:nobody', T0 + 10)).toBe(0);
      });
    });

    describe('outbox', () => {
      it('returns the written replies with increasing seqs, undelivered', async () => {
        const result = await commitOk(
          store,
          turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }, { n: 3 }], now: T0 + 5 }),
        );

        expect(result.outbox.map((e) => e.message)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        expectIncreasing(result.outbox.map((e) => e.seq));
        for (const entry of result.outbox) {
          expect(entry).toMatchObject({
            conversationKey: KEY,
            channel: CHANNEL,
            messageId: 'm1',
            createdAt: T0 + 5,
            deliveredAt: null,
          });
        }
      });

      it('numbers replies in commit order across conversations', async () => {
        const a = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
        const b = await commitOk(store, turn({ messageId: 'm2', conversationKey: 'web:b', outbox: [{ n: 3 }] }));
        const c = await commitOk(store, turn({ messageId: 'm3', expectedRev: 1, outbox: [{ n: 4 }] }));

        expectIncreasing([...a.outbox, ...b.outbox, ...c.outbox].map((e) => e.seq));
      });

      it('tells what a processed message produced, in order, and null for one never processed', async () => {
        const first = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
        await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, outbox: [{ n: 3 }] }));
        await commitOk(store, turn({ messageId: 'm3', expectedRev: 2, outbox: [] }));

        expect(await store.repliesTo(KEY, 'm1')).toEqual(first.outbox);
        expect((await store.repliesTo(KEY, 'm2'))?.map((e) => e.message)).toEqual([{ n: 3 }]);
        expect(await store.repliesTo(KEY, 'm3')).toEqual([]);
        expect(await store.repliesTo(KEY, 'never')).toBeNull();
        expect(await store.repliesTo('web:other', 'm1')).toBeNull();
      });

      it('pages through one conversation with afterSeq and limit, never showing another', async () => {
        let rev = 0;
        for (let i = 1; i <= 5; i++) {
          await commitOk(store, turn({ messageId: `a${i}`, expectedRev: rev++, outbox: [{ a: i }] }));
          await commitOk(
            store,
            turn({ messageId: `b${i}`, conversationKey: 'web:b', expectedRev: i - 1, outbox: [{ b: i }] }),
          );
        }

        const pages: OutboxEntry[][] = [];
        let after = 0;
        for (;;) {
          const page = await store.outboxSince(KEY, after, 2);
          if (page.length === 0) break;
          pages.push(page);
          after = page[page.length - 1]!.seq;
        }

        expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
        expect(pages.flat().map((e) => e.message)).toEqual([1, 2, 3, 4, 5].map((a) => ({ a })));
        expect(pages.flat().every((e) => e.conversationKey === KEY)).toBe(true);
        expect(await store.outboxSince(KEY, 0, 0)).toEqual([]);
        expect(await store.outboxSince('web:none', 0, 10)).toEqual([]);
      });

      it('refuses a page size that is not a count', async () => {
        await expect(store.outboxSince(KEY, 0, -1)).rejects.toThrow(RangeError);
        await expect(store.pendingOutbox(1.5)).rejects.toThrow(RangeError);
      });

      it('lists undelivered replies of every conversation, oldest first, up to the limit', async () => {
        await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }] }));
        const telegram = { conversationKey: 'telegram:c1', channel: 'telegram' };
        await commitOk(store, turn({ messageId: 'm2', ...telegram, outbox: [{ n: 2 }] }));
        await commitOk(store, turn({ messageId: 'm3', expectedRev: 1, outbox: [{ n: 3 }, { n: 4 }] }));

        const all = await store.pendingOutbox(10);
        expect(all.map((e) => e.message)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
        expect(all.map((e) => e.channel)).toEqual(['web', 'telegram', 'web', 'web']);
        expect((await store.pendingOutbox(3)).map((e) => e.message)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        expect(await store.pendingOutbox(0)).toEqual([]);
      });

      it('takes delivered replies out of the pending list, keeping the first delivery time', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }, { n: 3 }] }));
        const [one, two, three] = outbox.map((e) => e.seq);

        await store.markDelivered([one!, three!], T0 + 100);
        expect((await store.pendingOutbox(10)).map((e) => e.seq)).toEqual([two]);

        // A retried delivery report must not move the time the person got the reply.
        await store.markDelivered([one!, two!, 987654], T0 + 200);
        await store.markDelivered([], T0 + 300);
        expect(await store.pendingOutbox(10)).toEqual([]);
        expect((await store.repliesTo(KEY, 'm1'))?.map((e) => e.deliveredAt)).toEqual([
          T0 + 100,
          T0 + 200,
          T0 + 100,
        ]);
        expect((await store.outboxSince(KEY, 0, 10)).map((e) => e.deliveredAt)).toEqual([T0 + 100, T0 + 200, T0 + 100]);
      });

      it('never hands out a seq twice, even after the newest replies were erased', async () => {
        await commitOk(store, turn({ messageId: 'm1', ...KEEPER, outbox: [{ n: 1 }] }));
        const gone = await commitOk(store, turn({ messageId: 'm2', outbox: [{ n: 2 }, { n: 3 }] }));
        await store.deleteUser(CHANNEL, USER);

        const next = await commitOk(store, turn({ messageId: 'm3', outbox: [{ n: 4 }] }));
        expect(next.outbox[0]!.seq).toBeGreaterThan(gone.outbox[1]!.seq);
      });
    });

    describe('outbox delivery', () => {
      const lease = (owner: string, now: number, ms = 30_000): OutboxLease => ({ owner, now, until: now + ms });
      const seqsOf = (entries: readonly OutboxEntry[]) => entries.map((e) => e.seq);

      it('writes each reply due at its commit, with no attempts, error or give-up', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }], now: T0 + 7 }));

        expect(outbox[0]).toMatchObject({ attempts: 0, nextAttemptAt: T0 + 7, lastError: null, failedAt: null });
        expect((await store.pendingOutbox(10))[0]).toEqual(outbox[0]);
      });

      it('saves replies delivered when asked (the web chat reads them from the outbox): kept, never offered, leased or counted pending', async () => {
        const first = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }], now: T0 + 5, delivered: true, lease: lease('a', T0) }));

        expect(first.leased).toBe(false);
        expect(first.outbox.map((e) => e.deliveredAt)).toEqual([T0 + 5, T0 + 5]);
        expect(await store.outboxSince(KEY, 0, 10)).toEqual(first.outbox);
        expect(await store.repliesTo(KEY, 'm1')).toEqual(first.outbox);
        expect(await store.pendingOutbox(10)).toEqual([]);
        expect(await store.dueOutbox(T0 + 5, ['web'], 10)).toEqual([]);
        expect(await store.outboxDepth()).toEqual([]);
        expect(await store.claimOutboxRun(seqsOf(first.outbox), lease('b', T0 + 5))).toEqual([]);

        // A reply saved to be sent after them is the conversation's first pending one, free to lease at its commit.
        const second = await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, outbox: [{ n: 3 }], now: T0 + 6, lease: lease('a', T0 + 6) }));
        expect(second.leased).toBe(true);
        expect(second.outbox[0]!.deliveredAt).toBeNull();
      });

      it('offers only the first pending reply of each conversation, when due, on the channels asked, oldest first', async () => {
        const a = await commitOk(store, turn({ messageId: 'm1', outbox: [{ a: 1 }, { a: 2 }] }));
        const telegram = { conversationKey: 'telegram:c1', channel: 'telegram' };
        const t = await commitOk(store, turn({ messageId: 'm2', ...telegram, outbox: [{ t: 1 }] }));
        const b = await commitOk(store, turn({ messageId: 'm3', conversationKey: 'web:b', outbox: [{ b: 1 }], now: T0 + 50 }));

        expect(seqsOf(await store.dueOutbox(T0, ['web', 'telegram'], 10))).toEqual([a.outbox[0]!.seq, t.outbox[0]!.seq]);
        expect(seqsOf(await store.dueOutbox(T0 + 50, ['web', 'telegram'], 10))).toEqual(
          seqsOf([a.outbox[0]!, t.outbox[0]!, b.outbox[0]!]),
        );
        expect(seqsOf(await store.dueOutbox(T0 + 50, ['web'], 10))).toEqual(seqsOf([a.outbox[0]!, b.outbox[0]!]));
        expect(seqsOf(await store.dueOutbox(T0 + 50, ['web'], 1))).toEqual([a.outbox[0]!.seq]);
        expect(await store.dueOutbox(T0 + 50, [], 10)).toEqual([]);
        expect(await store.dueOutbox(T0 - 1, ['web', 'telegram'], 10)).toEqual([]);
        await expect(store.dueOutbox(T0, ['web'], -1)).rejects.toThrow(RangeError);

        await store.markDelivered([a.outbox[0]!.seq], T0 + 60);
        expect(await store.dueOutbox(T0 + 60, ['web'], 10)).toEqual([
          { ...a.outbox[1]!, message: { a: 2 } },
          { ...b.outbox[0]!, message: { b: 1 } },
        ]);
      });

      it('leases a reply to one worker at a time, and only the first pending one of its conversation', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
        const [one, two] = seqsOf(outbox);

        expect(await store.claimOutbox(two!, lease('a', T0))).toBeNull();
        expect(await store.claimOutbox(one!, lease('a', T0))).toEqual(outbox[0]);
        // Leased: not offered, and no one (the holder included) takes it again until the lease ends.
        expect(await store.dueOutbox(T0 + 1, ['web'], 10)).toEqual([]);
        expect(await store.claimOutbox(one!, lease('b', T0 + 1))).toBeNull();
        expect(await store.claimOutbox(one!, lease('a', T0 + 1))).toBeNull();
        expect(await store.claimOutbox(two!, lease('b', T0 + 1))).toBeNull();
        expect(await store.claimOutbox(987654, lease('b', T0 + 1))).toBeNull();

        // A worker that died: its lease runs out and another takes the reply.
        expect(seqsOf(await store.dueOutbox(T0 + 30_000, ['web'], 10))).toEqual([one]);
        expect(await store.claimOutbox(one!, lease('b', T0 + 30_000))).toMatchObject({ seq: one });
        await store.markDelivered([one!], T0 + 30_001);
        expect(await store.claimOutbox(one!, lease('c', T0 + 90_000))).toBeNull();
        expect(await store.claimOutbox(two!, lease('c', T0 + 30_001))).toMatchObject({ seq: two, message: { n: 2 } });
      });

      it("leases a commit's replies as one run, all or none", async () => {
        const first = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }, { n: 3 }] }));
        const [one, two, three] = seqsOf(first.outbox);

        // Not first in line, or not the whole run free: nothing is leased.
        expect(await store.claimOutboxRun([two!, three!], lease('a', T0))).toEqual([]);
        expect(await store.claimOutboxRun([], lease('a', T0))).toEqual([]);
        expect(await store.claimOutbox(three!, lease('b', T0))).toBeNull();
        await store.markDelivered([one!], T0);
        expect(await store.claimOutboxRun([two!, 987654], lease('a', T0))).toEqual([]);
        // The refused run left no lease behind: its first reply is still free.
        expect(await store.claimOutbox(two!, lease('b', T0))).toMatchObject({ seq: two });
        expect(await store.claimOutboxRun([two!, three!], lease('a', T0 + 1))).toEqual([]);
        expect(await store.claimOutbox(three!, lease('a', T0 + 1))).toBeNull();
        await store.markDelivered([two!], T0 + 2);

        const second = await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, outbox: [{ n: 4 }, { n: 5 }] }));
        const run = [three!, ...seqsOf(second.outbox)];
        // Another conversation's reply never joins a run.
        const other = await commitOk(store, turn({ messageId: 'x1', conversationKey: 'web:other', userId: 'u2', outbox: [{ x: 1 }] }));
        expect(await store.claimOutboxRun([three!, other.outbox[0]!.seq], lease('a', T0 + 3))).toEqual([]);

        const claimed = await store.claimOutboxRun(run, lease('a', T0 + 3));
        expect(seqsOf(claimed)).toEqual(run);
        expect(claimed.map((e) => e.message)).toEqual([{ n: 3 }, { n: 4 }, { n: 5 }]);
        // Leased, every one of them, until the lease ends.
        expect(await store.claimOutbox(three!, lease('b', T0 + 4))).toBeNull();
        expect(await store.claimOutboxRun(run, lease('b', T0 + 4))).toEqual([]);
        expect(await store.dueOutbox(T0 + 4, ['web'], 10)).toEqual([other.outbox[0]]);
        expect(seqsOf(await store.claimOutboxRun(run, lease('b', T0 + 30_003)))).toEqual(run);
      });

      it("leases a commit's replies to the committing worker when nothing earlier of the conversation is pending", async () => {
        const first = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }], lease: lease('a', T0) }));
        const run = seqsOf(first.outbox);
        expect(first.leased).toBe(true);
        // Leased as a claimed run is: offered to no one, claimed by no one, renewed only by its holder.
        expect(await store.dueOutbox(T0 + 1, ['web'], 10)).toEqual([]);
        expect(await store.claimOutboxRun(run, lease('b', T0 + 1))).toEqual([]);
        expect(await store.claimOutbox(run[0]!, lease('b', T0 + 1))).toBeNull();
        expect(await store.renewOutboxLease(run[0]!, lease('b', T0 + 1))).toBe(false);
        expect(await store.renewOutboxLease(run[0]!, lease('a', T0 + 1))).toBe(true);

        // Not delivered yet: the next commit's replies wait behind them, and are not leased.
        const second = await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, outbox: [{ n: 3 }], lease: lease('a', T0 + 2) }));
        expect(second.leased).toBe(false);
        expect(await store.claimOutbox(second.outbox[0]!.seq, lease('b', T0 + 2))).toBeNull();
        await store.markDelivered(run, T0 + 3);
        expect(seqsOf(await store.dueOutbox(T0 + 3, ['web'], 10))).toEqual(seqsOf(second.outbox));

        // No lease asked for, or no replies: nothing leased.
        const plain = await commitOk(store, turn({ messageId: 'p1', conversationKey: 'web:p', userId: 'u3', outbox: [{ p: 1 }] }));
        expect(plain.leased).toBe(false);
        const quiet = await commitOk(store, turn({ messageId: 'q1', conversationKey: 'web:q', userId: 'u4', outbox: [], lease: lease('a', T0) }));
        expect(quiet.leased).toBe(false);
      });

      it("hands a commit's lease on like any other: when it runs out, and when its holder lets go", async () => {
        const died = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }], lease: lease('a', T0) }));
        const stopped = await commitOk(store, turn({ messageId: 'x1', conversationKey: 'web:x', userId: 'u2', outbox: [{ x: 1 }], lease: lease('a', T0) }));
        expect([died.leased, stopped.leased]).toEqual([true, true]);
        const [one, two] = [died.outbox[0]!.seq, stopped.outbox[0]!.seq];

        expect(await store.releaseOutbox('a', { seq: two })).toBe(1);
        expect(seqsOf(await store.dueOutbox(T0 + 1, ['web'], 10))).toEqual([two]);
        expect(seqsOf(await store.dueOutbox(T0 + 30_000, ['web'], 10))).toEqual([one, two]);
        expect(await store.claimOutbox(one, lease('b', T0 + 30_000))).toMatchObject({ seq: one, message: { n: 1 } });
      });

      it('lets exactly one of many racing workers lease a reply', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }] }));
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.claimOutbox(outbox[0]!.seq, lease(`w${i}`, T0))),
        );
        expect(claims.filter((c) => c !== null)).toHaveLength(1);
      });

      it('lets the holder, and only the holder, extend its lease', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }] }));
        const seq = outbox[0]!.seq;
        await store.claimOutbox(seq, lease('a', T0, 1000));

        expect(await store.renewOutboxLease(seq, lease('b', T0 + 500, 1000))).toBe(false);
        expect(await store.renewOutboxLease(seq, lease('a', T0 + 500, 1000))).toBe(true);
        expect(await store.claimOutbox(seq, lease('b', T0 + 1200))).toBeNull();
        expect(await store.claimOutbox(seq, lease('b', T0 + 1500))).toMatchObject({ seq });
        expect(await store.renewOutboxLease(seq, lease('a', T0 + 1600))).toBe(false);
        await store.markDelivered([seq], T0 + 1700);
        expect(await store.renewOutboxLease(seq, lease('b', T0 + 1800))).toBe(false);
      });

      it('records a failed attempt: counted, with its error, due again at the retry time, lease ended', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
        const [one, two] = seqsOf(outbox);
        await store.claimOutbox(one!, lease('a', T0));

        const failure = { error: 'network down', now: T0 + 10, retryAt: T0 + 1000 };
        expect(await store.failOutbox(one!, { ...failure, owner: 'b' })).toBe(false);
        expect(await store.failOutbox(one!, { ...failure, owner: 'a' })).toBe(true);
        expect(await store.failOutbox(one!, { ...failure, owner: 'a' })).toBe(false);

        const [stored] = await store.outboxSince(KEY, 0, 1);
        expect(stored).toMatchObject({ attempts: 1, lastError: 'network down', nextAttemptAt: T0 + 1000, failedAt: null, deliveredAt: null });
        expect(await store.dueOutbox(T0 + 999, ['web'], 10)).toEqual([]);
        // Order holds under retries: the second reply waits for the first.
        expect(await store.claimOutbox(two!, lease('b', T0 + 999))).toBeNull();
        expect(await store.claimOutbox(one!, lease('b', T0 + 1000))).toMatchObject({ attempts: 1 });
        await store.failOutbox(one!, { owner: 'b', error: 'still down', now: T0 + 1001, retryAt: T0 + 3000 });
        expect((await store.outboxSince(KEY, 0, 1))[0]).toMatchObject({ attempts: 2, lastError: 'still down' });
      });

      it('gives a reply up: out of the pending replies for good, and the next one goes', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
        const [one, two] = seqsOf(outbox);
        await store.claimOutbox(one!, lease('a', T0));

        expect(await store.failOutbox(one!, { owner: 'a', error: 'blocked by the user', now: T0 + 5, retryAt: null })).toBe(true);

        expect((await store.outboxSince(KEY, 0, 1))[0]).toMatchObject({
          attempts: 1,
          lastError: 'blocked by the user',
          failedAt: T0 + 5,
          deliveredAt: null,
        });
        expect(seqsOf(await store.pendingOutbox(10))).toEqual([two]);
        expect(seqsOf(await store.dueOutbox(T0 + 5, ['web'], 10))).toEqual([two]);
        expect(await store.claimOutbox(one!, lease('a', T0 + 99_999))).toBeNull();
        expect(await store.outboxDepth()).toEqual([{ channel: 'web', pending: 1, oldestCreatedAt: T0 }]);
      });

      it('hands leases back without counting an attempt: one with a new due time, or all of an owner', async () => {
        await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }] }));
        await commitOk(store, turn({ messageId: 'm2', conversationKey: 'web:b', outbox: [{ n: 2 }] }));
        await commitOk(store, turn({ messageId: 'm3', conversationKey: 'web:c', outbox: [{ n: 3 }] }));
        const [one, two, three] = seqsOf(await store.pendingOutbox(10));
        await store.claimOutbox(one!, lease('a', T0));
        await store.claimOutbox(two!, lease('a', T0));
        await store.claimOutbox(three!, lease('b', T0));

        expect(await store.releaseOutbox('a', { seq: one!, notBefore: T0 + 700 })).toBe(1);
        expect(seqsOf(await store.dueOutbox(T0 + 699, ['web'], 10))).toEqual([]);
        expect(seqsOf(await store.dueOutbox(T0 + 700, ['web'], 10))).toEqual([one]);

        expect(await store.releaseOutbox('a')).toBe(1);
        expect(seqsOf(await store.dueOutbox(T0 + 700, ['web'], 10))).toEqual([one, two]);
        expect(await store.releaseOutbox('a')).toBe(0);
        expect((await store.pendingOutbox(10)).map((e) => e.attempts)).toEqual([0, 0, 0]);
        // b's lease is b's.
        expect(await store.claimOutbox(three!, lease('a', T0 + 700))).toBeNull();
      });

      it('ends the lease when a reply is delivered', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }] }));
        await store.claimOutbox(outbox[0]!.seq, lease('a', T0));
        await store.markDelivered([outbox[0]!.seq], T0 + 3);

        expect(await store.releaseOutbox('a')).toBe(0);
        expect(await store.failOutbox(outbox[0]!.seq, { owner: 'a', error: 'late', now: T0 + 4, retryAt: T0 + 5 })).toBe(false);
        expect((await store.outboxSince(KEY, 0, 1))[0]).toMatchObject({ deliveredAt: T0 + 3, attempts: 0, lastError: null });
      });

      describe('deleting delivered replies (keep: false, where the platform keeps the chat)', () => {
        it('deletes only the replies named: out of the history and the pending list, lease and all; the message stays processed', async () => {
          const mine = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }, { n: 3 }] }));
          const other = await commitOk(store, turn({ messageId: 'x1', conversationKey: 'web:x', userId: 'u2', outbox: [{ x: 1 }, { x: 2 }] }));
          const [one, two, three] = seqsOf(mine.outbox);
          const [x1, x2] = seqsOf(other.outbox);
          await store.markDelivered([x1!], T0 + 1);
          await store.claimOutbox(one!, lease('a', T0));

          await store.markDelivered([one!, two!], T0 + 5, { keep: false });

          expect(seqsOf(await store.outboxSince(KEY, 0, 10))).toEqual([three]);
          expect(seqsOf((await store.repliesTo(KEY, 'm1')) ?? [])).toEqual([three]);
          expect(seqsOf(await store.pendingOutbox(10))).toEqual([three, x2]);
          expect(await store.releaseOutbox('a')).toBe(0);
          // Another conversation's replies, delivered and kept or still pending, are untouched.
          expect((await store.outboxSince('web:x', 0, 10)).map((e) => [e.seq, e.deliveredAt])).toEqual([
            [x1, T0 + 1],
            [x2, null],
          ]);

          await store.markDelivered([three!], T0 + 6, { keep: false });
          // Processed, with nothing left to show: [] (not null, which would mean never processed).
          expect(await store.repliesTo(KEY, 'm1')).toEqual([]);
          expect(await store.isProcessed(KEY, 'm1')).toBe(true);
          expect(await store.commitTurn(turn({ messageId: 'm1', expectedRev: 1 }))).toEqual(DUPLICATE);
          expect(await store.outboxSince(KEY, 0, 10)).toEqual([]);
          expect(await store.outboxDepth()).toEqual([{ channel: 'web', pending: 1, oldestCreatedAt: T0 }]);
          // A late or repeated report finds nothing, and writes nothing back.
          await store.markDelivered([one!, three!], T0 + 7, { keep: false });
          await store.markDelivered([one!], T0 + 7);
          expect(await store.outboxSince(KEY, 0, 10)).toEqual([]);
        });

        it('applies delivered marks asked at once, kept and deleted, each to its own replies', async () => {
          const mine = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }, { n: 3 }] }));
          const other = await commitOk(store, turn({ messageId: 'x1', conversationKey: 'web:x', userId: 'u2', outbox: [{ x: 1 }, { x: 2 }] }));
          const [one, two, three] = seqsOf(mine.outbox);
          const [x1, x2] = seqsOf(other.outbox);

          // Asked in the same tick, as the deliveries of many conversations are: a store may apply them together.
          await Promise.all([
            store.markDelivered([one!], T0 + 1, { keep: false }),
            store.markDelivered([x1!], T0 + 2),
            store.markDelivered([three!], T0 + 3, { keep: false }),
            store.markDelivered([x1!, x2!], T0 + 4),
            store.markDelivered([], T0 + 5, { keep: false }),
          ]);

          expect(seqsOf(await store.outboxSince(KEY, 0, 10))).toEqual([two]);
          expect(seqsOf(await store.pendingOutbox(10))).toEqual([two]);
          // x1's first report sets its time; a second one at once does not move it.
          expect((await store.outboxSince('web:x', 0, 10)).map((e) => [e.seq, e.deliveredAt])).toEqual([
            [x1, T0 + 2],
            [x2, T0 + 4],
          ]);
        });

        it('never hands a deleted seq out again', async () => {
          await commitOk(store, turn({ messageId: 'x1', ...KEEPER, outbox: [{ x: 1 }] }));
          const newest = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
          await store.markDelivered(seqsOf(newest.outbox), T0 + 1, { keep: false });
          expect(await store.outboxSince(KEY, 0, 10)).toEqual([]);

          const next = await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, outbox: [{ n: 3 }] }));
          expect(next.outbox[0]!.seq).toBeGreaterThan(newest.outbox[1]!.seq);
        });

        it('lets the next reply of the conversation go once the one before it is deleted, alone or as a run', async () => {
          const first = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
          const second = await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, outbox: [{ n: 3 }, { n: 4 }] }));
          const [one, two] = seqsOf(first.outbox);

          await store.claimOutbox(one!, lease('a', T0));
          await store.markDelivered([one!], T0 + 1, { keep: false });
          expect(seqsOf(await store.outboxSince(KEY, 0, 10))).toEqual([two, ...seqsOf(second.outbox)]);
          expect(seqsOf(await store.dueOutbox(T0 + 1, ['web'], 10))).toEqual([two]);
          expect(await store.claimOutbox(two!, lease('a', T0 + 1))).toMatchObject({ seq: two, message: { n: 2 } });
          await store.markDelivered([two!], T0 + 2, { keep: false });

          const run = seqsOf(second.outbox);
          expect(seqsOf(await store.claimOutboxRun(run, lease('a', T0 + 2)))).toEqual(run);
          await store.markDelivered(run, T0 + 3, { keep: false });
          expect(await store.outboxSince(KEY, 0, 10)).toEqual([]);
          // Nothing of the conversation pending any more: a commit may lease its own replies again.
          const third = await commitOk(store, turn({ messageId: 'm3', expectedRev: 2, outbox: [{ n: 5 }], lease: lease('a', T0 + 4) }));
          expect(third.leased).toBe(true);
          expect(seqsOf(await store.pendingOutbox(10))).toEqual(seqsOf(third.outbox));
        });
      });

      it('counts pending replies per channel, with the oldest commit time', async () => {
        expect(await store.outboxDepth()).toEqual([]);
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }], now: T0 + 1 }));
        const telegram = { conversationKey: 'telegram:c1', channel: 'telegram' };
        await commitOk(store, turn({ messageId: 'm2', ...telegram, outbox: [{ n: 3 }], now: T0 + 2 }));
        await commitOk(store, turn({ messageId: 'm3', conversationKey: 'web:b', outbox: [{ n: 4 }], now: T0 + 3 }));
        await store.markDelivered([outbox[0]!.seq], T0 + 4);

        expect(await store.outboxDepth()).toEqual([
          { channel: 'telegram', pending: 1, oldestCreatedAt: T0 + 2 },
          { channel: 'web', pending: 2, oldestCreatedAt: T0 + 1 },
        ]);
      });

      it('erases leased and failed replies with their user', async () => {
        const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }] }));
        await store.claimOutbox(outbox[0]!.seq, lease('a', T0));
        await store.failOutbox(outbox[0]!.seq, { owner: 'a', error: 'down', now: T0, retryAt: null });
        await store.claimOutbox(outbox[1]!.seq, lease('a', T0));

        await store.deleteUser(CHANNEL, USER);

        expect(await store.outboxSince(KEY, 0, 10)).toEqual([]);
        expect(await store.outboxDepth()).toEqual([]);
        expect(await store.releaseOutbox('a')).toBe(0);
      });

      it('answers a ping while open', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('submissions', () => {
      it('are written with the turn, listed by kind, conversation, both or neither, oldest first', async () => {
        const other = { conversationKey: 'web:b', userId: 'u2' };
        await commitOk(store, turn({ messageId: 'm1', now: T0 + 1, submissions: [rfl({ n: 1 }), aCase({ n: 2 })] }));
        await commitOk(store, turn({ messageId: 'm2', ...other, now: T0 + 2, submissions: [rfl({ n: 3 })] }));
        await commitOk(store, turn({ messageId: 'm3', expectedRev: 1, submissions: [rfl({ n: 4 })] }));
        await commitOk(store, turn({ messageId: 'm4', expectedRev: 2 }));

        const all = await store.listSubmissions({}, 10);
        expect(all[0]).toEqual({
          id: expect.any(Number),
          conversationKey: KEY,
          channel: CHANNEL,
          userId: USER,
          kind: 'rfl',
          data: { n: 1 },
          createdAt: T0 + 1,
        });
        expect(all[2]).toMatchObject({ conversationKey: 'web:b', userId: 'u2', createdAt: T0 + 2 });
        expectIncreasing(all.map((s) => s.id));

        const ns = async (filter: SubmissionFilter, limit = 10) =>
          (await store.listSubmissions(filter, limit)).map((s) => (s.data as { n: number }).n);
        expect(await ns({})).toEqual([1, 2, 3, 4]);
        expect(await ns({ kind: 'rfl' })).toEqual([1, 3, 4]);
        expect(await ns({ kind: 'case' })).toEqual([2]);
        expect(await ns({ conversationKey: KEY })).toEqual([1, 2, 4]);
        expect(await ns({ kind: 'rfl', conversationKey: KEY })).toEqual([1, 4]);
        expect(await ns({ kind: 'case', conversationKey: 'web:b' })).toEqual([]);
        expect(await ns({ kind: 'RFL' })).toEqual([]);
        expect(await ns({ conversationKey: 'web:none' })).toEqual([]);
        expect(await ns({ kind: 'rfl' }, 2)).toEqual([1, 3]);
        expect(await ns({}, 0)).toEqual([]);
      });

      it('refuses a page size that is not a count', async () => {
        await expect(store.listSubmissions({}, -1)).rejects.toThrow(RangeError);
        await expect(store.listSubmissions({ kind: 'rfl' }, 2.5)).rejects.toThrow(RangeError);
        await expect(store.listSubmissions({ conversationKey: KEY }, Number.NaN)).rejects.toThrow(RangeError);
      });

      it('writes none on a conflict or a duplicate', async () => {
        await commitOk(store, turn({ messageId: 'm1', submissions: [rfl({ v: 1 })] }));

        const stale = turn({ messageId: 'm2', expectedRev: 0, submissions: [rfl({ v: 'stale' })] });
        expect(await store.commitTurn(stale)).toEqual(CONFLICT);
        const again = turn({ messageId: 'm1', expectedRev: 1, submissions: [rfl({ v: 'again' })] });
        expect(await store.commitTurn(again)).toEqual(DUPLICATE);

        expect((await store.listSubmissions({}, 10)).map((s) => s.data)).toEqual([{ v: 1 }]);
      });

      it('rejects a submission JSON cannot hold, and writes none of the turn', async () => {
        const bad = [rfl({ fine: true }), rfl({ count: BigInt(1) })];
        const badTurn = turn({ messageId: 'm1', outbox: [{ ok: 1 }], submissions: bad });
        await expect(store.commitTurn(badTurn)).rejects.toThrow(TypeError);
        await expect(store.commitTurn(turn({ messageId: 'm2', submissions: [rfl(undefined)] }))).rejects.toThrow(
          TypeError,
        );

        expect(await store.getConversation(KEY)).toBeNull();
        expect(await store.isProcessed(KEY, 'm1')).toBe(false);
        expect(await store.isProcessed(KEY, 'm2')).toBe(false);
        expect(await store.pendingOutbox(10)).toEqual([]);
        expect(await store.listSubmissions({}, 10)).toEqual([]);
      });

      it('gives data back as JSON has it: every script and number, dates as strings, no undefined', async () => {
        const when = new Date(Date.UTC(2024, 4, 1));
        const dated = { when, gone: undefined, kept: null };
        await commitOk(store, turn({ messageId: 'm1', submissions: [rfl(RICH), rfl(dated), rfl('just text')] }));

        const data = (await store.listSubmissions({}, 10)).map((s) => s.data);
        expect(data).toStrictEqual([RICH, { when: when.toISOString(), kept: null }, 'just text']);
        expect(Object.getPrototypeOf(data[1])).toBe(Object.prototype);
      });

      it('never hands out an id twice, even after the newest submissions were erased', async () => {
        await commitOk(store, turn({ messageId: 'm1', ...KEEPER, submissions: [rfl({ n: 1 })] }));
        await commitOk(store, turn({ messageId: 'm2', submissions: [rfl({ n: 2 }), rfl({ n: 3 })] }));
        const erased = await store.listSubmissions({ conversationKey: KEY }, 10);
        await store.deleteUser(CHANNEL, USER);

        await commitOk(store, turn({ messageId: 'm3', submissions: [rfl({ n: 4 })] }));
        const [next] = await store.listSubmissions({ conversationKey: KEY }, 10);
        expect(next!.id).toBeGreaterThan(erased[1]!.id);
      });
    });

    describe('deleteUser', () => {
      const people = [
        { conversationKey: 'web:c1', channel: 'web', userId: 'u1', messageId: 'w1' },
        { conversationKey: 'web:c2', channel: 'web', userId: 'u1', messageId: 'w2' },
        // The erased conversation's message id, kept under its own conversation.
        { conversationKey: 'web:c3', channel: 'web', userId: 'u2', messageId: 'w1' },
        { conversationKey: 'telegram:c1', channel: 'telegram', userId: 'u1', messageId: 'w1' },
      ];

      beforeEach(async () => {
        for (const p of people) {
          const of = { of: p.conversationKey };
          await commitOk(
            store,
            turn({ ...p, record: of, outbox: [{ to: p.userId }], submissions: [{ kind: 'rfl', data: of }] }),
          );
        }
      });

      it('erases all conversations, marks, replies and submissions of the user on that channel', async () => {
        expect(await store.deleteUser('web', 'u1')).toBe(2);

        for (const p of people.slice(0, 2)) {
          expect(await store.getConversation(p.conversationKey)).toBeNull();
          expect(await store.isProcessed(p.conversationKey, p.messageId)).toBe(false);
          expect(await store.repliesTo(p.conversationKey, p.messageId)).toBeNull();
          expect(await store.outboxSince(p.conversationKey, 0, 10)).toEqual([]);
        }
        expect((await store.pendingOutbox(10)).map((e) => e.conversationKey)).toEqual(['web:c3', 'telegram:c1']);
        expect((await store.listSubmissions({}, 10)).map((s) => s.conversationKey)).toEqual(['web:c3', 'telegram:c1']);
      });

      it('leaves other users, and the same user id on another channel, untouched', async () => {
        await store.deleteUser('web', 'u1');

        for (const p of people.slice(2)) {
          expect(await store.getConversation(p.conversationKey)).toEqual({ data: { of: p.conversationKey }, rev: 1 });
          expect(await store.isProcessed(p.conversationKey, p.messageId)).toBe(true);
          expect((await store.repliesTo(p.conversationKey, p.messageId))?.map((e) => e.message)).toEqual([{ to: p.userId }]);
          expect(await store.listSubmissions({ conversationKey: p.conversationKey }, 10)).toEqual([
            expect.objectContaining({ userId: p.userId, data: { of: p.conversationKey } }),
          ]);
        }
      });

      // In a shared chat the conversation belongs to whoever wrote last, but what
      // each person submitted is still theirs to erase, and only theirs.
      it('erases what the user submitted in a conversation someone else now holds, and nothing else', async () => {
        const group = { conversationKey: 'web:group', channel: 'web' };
        await commitOk(store, turn({ ...group, userId: 'u1', messageId: 'g1', submissions: [rfl({ by: 'u1' })] }));
        await commitOk(
          store,
          turn({ ...group, userId: 'u2', messageId: 'g2', expectedRev: 1, submissions: [rfl({ by: 'u2' })] }),
        );

        expect(await store.deleteUser('web', 'u1')).toBe(2);
        expect(await store.getConversation('web:group')).not.toBeNull();
        expect((await store.listSubmissions(group, 10)).map((s) => s.data)).toEqual([{ by: 'u2' }]);

        expect(await store.deleteUser('web', 'u2')).toBe(2);
        expect((await store.listSubmissions({}, 10)).map((s) => s.conversationKey)).toEqual(['telegram:c1']);
      });

      it('returns 0 when there is nothing (left) to erase', async () => {
        expect(await store.deleteUser('web', 'u1')).toBe(2);
        expect(await store.deleteUser('web', 'u1')).toBe(0);
        expect(await store.deleteUser('web', 'nobody')).toBe(0);
        expect(await store.deleteUser('whatsapp', 'u2')).toBe(0);
      });

      it('lets the person start over afterwards as a new conversation', async () => {
        await store.deleteUser('web', 'u1');

        await commitOk(store, turn({ ...people[0]!, messageId: 'w9', expectedRev: 0, record: { fresh: true } }));
        expect(await store.getConversation('web:c1')).toEqual({ data: { fresh: true }, rev: 1 });
      });
    });

    describe('retention (deleteIdleConversations)', () => {
      const DAY = 86_400_000;
      const CUTOFF = T0 + 90 * DAY;
      /** A conversation whose last turn was at `at`, with a reply, a mark, a submission, a reference and a delivery. */
      const seed = async (key: string, at: number) => {
        const channel = key.split(':')[0]!;
        const userId = `user-of-${key}`;
        await commitOk(
          store,
          turn({ conversationKey: key, channel, userId, messageId: `${key}-m`, now: at, outbox: [{ to: key }], submissions: [rfl({ of: key })] }),
        );
        await store.saveReference(key, channel, userId, { of: key }, at);
        await store.recordDelivery({
          channel,
          externalId: `${key}-wamid`,
          conversationKey: key,
          userId,
          state: 'delivered',
          errorCode: null,
          errorTitle: null,
          updatedAt: at,
        });
      };
      const kept = async (key: string) => {
        const channel = key.split(':')[0]!;
        return {
          record: (await store.getConversation(key)) !== null,
          mark: await store.isProcessed(key, `${key}-m`),
          replies: (await store.outboxSince(key, 0, 10)).length,
          submissions: (await store.listSubmissions({ conversationKey: key }, 10)).length,
          reference: (await store.getReference(key)) !== null,
          delivery: (await store.getDelivery(channel, `${key}-wamid`)) !== null,
        };
      };
      const ALL = { record: true, mark: true, replies: 1, submissions: 1, reference: true, delivery: true };
      const NONE = { record: false, mark: false, replies: 0, submissions: 0, reference: false, delivery: false };

      it('erases conversations idle since the cut-off with everything under their keys, and only those', async () => {
        await seed('web:idle', T0);
        await seed('web:just-before', CUTOFF - 1);
        await seed('web:at-cutoff', CUTOFF);
        await seed('web:recent', CUTOFF + DAY);

        expect(await store.deleteIdleConversations(CUTOFF, [])).toBe(2);

        expect(await kept('web:idle')).toEqual(NONE);
        expect(await kept('web:just-before')).toEqual(NONE);
        expect(await kept('web:at-cutoff')).toEqual(ALL);
        expect(await kept('web:recent')).toEqual(ALL);
        expect(await store.deleteIdleConversations(CUTOFF, [])).toBe(0);
      });

      it('keeps the conversations it is told to keep (an open case), however old', async () => {
        await seed('web:in-a-case', T0);
        await seed('web:idle', T0);

        expect(await store.deleteIdleConversations(CUTOFF, ['web:in-a-case', 'web:never-seen'])).toBe(1);

        expect(await kept('web:in-a-case')).toEqual(ALL);
        expect(await kept('web:idle')).toEqual(NONE);
      });

      it('counts a reference saved since the cut-off as use, and erases an old reference of a conversation never committed', async () => {
        await seed('whatsapp-cloud:6591234567', T0);
        await store.saveReference('whatsapp-cloud:6591234567', 'whatsapp-cloud', 'u', { v: 2 }, CUTOFF + 1);
        await store.saveReference('teams:only-a-reference', 'teams', 'u', { v: 1 }, T0);
        await store.saveReference('teams:recent-reference', 'teams', 'u', { v: 1 }, CUTOFF);

        expect(await store.deleteIdleConversations(CUTOFF, [])).toBe(1);

        expect((await kept('whatsapp-cloud:6591234567')).record).toBe(true);
        expect(await store.getReference('teams:only-a-reference')).toBeNull();
        expect(await store.getReference('teams:recent-reference')).toEqual({ v: 1 });
      });

      it('lets an erased conversation start over as a new one', async () => {
        await seed('web:idle', T0);
        await store.deleteIdleConversations(CUTOFF, []);

        await commitOk(store, turn({ conversationKey: 'web:idle', messageId: 'again', record: { fresh: true }, now: CUTOFF + DAY }));
        expect(await store.getConversation('web:idle')).toEqual({ data: { fresh: true }, rev: 1 });
      });
    });

    describe('channel references', () => {
      const reference = { serviceUrl: 'https://smba.example/', conversation: { id: 'a:1' }, bot: { id: '28:bot' } };

      it('gives back the reference saved for a conversation, and null for one never saved', async () => {
        expect(await store.getReference(KEY)).toBeNull();

        await store.saveReference(KEY, CHANNEL, USER, reference, T0);

        expect(await store.getReference(KEY)).toEqual(reference);
        expect(await store.getReference('web:other')).toBeNull();
      });

      it('needs no committed conversation: a reference may come before the first turn', async () => {
        await store.saveReference('teams:new', 'teams', USER, reference, T0);

        expect(await store.getConversation('teams:new')).toBeNull();
        expect(await store.getReference('teams:new')).toEqual(reference);
        await commitOk(store, turn({ messageId: 'm1', conversationKey: 'teams:new', channel: 'teams' }));
        expect(await store.getReference('teams:new')).toEqual(reference);
      });

      it('replaces the reference on every save, including who it belongs to', async () => {
        await store.saveReference(KEY, CHANNEL, USER, reference, T0);
        await store.saveReference(KEY, CHANNEL, 'u2', { serviceUrl: 'https://moved.example/' }, T0 + 1);

        expect(await store.getReference(KEY)).toEqual({ serviceUrl: 'https://moved.example/' });
        await store.deleteUser(CHANNEL, USER);
        expect(await store.getReference(KEY)).toEqual({ serviceUrl: 'https://moved.example/' });
        await store.deleteUser(CHANNEL, 'u2');
        expect(await store.getReference(KEY)).toBeNull();
      });

      it('keeps JSON meaning, and refuses a reference JSON cannot hold', async () => {
        await store.saveReference(KEY, CHANNEL, USER, { text: RICH.text, when: new Date(T0), gone: undefined }, T0);
        expect(await store.getReference(KEY)).toStrictEqual({ text: RICH.text, when: new Date(T0).toISOString() });

        await expect(store.saveReference(KEY, CHANNEL, USER, undefined, T0)).rejects.toThrow(TypeError);
        await expect(store.saveReference(KEY, CHANNEL, USER, { n: BigInt(1) }, T0)).rejects.toThrow(TypeError);
        expect(await store.getReference(KEY)).toStrictEqual({ text: RICH.text, when: new Date(T0).toISOString() });
      });

      it('hands out copies: changing what went in or came back changes nothing stored', async () => {
        const saved = { serviceUrl: 'https://smba.example/', conversation: { id: 'a:1' } };
        await store.saveReference(KEY, CHANNEL, USER, saved, T0);

        saved.conversation.id = 'changed-input';
        const read = (await store.getReference(KEY)) as typeof saved;
        read.conversation.id = 'changed-read';

        expect(await store.getReference(KEY)).toEqual({ serviceUrl: 'https://smba.example/', conversation: { id: 'a:1' } });
      });

      it('are erased with their user on that channel, and only theirs', async () => {
        await commitOk(store, turn({ messageId: 'm1' }));
        await store.saveReference(KEY, CHANNEL, USER, { of: KEY }, T0);
        await store.saveReference('web:c2', CHANNEL, USER, { of: 'web:c2' }, T0);
        await store.saveReference('web:c3', CHANNEL, 'u2', { of: 'web:c3' }, T0);
        await store.saveReference('teams:c1', 'teams', USER, { of: 'teams:c1' }, T0);

        expect(await store.deleteUser(CHANNEL, USER)).toBe(1);

        expect(await store.getReference(KEY)).toBeNull();
        expect(await store.getReference('web:c2')).toBeNull();
        expect(await store.getReference('web:c3')).toEqual({ of: 'web:c3' });
        expect(await store.getReference('teams:c1')).toEqual({ of: 'teams:c1' });
      });
    });

    describe('delivery states', () => {
      const sent = (state: Delivery['state'], at: number, over: Partial<Delivery> = {}): Delivery => ({
        channel: 'whatsapp-cloud',
        externalId: 'wamid.HBgM1',
        conversationKey: 'whatsapp-cloud:6591234567',
        userId: '6591234567',
        state,
        errorCode: null,
        errorTitle: null,
        updatedAt: at,
        ...over,
      });

      it('gives back the state recorded for a message, and null for one never recorded', async () => {
        expect(await store.getDelivery('whatsapp-cloud', 'wamid.HBgM1')).toBeNull();

        await store.recordDelivery(sent('accepted', T0));

        expect(await store.getDelivery('whatsapp-cloud', 'wamid.HBgM1')).toEqual(sent('accepted', T0));
        expect(await store.getDelivery('whatsapp-cloud', 'wamid.other')).toBeNull();
        expect(await store.getDelivery('telegram', 'wamid.HBgM1')).toBeNull();
      });

      it('moves forward and never back: a late `delivered` leaves a message read', async () => {
        await store.recordDelivery(sent('accepted', T0));
        await store.recordDelivery(sent('read', T0 + 2));
        await store.recordDelivery(sent('delivered', T0 + 1));
        await store.recordDelivery(sent('sent', T0 + 3));

        expect(await store.getDelivery('whatsapp-cloud', 'wamid.HBgM1')).toEqual(sent('read', T0 + 2));
      });

      it('keeps a failure with its error code and title, and a failure is final', async () => {
        await store.recordDelivery(sent('sent', T0));
        const failed = sent('failed', T0 + 1, { errorCode: 131047, errorTitle: 'Re-engagement message' });
        await store.recordDelivery(failed);
        await store.recordDelivery(sent('read', T0 + 2));

        expect(await store.getDelivery('whatsapp-cloud', 'wamid.HBgM1')).toEqual(failed);
      });

      it('are erased with their user on that channel, and only theirs', async () => {
        await store.recordDelivery(sent('sent', T0));
        await store.recordDelivery(sent('sent', T0, { externalId: 'wamid.2', userId: 'other' }));
        await store.recordDelivery(sent('sent', T0, { externalId: 'wamid.3', channel: 'whatsapp-web' }));

        await store.deleteUser('whatsapp-cloud', '6591234567');

        expect(await store.getDelivery('whatsapp-cloud', 'wamid.HBgM1')).toBeNull();
        expect(await store.getDelivery('whatsapp-cloud', 'wamid.2')).not.toBeNull();
        expect(await store.getDelivery('whatsapp-web', 'wamid.3')).not.toBeNull();
      });
    });

    describe('copies', () => {
      it('hands out copies: changing what came back, or what went in, changes nothing stored', async () => {
        const record = { profile: { locale: 'km' }, list: [1, 2] };
        const reply = { text: 'hello', choices: [{ id: 'a' }] };
        const result = await commitOk(store, turn({ messageId: 'm1', record, outbox: [reply] }));

        record.profile.locale = 'changed-input';
        reply.choices.push({ id: 'changed-input' });
        (result.outbox[0]!.message as { text: string }).text = 'changed-result';
        result.outbox[0]!.deliveredAt = 1;

        const read = await store.getConversation(KEY);
        (read!.data as typeof record).list.push(3);
        const reads = [
          await store.repliesTo(KEY, 'm1'),
          await store.outboxSince(KEY, 0, 1),
          await store.pendingOutbox(1),
        ];
        for (const list of reads) (list![0]!.message as { text: string }).text = 'changed-read';

        expect(await store.getConversation(KEY)).toEqual({ data: { profile: { locale: 'km' }, list: [1, 2] }, rev: 1 });
        expect((await store.repliesTo(KEY, 'm1'))?.[0]).toMatchObject({
          message: { text: 'hello', choices: [{ id: 'a' }] },
          deliveredAt: null,
        });
      });

      it('hands out copies of submissions: changing what went in or came back changes nothing stored', async () => {
        const data = { person: { name: 'Sok' }, relatives: ['Dara'] };
        await commitOk(store, turn({ messageId: 'm1', submissions: [rfl(data)] }));

        data.person.name = 'changed-input';
        data.relatives.push('changed-input');
        const [read] = await store.listSubmissions({ kind: 'rfl' }, 1);
        (read!.data as typeof data).relatives.push('changed-read');
        read!.kind = 'changed-read';
        read!.userId = 'changed-read';

        const written = { person: { name: 'Sok' }, relatives: ['Dara'] };
        expect(await store.listSubmissions({ kind: 'rfl' }, 1)).toEqual([
          expect.objectContaining({ kind: 'rfl', userId: USER, data: written }),
        ]);
      });
    });

    it('can be closed twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });

    if (traits.durable) {
      describe('durability', () => {
        it('keeps records, marks, replies and delivery state across close and reopen', async () => {
          const first = await commitOk(
            store,
            turn({ messageId: 'm1', record: RICH, outbox: [{ n: 1 }, { n: 2 }], submissions: [rfl(RICH)] }),
          );
          await commitOk(store, turn({ messageId: 'm2', expectedRev: 1, record: { v: 2 }, outbox: [{ n: 3 }] }));
          await store.markDelivered([first.outbox[0]!.seq], T0 + 50);
          const before = await store.outboxSince(KEY, 0, 10);
          const submitted = await store.listSubmissions({}, 10);

          store = await reopenStore(store, harness);

          expect(await store.listSubmissions({}, 10)).toEqual(submitted);
          expect(submitted.map((s) => s.data)).toEqual([RICH]);

          expect(await store.getConversation(KEY)).toEqual({ data: { v: 2 }, rev: 2 });
          expect(await store.isProcessed(KEY, 'm1')).toBe(true);
          expect(await store.outboxSince(KEY, 0, 10)).toEqual(before);
          expect((await store.pendingOutbox(10)).map((e) => e.message)).toEqual([{ n: 2 }, { n: 3 }]);
          expect(await store.commitTurn(turn({ messageId: 'm3', expectedRev: 1 }))).toEqual(CONFLICT);
          expect(await store.commitTurn(turn({ messageId: 'm2', expectedRev: 2 }))).toEqual(DUPLICATE);
        });

        it('keeps attempts, errors, give-ups and leases across close and reopen', async () => {
          const { outbox } = await commitOk(store, turn({ messageId: 'm1', outbox: [{ n: 1 }, { n: 2 }, { n: 3 }] }));
          const [one, two, three] = outbox.map((e) => e.seq);
          await store.claimOutbox(one!, { owner: 'a', now: T0, until: T0 + 100 });
          await store.failOutbox(one!, { owner: 'a', error: 'gone', now: T0 + 1, retryAt: null });
          await store.claimOutbox(two!, { owner: 'a', now: T0 + 2, until: T0 + 100 });
          await store.failOutbox(two!, { owner: 'a', error: 'down', now: T0 + 3, retryAt: T0 + 50 });
          await store.claimOutbox(two!, { owner: 'b', now: T0 + 50, until: T0 + 5000 });
          const before = await store.outboxSince(KEY, 0, 10);

          store = await reopenStore(store, harness);

          expect(await store.outboxSince(KEY, 0, 10)).toEqual(before);
          expect(before.map((e) => [e.attempts, e.lastError, e.failedAt, e.nextAttemptAt])).toEqual([
            [1, 'gone', T0 + 1, T0],
            [1, 'down', null, T0 + 50],
            [0, null, null, T0],
          ]);
          // b still holds two, so three waits behind it.
          expect(await store.dueOutbox(T0 + 60, ['web'], 10)).toEqual([]);
          expect(await store.claimOutbox(three!, { owner: 'c', now: T0 + 60, until: T0 + 100 })).toBeNull();
          expect(await store.releaseOutbox('b')).toBe(1);
          expect((await store.dueOutbox(T0 + 60, ['web'], 10)).map((e) => e.seq)).toEqual([two]);
        });

        it('keeps channel references across close and reopen', async () => {
          await store.saveReference(KEY, CHANNEL, USER, { serviceUrl: 'https://one.example/', text: RICH.text }, T0);
          await store.saveReference('teams:c1', 'teams', USER, { v: 1 }, T0);
          await store.saveReference('teams:c1', 'teams', USER, { v: 2 }, T0 + 1);

          store = await reopenStore(store, harness);

          expect(await store.getReference(KEY)).toEqual({ serviceUrl: 'https://one.example/', text: RICH.text });
          expect(await store.getReference('teams:c1')).toEqual({ v: 2 });
          await store.deleteUser('teams', USER);
          expect(await store.getReference('teams:c1')).toBeNull();
        });

        it('keeps counting seqs upward after reopening, even past replies deleted at delivery', async () => {
          await commitOk(store, turn({ messageId: 'm1', ...KEEPER, outbox: [{ n: 1 }] }));
          const deleted = await commitOk(store, turn({ messageId: 'm2', outbox: [{ n: 2 }] }));
          await store.markDelivered(deleted.outbox.map((e) => e.seq), T0 + 1, { keep: false });

          store = await reopenStore(store, harness);

          expect(await store.repliesTo(KEY, 'm2')).toEqual([]);
          const next = await commitOk(store, turn({ messageId: 'm3', expectedRev: 1, outbox: [{ n: 3 }] }));
          expect(next.outbox[0]!.seq).toBeGreaterThan(deleted.outbox[0]!.seq);
        });

        it('keeps counting seqs upward after reopening, even past erased rows', async () => {
          await commitOk(store, turn({ messageId: 'm1', ...KEEPER, outbox: [{ n: 1 }] }));
          const erased = await commitOk(store, turn({ messageId: 'm2', outbox: [{ n: 2 }] }));
          await store.deleteUser(CHANNEL, USER);

          store = await reopenStore(store, harness);

          const next = await commitOk(store, turn({ messageId: 'm3', outbox: [{ n: 3 }] }));
          expect(next.outbox[0]!.seq).toBeGreaterThan(erased.outbox[0]!.seq);
        });

        it('keeps counting submission ids upward after reopening, even past erased rows', async () => {
          await commitOk(store, turn({ messageId: 'm1', ...KEEPER, submissions: [rfl({ n: 1 })] }));
          await commitOk(store, turn({ messageId: 'm2', submissions: [rfl({ n: 2 })] }));
          const erased = await store.listSubmissions({ conversationKey: KEY }, 1);
          await store.deleteUser(CHANNEL, USER);

          store = await reopenStore(store, harness);

          await commitOk(store, turn({ messageId: 'm3', submissions: [rfl({ n: 3 })] }));
          const [next] = await store.listSubmissions({ conversationKey: KEY }, 1);
          expect(next!.id).toBeGreaterThan(erased[0]!.id);
        });
      });
    } else {
      notRun(`${name}: durability`, 'the store is not durable, so there is nothing to reopen');
    }
  });
}

const T0 = 1_700_000_000_000;
const KEY = 'web:c1';
const CHANNEL = 'web';
const USER = 'u1';
/** Another user's conversation, older than the ones a test erases. */
const KEEPER = { conversationKey: 'web:keep', userId: 'keeper' };
const CONFLICT: CommitResult = { ok: false, reason: 'conflict' };
const DUPLICATE: CommitResult = { ok: false, reason: 'duplicate' };

/** What people actually send: several scripts, emoji sequences, a reply cut mid-emoji, and numbers JSON keeps. */
const RICH = {
  text: {
    km: 'សួស្តី តើខ្ញុំអាចជួយអ្វីបាន?',
    ur: 'السلام علیکم، میں آپ کی کیا مدد کر سکتا ہوں؟',
    my: 'မင်္ဂလာပါ',
    ne: 'नमस्ते',
    emoji: '👩‍👩‍👧 🇰🇭 🆘',
    cut: 'help \ud83d',
    quotes: 'it\'s "quoted" \\ and\nnew\tlines \u0000',
  },
  numbers: { zero: 0, negative: -12, fraction: 0.1 + 0.2, big: Number.MAX_SAFE_INTEGER, tiny: 5e-324 },
  nested: { a: { b: { c: [1, [2, [3, { d: null }]], true, false, ''] } } },
  long: 'x'.repeat(100_000),
};

function rfl(data: unknown): { kind: string; data: unknown } {
  return { kind: 'rfl', data };
}

function aCase(data: unknown): { kind: string; data: unknown } {
  return { kind: 'case', data };
}

function turn(over: Partial<TurnCommit> & { messageId: string }): TurnCommit {
  return {
    conversationKey: KEY,
    channel: CHANNEL,
    userId: USER,
    expectedRev: 0,
    record: { step: 'start' },
    outbox: [],
    now: T0,
    ...over,
  };
}

async function commitOk(store: Store, commit: TurnCommit): Promise<Extract<CommitResult, { ok: true }>> {
  const result = await store.commitTurn(commit);
  if (!result.ok) throw new Error(`commit of ${commit.messageId} failed: ${result.reason}`);
  return result;
}

function expectIncreasing(seqs: number[]): void {
  expect(seqs.every((seq, i) => Number.isInteger(seq) && (i === 0 || seq > seqs[i - 1]!))).toBe(true);
}

async function reopenStore(store: Store, harness: StoreHarness): Promise<Store> {
  if (!harness.reopen) throw new Error('a durable store needs a harness with reopen()');
  await store.close();
  return harness.reopen();
}

/** Says, in the test output, which part of the contract an implementation does not run and why. */
function notRun(what: string, reason: string): void {
  beforeAll(() => {
    console.info(`${what} not run: ${reason}`);
  });
}
