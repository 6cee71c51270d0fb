import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AesGcmCipher, type Cipher } from '../../src/handoff/cipher';
import type { Case } from '../../src/handoff/types';
import { StoreDataError } from '../../src/store/guards';
import { SqliteHandoffStore } from '../../src/store/handoff-sqlite';
import { MIGRATIONS, migrate } from '../../src/store/sqlite-schema';
import { SqliteStore } from '../../src/store/sqlite';
import { handoffStoreContract } from '../contracts/handoff-store.contract';

async function tempFile(): Promise<{ file: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vv-handoff-'));
  return { file: join(dir, 'data', 'store.db'), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The database file and its write-ahead log: together, everything written so far. */
async function fileBytes(file: string): Promise<Buffer> {
  const parts = [file, `${file}-wal`].filter((f) => existsSync(f));
  return Buffer.concat(await Promise.all(parts.map((f) => readFile(f))));
}

handoffStoreContract(
  'SqliteHandoffStore (file)',
  async (cipher) => {
    const { file, remove } = await tempFile();
    let owner = new SqliteStore(file);
    return {
      store: new SqliteHandoffStore(owner.database, cipher),
      reopen: async (next: Cipher) => {
        await owner.close();
        owner = new SqliteStore(file);
        return new SqliteHandoffStore(owner.database, next);
      },
      rawBytes: () => fileBytes(file),
      cleanup: async () => {
        await owner.close();
        await remove();
      },
    };
  },
  { durable: true },
);

handoffStoreContract('SqliteHandoffStore (:memory:)', async (cipher) => {
  const owner = new SqliteStore(':memory:');
  return {
    store: new SqliteHandoffStore(owner.database, cipher),
    rawBytes: async () => owner.database.serialize(),
    cleanup: () => owner.close(),
  };
});

describe('SqliteHandoffStore in the conversation store’s file', () => {
  let file: string;
  let remove: () => Promise<void>;
  const owners: SqliteStore[] = [];
  const cipher = new AesGcmCipher(randomBytes(32));

  const open = (): { owner: SqliteStore; store: SqliteHandoffStore } => {
    const owner = new SqliteStore(file);
    owners.push(owner);
    return { owner, store: new SqliteHandoffStore(owner.database, cipher) };
  };

  beforeEach(async () => {
    ({ file, remove } = await tempFile());
  });

  afterEach(async () => {
    for (const o of owners.splice(0)) await o.close();
    await remove();
  });

  it('writes to the same file, on the same connection, as the conversations', async () => {
    const { owner, store } = open();
    await store.openCase(aCase(), 'm1');
    await owner.commitTurn({
      conversationKey: 'web:c1',
      channel: 'web',
      userId: 'u1',
      expectedRev: 0,
      record: { step: 1 },
      messageId: 'm1',
      outbox: [],
      now: 1,
    });

    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM cases').pluck().get()).toBe(1);
      expect(db.prepare('SELECT count(*) FROM conversations').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it('refuses a connection the conversation store has not migrated, or one without foreign keys', async () => {
    const bare = new Database(':memory:');
    try {
      migrate(bare, MIGRATIONS.slice(0, 4));
      expect(() => new SqliteHandoffStore(bare, cipher)).toThrow(/schema version 4, not/);
      migrate(bare);
      bare.pragma('foreign_keys = OFF');
      expect(() => new SqliteHandoffStore(bare, cipher)).toThrow(/foreign_keys/);
    } finally {
      bare.close();
    }
  });

  it('lets exactly one claim win when two processes claim the same case', async () => {
    const first = open();
    const second = open();
    await first.store.openCase(aCase(), 'm1');
    const claim = (s: SqliteHandoffStore, who: string) =>
      s.updateCase('case-1', { status: 'assigned', assignedTo: who }, { status: 'waiting', assignedTo: null });

    const results = [await claim(second.store, 'u-second'), await claim(first.store, 'u-first')];

    expect(results.map((r) => r?.assignedTo ?? null)).toEqual(['u-second', null]);
    expect((await first.store.getCase('case-1'))?.assignedTo).toBe('u-second');
  });

  it('erases a person’s cases all or nothing', async () => {
    const { store } = open();
    await store.openCase(aCase({ tracing: { seeking: ['Dara'] } }), 'm1');
    await store.addMessage({
      caseId: 'case-1',
      author: 'person',
      userId: null,
      text: 'help',
      locale: 'km',
      sourceId: 'm2',
      delivery: null,
      deliveryError: null,
      createdAt: 1,
    });
    await store.addNote({ caseId: 'case-1', userId: 'u-ana', text: 'note', createdAt: 1 });
    // The cases go last, after their lines, notes and transfers are already deleted.
    const sql = (store as unknown as { sql: Record<string, { run: (...args: unknown[]) => unknown }> }).sql;
    sql.deleteUserCases!.run = () => {
      throw new Error('erase refused');
    };

    await expect(store.deleteUserCases('web', 'u1')).rejects.toThrow('erase refused');

    expect((await store.getCase('case-1'))?.tracing).toEqual({ seeking: ['Dara'] });
    expect(await store.listMessages('case-1')).toHaveLength(1);
    expect(await store.listNotes('case-1')).toHaveLength(1);
  });

  it('serves the queue and a conversation’s open case from their indexes', async () => {
    const { owner } = open();
    const plan = (sql: string): string =>
      (owner.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');

    const queue = plan(
      "SELECT * FROM cases WHERE organisation_id = 'sg' AND status = 'waiting' ORDER BY priority DESC, created_at, rowid LIMIT 50",
    );
    expect(queue).toMatch(/USING INDEX cases_queue/);
    expect(queue).not.toMatch(/TEMP B-TREE/);
    expect(plan("SELECT * FROM cases WHERE conversation_key = 'web:c1' AND status <> 'closed' ORDER BY rowid LIMIT 1")).toMatch(
      /USING INDEX cases_open_by_conversation/,
    );
    expect(
      plan("SELECT * FROM cases WHERE status = 'waiting' AND alerted_at IS NULL ORDER BY created_at, rowid LIMIT 10"),
    ).toMatch(/USING INDEX cases_unalerted/);
  });

  it('names the row when stored organisation data is not JSON', async () => {
    const { owner, store } = open();
    await store.saveOrganisation({
      id: 'sg',
      name: 'Singapore Red Cross',
      languages: ['en'],
      countries: ['SG'],
      expectedResponseMinutes: 60,
      alertTarget: null,
      createdAt: 1,
    });
    owner.database.prepare("UPDATE organisations SET countries = 'oops'").run();

    const err = await store.getOrganisation('sg').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreDataError);
    expect((err as Error).message).toMatch(/^organisations\.countries of organisation sg is not valid JSON/);
  });

  it('keeps the email unique in the database itself, whatever its case', async () => {
    const { owner } = open();
    const insert = owner.database.prepare(
      `INSERT INTO staff_users (id, email, email_key, name, role, organisation_id, password_hash, disabled, created_at)
       VALUES (?, ?, ?, 'n', 'caseworker', 'sg', 'h', 0, 1)`,
    );
    insert.run('u1', 'Ana@example.org', 'ana@example.org');

    expect(() => insert.run('u2', 'ana@example.org', 'ana@example.org')).toThrow(/UNIQUE/);
  });
});

function aCase(over: Partial<Case> = {}): Case {
  return {
    id: 'case-1',
    organisationId: 'sg',
    category: 'passport',
    priority: 'normal',
    status: 'waiting',
    ref: { channel: 'web', conversationId: 'c1', userId: 'u1' },
    conversationKey: 'web:c1',
    locale: 'km',
    country: { current: 'SG' },
    consent: { version: 'handoff:consent.explain', locale: 'km', text: 'yes', at: 1 },
    tracing: null,
    assignedTo: null,
    createdAt: 1,
    updatedAt: 1,
    lastPersonMessageAt: null,
    closedAt: null,
    closedBy: null,
    alertedAt: null,
    ...over,
  };
}
