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

  it('keeps the marks of a database from before one row per person and day, counting nobody twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vv-insight-migrate-'));
    const file = join(dir, 'store.db');
    try {
      const old = new Database(file);
      migrate(old, MIGRATIONS.slice(0, 10));
      const mark = old.prepare('INSERT INTO insight_seen (day, organisation_id, metric, dimension, pseudonym) VALUES (?, ?, ?, ?, ?)');
      mark.run('2026-03-14', 'sg', 'language.used', 'km', 'p1');
      mark.run('2026-03-14', 'sg', 'country.current', 'SG', 'p1');
      mark.run('2026-03-14', 'kh', 'language.used', 'km', 'p1');
      mark.run('2026-03-13', 'sg', 'language.used', 'km', 'p1');
      mark.run('2026-03-14', 'sg', 'language.used', 'km', 'p2');
      old.close();

      const owner = new SqliteStore(file);
      try {
        const rows = owner.database.prepare('SELECT pseudonym, day, organisation_id, marks FROM insight_seen ORDER BY 1, 2, 3').all();
        expect(rows).toEqual([
          { pseudonym: 'p1', day: '2026-03-13', organisation_id: 'sg', marks: '[["language.used","km"]]' },
          { pseudonym: 'p1', day: '2026-03-14', organisation_id: 'kh', marks: '[["language.used","km"]]' },
          { pseudonym: 'p1', day: '2026-03-14', organisation_id: 'sg', marks: '[["country.current","SG"],["language.used","km"]]' },
          { pseudonym: 'p2', day: '2026-03-14', organisation_id: 'sg', marks: '[["language.used","km"]]' },
        ]);
        const store = new SqliteInsightStore(owner.database);
        const seen = (pseudonym: string, metric: 'language.used' | 'country.current', dimension: string) =>
          ({ day: '2026-03-14', organisationId: 'sg', metric, dimension, pseudonym }) as const;
        // Marked before the upgrade: not counted again. A new dimension for p1 is.
        await store.add([seen('p1', 'language.used', 'km'), seen('p1', 'country.current', 'SG'), seen('p2', 'language.used', 'km'), seen('p1', 'language.used', 'en')]);
        expect(await store.counts('sg', '2026-03-14', '2026-03-14')).toEqual([
          { day: '2026-03-14', organisationId: 'sg', metric: 'language.used', dimension: 'en', count: 1 },
        ]);
        expect(await store.forget('p1')).toBe(5);
      } finally {
        await owner.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a stored row of marks it cannot read, writing nothing of the batch', async () => {
    const owner = new SqliteStore(':memory:');
    try {
      owner.database.prepare("INSERT INTO insight_seen VALUES ('p1', '2026-03-14', 'sg', '[[\"language.used\"]]')").run();
      const store = new SqliteInsightStore(owner.database);
      const batch = [
        { day: '2026-03-14', organisationId: 'sg', metric: 'flow.started', dimension: 'packing' },
        { day: '2026-03-14', organisationId: 'sg', metric: 'language.used', dimension: 'km', pseudonym: 'p1' },
      ] as const;
      await expect(store.add(batch)).rejects.toThrow();
      expect(await store.counts('sg', '2026-03-14', '2026-03-14')).toEqual([]);
    } finally {
      await owner.close();
    }
  });

  it('finds a person’s marks by the primary key, for "delete my data" and for the next mark', async () => {
    const owner = new SqliteStore(':memory:');
    try {
      const plan = (sql: string) =>
        (owner.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan("DELETE FROM insight_seen WHERE pseudonym = 'p1'")).toMatch(/USING PRIMARY KEY \(pseudonym=\?\)/);
      expect(plan("SELECT marks FROM insight_seen WHERE pseudonym = 'p1' AND day = '2026-03-14' AND organisation_id = 'sg'")).toMatch(
        /USING PRIMARY KEY \(pseudonym=\? AND day=\? AND organisation_id=\?\)/,
      );
    } finally {
      await owner.close();
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
