import { migratePostgres } from '../../src/store/postgres/migrate';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import type { TurnCommit } from '../../src/store/store';
import { storeContract } from '../contracts/store.contract';
import { eventually } from '../support/outbox';
import { describeWithPostgres, tempSchema } from '../support/postgres';

describeWithPostgres('PostgresStore', () => {
  storeContract(
    'PostgresStore',
    async () => {
      const temp = tempSchema();
      const first = temp.open();
      await migratePostgres(first);
      return {
        store: new PostgresStore(first),
        // A new pool on the same schema, as a restarted instance would open it.
        reopen: async () => {
          const again = temp.open();
          await migratePostgres(again);
          return new PostgresStore(again);
        },
        cleanup: () => temp.drop(),
      };
    },
    { durable: true },
  );

  describe('turns committed at once', () => {
    let temp: ReturnType<typeof tempSchema>;
    let store: PostgresStore;

    beforeEach(async () => {
      temp = tempSchema();
      const db = temp.open();
      await migratePostgres(db);
      store = new PostgresStore(db);
    });

    afterEach(async () => {
      await store.close();
      await temp.drop();
    });

    const commit = (n: number, messageId = `m${n}`): TurnCommit => ({
      conversationKey: `web:c${n}`,
      channel: 'web',
      userId: `u${n}`,
      expectedRev: 0,
      record: { n },
      messageId,
      outbox: [{ text: `reply ${n}` }],
      now: 1_700_000_000_000,
    });

    it('fail alone: a turn PostgreSQL refuses (a NUL in its message id) fails, the others of its batch are saved', async () => {
      const settled = await Promise.allSettled([store.commitTurn(commit(1)), store.commitTurn(commit(2, 'm\u00002')), store.commitTurn(commit(3))]);

      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { ok: true, rev: 1 } });
      expect(await store.getConversation('web:c1')).toEqual({ data: { n: 1 }, rev: 1 });
      expect(await store.getConversation('web:c2')).toBeNull();
      expect(await store.getConversation('web:c3')).toEqual({ data: { n: 3 }, rev: 1 });
      expect((await store.outboxSince('web:c3', 0, 10)).map((e) => e.message)).toEqual([{ text: 'reply 3' }]);
    });

    it('stay right between instances whose batches take the same conversations at the same moment, asked in opposite orders', async () => {
      // A second instance on the same schema, without a lock shared with the first: only the revisions decide.
      const other = new PostgresStore(temp.open());
      try {
        const mine = [1, 2, 3].map((n) => commit(n, `a${n}`));
        const theirs = [3, 2, 1].map((n) => commit(n, `b${n}`));

        const [a, b] = await Promise.all([
          Promise.all(mine.map((c) => store.commitTurn(c))),
          Promise.all(theirs.map((c) => other.commitTurn(c))),
        ]);

        for (const n of [1, 2, 3]) {
          const outcomes = [a[n - 1]!, b[3 - n]!];
          // Each conversation was created once, by one of the two; the other heard of a conflict.
          expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
          expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, reason: 'conflict' }]);
          const winner = outcomes[0]!.ok ? `a${n}` : `b${n}`;
          expect(await store.isProcessed(`web:c${n}`, winner)).toBe(true);
          expect(await store.isProcessed(`web:c${n}`, winner === `a${n}` ? `b${n}` : `a${n}`)).toBe(false);
          expect(await store.getConversation(`web:c${n}`)).toEqual({ data: { n }, rev: 1 });
        }
      } finally {
        await other.close();
      }
    });

    it('never deadlock between instances: each batch takes its conversations in one order, whatever order its turns came in', async () => {
      for (const n of [1, 2, 3]) expect(await store.commitTurn(commit(n, `first${n}`))).toMatchObject({ ok: true, rev: 1 });
      // Commit statements as each instance sends them: a batch that PostgreSQL aborts is sent again turn by turn.
      let statements = 0;
      const counted = () => {
        const db = temp.open();
        const query = db.pool.query.bind(db.pool) as (...args: unknown[]) => unknown;
        db.pool.query = ((...args: unknown[]) => {
          if (String(args[0]).includes('vv_commit_turn')) statements++;
          return query(...args);
        }) as typeof db.pool.query;
        return new PostgresStore(db);
      };
      const [one, two] = [counted(), counted()];
      // Holds c2's row, so that both batches are under way, each holding what it took before c2, when it lets go.
      const blocker = await temp.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query(`SELECT 1 FROM conversations WHERE key = 'web:c2' FOR UPDATE`);
        const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        const mine = [1, 2, 3].map((n) => ({ ...commit(n, `a${n}`), expectedRev: 1 }));
        const theirs = [3, 2, 1].map((n) => ({ ...commit(n, `b${n}`), expectedRev: 1 }));
        const both = Promise.all([Promise.all(mine.map((c) => one.commitTurn(c))), Promise.all(theirs.map((c) => two.commitTurn(c)))]);
        // Both batches wait, on the blocker or on a batch that waits on it.
        await eventually(async () => {
          const [waiting] = await temp.sql<{ n: number }>(
            `WITH direct AS (SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)))
             SELECT count(*)::int AS n FROM pg_stat_activity a
             WHERE a.pid IN (SELECT pid FROM direct) OR EXISTS (SELECT 1 FROM direct d WHERE d.pid = ANY(pg_blocking_pids(a.pid)))`,
            [rows[0]!.pid],
          );
          return waiting!.n === 2;
        });
        await blocker.query('COMMIT');
        const [a, b] = await both;

        // Taken in opposite orders, the two would each hold a row the other waits for: PostgreSQL would abort one.
        expect(statements).toBe(2);
        for (const n of [1, 2, 3]) {
          const outcomes = [a[n - 1]!, b[3 - n]!];
          expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
          expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, reason: 'conflict' }]);
          expect(await store.getConversation(`web:c${n}`)).toEqual({ data: { n }, rev: 2 });
        }
      } finally {
        await blocker.end();
        await one.close();
        await two.close();
      }
    });
  });
});
