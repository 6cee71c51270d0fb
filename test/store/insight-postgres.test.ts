import { migratePostgres } from '../../src/store/postgres/migrate';
import { MIGRATIONS } from '../../src/store/postgres/migrations';
import { PostgresInsightStore } from '../../src/store/postgres/postgres-insight-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { insightStoreContract } from '../contracts/insight-store.contract';
import { describeWithPostgres, tempSchema } from '../support/postgres';

/** The steps up to the one that makes the insight tables: what this store needs, whatever steps come after it. */
const UP_TO_INSIGHT = MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name.startsWith('insight:')) + 1);

describeWithPostgres('PostgresInsightStore', () => {
  insightStoreContract('PostgresInsightStore (two pools)', async () => {
    const temp = tempSchema();
    const first = temp.open();
    // Each pool belongs to a PostgresStore, as in the app, which ends it.
    const owners = [new PostgresStore(first)];
    await migratePostgres(first, UP_TO_INSIGHT);
    return {
      store: new PostgresInsightStore(first),
      other: async () => {
        const second = temp.open();
        owners.push(new PostgresStore(second));
        return new PostgresInsightStore(second);
      },
      cleanup: async () => {
        for (const owner of owners) await owner.close();
        await temp.drop();
      },
    };
  });
});
