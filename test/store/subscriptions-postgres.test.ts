import { migratePostgres } from '../../src/store/postgres/migrate';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { PostgresSubscriptionStore } from '../../src/store/postgres/postgres-subscription-store';
import { subscriptionStoreContract } from '../contracts/subscription-store.contract';
import { describeWithPostgres, tempSchema } from '../support/postgres';

describeWithPostgres('PostgresSubscriptionStore', () => {
  subscriptionStoreContract(
    'PostgresSubscriptionStore',
    async () => {
      const temp = tempSchema();
      const db = temp.open();
      // The pool belongs to a PostgresStore, as in the app, which ends it.
      let owner = new PostgresStore(db);
      await migratePostgres(db);
      return {
        store: new PostgresSubscriptionStore(db),
        reopen: async () => {
          await owner.close();
          const again = temp.open();
          owner = new PostgresStore(again);
          await migratePostgres(again);
          return new PostgresSubscriptionStore(again);
        },
        cleanup: async () => {
          await owner.close();
          await temp.drop();
        },
      };
    },
    { durable: true },
  );
});
