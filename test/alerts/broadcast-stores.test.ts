import { MemoryBroadcastStore } from '../../src/store/broadcasts-memory';
import { SqliteBroadcastStore } from '../../src/store/broadcasts-sqlite';
import { migratePostgres } from '../../src/store/postgres/migrate';
import { PostgresBroadcastStore } from '../../src/store/postgres/postgres-broadcast-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { SqliteStore } from '../../src/store/sqlite';
import { broadcastStoreContract } from '../contracts/broadcast-store.contract';
import { describeWithPostgres, tempSchema } from '../support/postgres';

broadcastStoreContract('MemoryBroadcastStore', async () => ({ store: new MemoryBroadcastStore(), cleanup: async () => {} }));

broadcastStoreContract('SqliteBroadcastStore', async () => {
  // The connection belongs to a SqliteStore, as in the app, which migrates and closes it.
  const owner = new SqliteStore(':memory:');
  return { store: new SqliteBroadcastStore(owner.database), cleanup: () => owner.close() };
});

describeWithPostgres('PostgresBroadcastStore', () => {
  broadcastStoreContract('PostgresBroadcastStore', async () => {
    const temp = tempSchema();
    const db = temp.open();
    const owner = new PostgresStore(db);
    await migratePostgres(db);
    return {
      store: new PostgresBroadcastStore(db),
      cleanup: async () => {
        await owner.close();
        await temp.drop();
      },
    };
  });
});
