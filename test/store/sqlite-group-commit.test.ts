import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite';
import { ReadBatch } from '../../src/store/sqlite-read-batch';
import { WriteBatch } from '../../src/store/sqlite-write-batch';
import type { TurnCommit } from '../../src/store/store';

/**
 * Group commit: writes asked for while the event loop is busy share one
 * transaction, each settles only once that transaction is committed, and a
 * write that fails does so alone. Reads asked for together share one read
 * transaction in the same way.
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

describe('ReadBatch', () => {
  it('answers reads asked for together from one read transaction, in order', async () => {
    const db = connection();
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)');
    const batch = new ReadBatch(db);
    const inside: boolean[] = [];
    const read = (n: number) =>
      batch.read(() => {
        inside.push(db.inTransaction);
        return db.prepare('SELECT n FROM t WHERE n = ?').pluck().get(n);
      });
    const answers = Promise.all([read(3), read(1), read(2), read(9)]);
    // Nothing runs before the event loop is free.
    expect(inside).toEqual([]);
    expect(await answers).toEqual([3, 1, 2, undefined]);
    expect(inside).toEqual([true, true, true, true]);
    expect(db.inTransaction).toBe(false);
  });

  it('sees what was committed before it was asked for, and a consistent state within a batch', async () => {
    const db = connection();
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    const other = connection();
    const batch = new WriteBatch(db);
    const reads = new ReadBatch(db);
    await batch.write(() => db.prepare('INSERT INTO t VALUES (1)').run());
    const count = () => db.prepare('SELECT count(*) FROM t').pluck().get();
    const [before, after] = await Promise.all([
      reads.read(() => {
        // Another process commits in the middle of the batch: the batch's own snapshot does not change.
        const first = count();
        other.prepare('INSERT INTO t VALUES (2)').run();
        return first;
      }),
      reads.read(count),
    ]);
    expect([before, after]).toEqual([1, 1]);
    expect(await reads.read(count)).toBe(2);
  });

  it('fails only the read that throws; the others of its batch still answer', async () => {
    const db = connection();
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)');
    const batch = new ReadBatch(db);
    const results = await Promise.allSettled([
      batch.read(() => db.prepare('SELECT n FROM t').pluck().get()),
      batch.read(() => db.prepare('SELECT nope FROM t').pluck().get()),
      batch.read(() => db.prepare('SELECT count(*) FROM t').pluck().get()),
    ]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([1, 'no such column: nope', 1]);
  });

  it('answers what was asked for when flushed before the connection closes, and refuses after', async () => {
    const db = new Database(file);
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY); INSERT INTO t VALUES (5)');
    const batch = new ReadBatch(db);
    const asked = batch.read(() => db.prepare('SELECT n FROM t').pluck().get());
    batch.flush();
    const late = batch.read(() => 0);
    db.close();
    await expect(asked).resolves.toBe(5);
    await expect(late).rejects.toThrow('The database connection is not open');
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

  it('answers the turn reads of many conversations asked for at once, each as it was committed', async () => {
    const s = store();
    await Promise.all(Array.from({ length: 20 }, (_, n) => s.commitTurn(commit(n))));
    const states = await Promise.all(
      Array.from({ length: 20 }, (_, n) => s.turnState(`web:c${n}`, n % 2 === 0 ? `m${n}` : 'other')),
    );
    expect(states).toEqual(
      Array.from({ length: 20 }, (_, n) =>
        n % 2 === 0 ? { processed: true, conversation: null } : { processed: false, conversation: { data: { n }, rev: 1 } },
      ),
    );
  });

  it('answers reads asked for before close, without waiting for the event loop', async () => {
    const s = new SqliteStore(file);
    await s.commitTurn(commit(3));
    const pending = s.getConversation('web:c3');
    await s.close();
    await expect(pending).resolves.toEqual({ data: { n: 3 }, rev: 1 });
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
