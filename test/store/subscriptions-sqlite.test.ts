import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite';
import { SqliteSubscriptionStore } from '../../src/store/subscriptions-sqlite';
import { subscriptionStoreContract } from '../contracts/subscription-store.contract';

subscriptionStoreContract(
  'SqliteSubscriptionStore (file)',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vv-subscriptions-'));
    const file = join(dir, 'store.db');
    // The connection belongs to a SqliteStore, as in the app, which closes it.
    let owner = new SqliteStore(file);
    return {
      store: new SqliteSubscriptionStore(owner.database),
      reopen: async () => {
        await owner.close();
        owner = new SqliteStore(file);
        return new SqliteSubscriptionStore(owner.database);
      },
      cleanup: async () => {
        await owner.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { durable: true },
);

describe('SqliteSubscriptionStore', () => {
  it('refuses a database its SqliteStore has not migrated', () => {
    const db = new Database(':memory:');
    try {
      expect(() => new SqliteSubscriptionStore(db)).toThrow(/schema version 0/);
    } finally {
      db.close();
    }
  });
});
