import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite';
import { WriteBatch } from '../../src/store/sqlite-write-batch';
import type { TurnCommit } from '../../src/store/store';

/**
 * Group commit: writes asked for while the event loop is busy share one
 * transaction, each settles only once that transaction is committed, and a
 * write that fails does so alone.
 */
let dir: string;
let file: string;
const open: { close(): unknown }[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vv-group-commit-'));
  file = join(dir, 'store.db');
});

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

function connection(): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  open.push(db);
  return db;
}

const commit = (n: number, over: Partial<TurnCommit> = {}): TurnCommit => ({
  conversationKey: `web:c${n}`,
  channel: 'web',
  userId: `u${n}`,
  expectedRev: 0,
  record: { n },
  messageId: `m${n}`,
  outbox: [{ text: `reply ${n}` }],
  now: 1,
  ...over,
});

describe('WriteBatch', () => {
  it('runs writes asked for together in one transaction, each settling only after its commit', async () => {
    const db = connection();
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    const other = connection();
    const batch = new WriteBatch(db);
    const seenByOther: number[] = [];
    const writes = [1, 2, 3, 4].map((n) =>
      batch.write(() => {
        // Still inside the shared transaction: the rows before this one are not committed yet.
        seenByOther.push(other.prepare('SELECT count(*) FROM t').pluck().get() as number);
        db.prepare('INSERT INTO t (n) VALUES (?)').run(n);
        return n * 10;
      }),
    );
    // Nothing runs before the event loop is free.
    expect(seenByOther).toEqual([]);
    const settled = writes.map((w) =>
      w.then((value) => ({ value, visible: other.prepare('SELECT count(*) FROM t').pluck().get() as number })),
    );
    expect(await Promise.all(settled)).toEqual([10, 20, 30, 40].map((value) => ({ value, visible: 4 })));
    expect(seenByOther).toEqual([0, 0, 0, 0]);
  });

  it('fails only the write that throws; the others of its batch are committed', async () => {
    const db = connection();
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    const batch = new WriteBatch(db);
    const insert = (n: number) => () => {
      db.prepare('INSERT INTO t (n) VALUES (?)').run(n);
      if (n === 3) throw new Error('disk full');
      return n;
    };
    const results = await Promise.allSettled([1, 2, 3, 4].map((n) => batch.write(insert(n))));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([1, 2, 'disk full', 4]);
    expect(db.prepare('SELECT n FROM t ORDER BY n').pluck().all()).toEqual([1, 2, 4]);
  });

  it('keeps the order of writes: a later one sees what an earlier one of the same batch wrote', async () => {
    const db = connection();
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    const batch = new WriteBatch(db);
    const [, second] = await Promise.all([
      batch.write(() => db.prepare('INSERT INTO t (n) VALUES (1)').run()),
      batch.write(() => db.prepare('SELECT count(*) FROM t').pluck().get()),
    ]);
    expect(second).toBe(1);
  });
});

describe('SqliteStore with group commit', () => {
  const store = (): SqliteStore => {
    const s = new SqliteStore(file);
    open.push(s);
    return s;
  };

  it('commits the turns of many conversations at once, each visible once its commit resolves', async () => {
    const s = store();
    const other = connection();
    const visible = (n: number) => other.prepare('SELECT count(*) FROM conversations WHERE key = ?').pluck().get(`web:c${n}`);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, n) => s.commitTurn(commit(n)).then((result) => ({ ok: result.ok, visible: visible(n) }))),
    );
    expect(results).toEqual(Array.from({ length: 50 }, () => ({ ok: true, visible: 1 })));
  });

  it('still refuses a duplicate and a stale rev within one batch, writing nothing for them', async () => {
    const s = store();
    const [first, duplicate, stale] = await Promise.all([
      s.commitTurn(commit(1)),
      s.commitTurn(commit(1, { expectedRev: 1, record: { n: 'again' }, outbox: [{ text: 'again' }] })),
      s.commitTurn(commit(1, { messageId: 'm9', expectedRev: 5 })),
    ]);
    expect(first.ok).toBe(true);
    expect(duplicate).toEqual({ ok: false, reason: 'duplicate' });
    expect(stale).toEqual({ ok: false, reason: 'conflict' });
    expect(await s.getConversation('web:c1')).toEqual({ data: { n: 1 }, rev: 1 });
    expect((await s.outboxSince('web:c1', 0, 10)).map((e) => e.message)).toEqual([{ text: 'reply 1' }]);
  });

  it('writes what was asked for before close, without waiting for the event loop', async () => {
    const s = new SqliteStore(file);
    const pending = s.commitTurn(commit(7));
    await s.close();
    await expect(pending).resolves.toMatchObject({ ok: true });
    const again = store();
    expect(await again.getConversation('web:c7')).toEqual({ data: { n: 7 }, rev: 1 });
  });
});
