import { migratePostgres } from '../../src/store/postgres/migrate';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
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
});
