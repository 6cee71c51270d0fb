import type { Cipher } from '../../src/handoff/cipher';
import { migratePostgres } from '../../src/store/postgres/migrate';
import { PostgresHandoffStore } from '../../src/store/postgres/postgres-handoff-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { handoffStoreContract } from '../contracts/handoff-store.contract';
import { describeWithPostgres, schemaRows, tempSchema } from '../support/postgres';

describeWithPostgres('PostgresHandoffStore', () => {
  handoffStoreContract(
    'PostgresHandoffStore',
    async (cipher) => {
      const temp = tempSchema();
      const db = temp.open();
      // The pool belongs to a PostgresStore, as in the app, which ends it.
      let owner = new PostgresStore(db);
      await migratePostgres(db);
      return {
        store: new PostgresHandoffStore(db, cipher),
        reopen: async (next: Cipher) => {
          await owner.close();
          const again = temp.open();
          owner = new PostgresStore(again);
          await migratePostgres(again);
          return new PostgresHandoffStore(again, next);
        },
        rawBytes: () => schemaRows(temp),
        cleanup: async () => {
          await owner.close();
          await temp.drop();
        },
      };
    },
    { durable: true },
  );
});
