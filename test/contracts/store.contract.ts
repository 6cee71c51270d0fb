import type { CommitResult, Delivery, OutboxEntry, Store, SubmissionFilter, TurnCommit } from '../../src/store/store';

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
        expect((await store.repliesTo(CHANNEL, 'm1'))?.map((e) => e.message)).toEqual([RICH, { text: RICH.text.km }]);
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
        expect(await store.isProcessed(CHANNEL, 'm1')).toBe(false);
        expect(await store.isProcessed(CHANNEL, 'm2')).toBe(false);
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
        expect(await store.isProcessed(CHANNEL, 'm3')).toBe(false);
        expect(await store.repliesTo(CHANNEL, 'm3')).toBeNull();
        expect((await store.outboxSince(KEY, 0, 10)).map((e) => e.message)).toEqual([{ text: 'one' }]);
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
          for (let i = 0; i < 25; i++) expect(await store.isProcessed(CHANNEL, `${round}-${i}`)).toBe(i === winner);
          expect(await store.repliesTo(CHANNEL, `${round}-${winner}`)).toHaveLength(1);
        }
        expect(await store.outboxSince(KEY, 0, 100)).toHaveLength(2);
        expect((await store.listSubmissions({ kind: 'race' }, 100)).map((s) => s.data)).toEqual(won);
      });

      it('lets one message id be committed once even when two conversations race for it', async () => {
        const results = await Promise.all(
          ['web:a', 'web:b'].map((conversationKey) => store.commitTurn(turn({ messageId: 'm1', conversationKey }))),
        );

        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'duplicate' }]);
      });
    });

    describe('processed marks', () => {
      it('marks a message as processed only once it is committed', async () => {
        expect(await store.isProcessed(CHANNEL, 'm1')).toBe(false);
        await commitOk(store, turn({ messageId: 'm1' }));
        expect(await store.isProcessed(CHANNEL, 'm1')).toBe(true);
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

      it('keeps marks per channel: the same id on another channel is a new message', async () => {
        await commitOk(store, turn({ messageId: '42' }));

        expect(await store.isProcessed('telegram', '42')).toBe(false);
        await commitOk(store, turn({ messageId: '42', channel: 'telegram', conversationKey: 'telegram:c1' }));
        expect(await store.isProcessed('telegram', '42')).toBe(true);
        expect(await store.repliesTo('telegram', '42')).toEqual([]);
      });

      it('treats message ids as unique per channel, across conversations', async () => {
        await commitOk(store, turn({ messageId: '42' }));

        expect(await store.commitTurn(turn({ messageId: '42', conversationKey: 'web:other' }))).toEqual(DUPLICATE);
        expect(await store.getConversation('web:other')).toBeNull();
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

        expect(await store.repliesTo(CHANNEL, 'm1')).toEqual(first.outbox);
        expect((await store.repliesTo(CHANNEL, 'm2'))?.map((e) => e.message)).toEqual([{ n: 3 }]);
        expect(await store.repliesTo(CHANNEL, 'm3')).toEqual([]);
        expect(await store.repliesTo(CHANNEL, 'never')).toBeNull();
        expect(await store.repliesTo('telegram', 'm1')).toBeNull();
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
        expect((await store.repliesTo(CHANNEL, 'm1'))?.map((e) => e.deliveredAt)).toEqual([
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
        const elsewhere = turn({ messageId: 'm1', conversationKey: 'web:b', submissions: [rfl({ v: 'elsewhere' })] });
        expect(await store.commitTurn(elsewhere)).toEqual(DUPLICATE);

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
        expect(await store.isProcessed(CHANNEL, 'm1')).toBe(false);
        expect(await store.isProcessed(CHANNEL, 'm2')).toBe(false);
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
        { conversationKey: 'web:c3', channel: 'web', userId: 'u2', messageId: 'w3' },
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
          expect(await store.isProcessed(p.channel, p.messageId)).toBe(false);
          expect(await store.repliesTo(p.channel, p.messageId)).toBeNull();
          expect(await store.outboxSince(p.conversationKey, 0, 10)).toEqual([]);
        }
        expect((await store.pendingOutbox(10)).map((e) => e.conversationKey)).toEqual(['web:c3', 'telegram:c1']);
        expect((await store.listSubmissions({}, 10)).map((s) => s.conversationKey)).toEqual(['web:c3', 'telegram:c1']);
      });

      it('leaves other users, and the same user id on another channel, untouched', async () => {
        await store.deleteUser('web', 'u1');

        for (const p of people.slice(2)) {
          expect(await store.getConversation(p.conversationKey)).toEqual({ data: { of: p.conversationKey }, rev: 1 });
          expect(await store.isProcessed(p.channel, p.messageId)).toBe(true);
          expect((await store.repliesTo(p.channel, p.messageId))?.map((e) => e.message)).toEqual([{ to: p.userId }]);
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
          await store.repliesTo(CHANNEL, 'm1'),
          await store.outboxSince(KEY, 0, 1),
          await store.pendingOutbox(1),
        ];
        for (const list of reads) (list![0]!.message as { text: string }).text = 'changed-read';

        expect(await store.getConversation(KEY)).toEqual({ data: { profile: { locale: 'km' }, list: [1, 2] }, rev: 1 });
        expect((await store.repliesTo(CHANNEL, 'm1'))?.[0]).toMatchObject({
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
          expect(await store.isProcessed(CHANNEL, 'm1')).toBe(true);
          expect(await store.outboxSince(KEY, 0, 10)).toEqual(before);
          expect((await store.pendingOutbox(10)).map((e) => e.message)).toEqual([{ n: 2 }, { n: 3 }]);
          expect(await store.commitTurn(turn({ messageId: 'm3', expectedRev: 1 }))).toEqual(CONFLICT);
          expect(await store.commitTurn(turn({ messageId: 'm2', expectedRev: 2 }))).toEqual(DUPLICATE);
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
