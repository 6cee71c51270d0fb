import { migratePostgres } from '../../src/store/postgres/migrate';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import type { TurnCommit } from '../../src/store/store';
import { storeContract } from '../contracts/store.contract';
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
  });
});
