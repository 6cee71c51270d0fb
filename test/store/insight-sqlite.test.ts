import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteInsightStore } from '../../src/store/insight-sqlite';
import { MIGRATIONS, migrate } from '../../src/store/sqlite-schema';
import { SqliteStore } from '../../src/store/sqlite';
import { insightStoreContract } from '../contracts/insight-store.contract';

insightStoreContract('SqliteInsightStore (file, two connections)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vv-insight-'));
  const file = join(dir, 'store.db');
  const owners = [new SqliteStore(file)];
  return {
    store: new SqliteInsightStore(owners[0]!.database),
    other: async () => {
      const second = new SqliteStore(file);
      owners.push(second);
      return new SqliteInsightStore(second.database);
    },
    cleanup: async () => {
      for (const owner of owners) await owner.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteInsightStore', () => {
  it('refuses a connection the conversation store has not migrated', () => {
    const bare = new Database(':memory:');
    try {
      migrate(bare, MIGRATIONS.slice(0, 6));
      expect(() => new SqliteInsightStore(bare)).toThrow(/schema version 6, not/);
    } finally {
      bare.close();
    }
  });

  it('reads one organisation’s days from the primary key, without sorting', async () => {
    const owner = new SqliteStore(':memory:');
    try {
      const plan = (owner.database.prepare(
        "EXPLAIN QUERY PLAN SELECT * FROM insight_counts WHERE organisation_id = 'sg' AND day BETWEEN '2026-01-01' AND '2026-01-31' ORDER BY day, metric, dimension",
      ).all() as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan).toMatch(/USING PRIMARY KEY/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    } finally {
      await owner.close();
    }
  });
});
