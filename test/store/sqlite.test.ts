import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreDataError } from '../../src/store/guards';
import { MIGRATIONS, migrate, type Migration } from '../../src/store/sqlite-schema';
import { SqliteStore } from '../../src/store/sqlite';
import { SqliteHandoffStore } from '../../src/store/handoff-sqlite';
import { PlaintextCipher } from '../../src/handoff/cipher';
import { storeContract } from '../contracts/store.contract';

async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vv-sqlite-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

storeContract(
  'SqliteStore (file)',
  async () => {
    const { dir, remove } = await tempDir();
    const file = join(dir, 'nested', 'store.db');
    return { store: new SqliteStore(file), reopen: async () => new SqliteStore(file), cleanup: remove };
  },
  { durable: true },
);

storeContract('SqliteStore (:memory:)', async () => ({
  store: new SqliteStore(':memory:'),
  cleanup: async () => undefined,
}));

describe('SqliteStore on disk', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let file: string;
  const open: SqliteStore[] = [];

  /** A second connection to the same file, to look at what the store wrote. */
  const inspect = (): Database.Database => {
    const db = new Database(file);
    inspectors.push(db);
    return db;
  };
  const inspectors: Database.Database[] = [];
  const store = (): SqliteStore => {
    const s = new SqliteStore(file);
    open.push(s);
    return s;
  };

  /**
   * Makes one of the store's prepared statements fail when `when` matches its
   * arguments, inside the store's own transaction: a write that fails halfway
   * through a turn, as a full disk or an I/O error would.
   */
  const failOn = (s: SqliteStore, statement: string, when: (args: unknown[]) => boolean, message: string): void => {
    const sql = (s as unknown as { sql: Record<string, { run: (...args: unknown[]) => unknown }> }).sql;
    const target = sql[statement];
    if (!target) throw new Error(`no statement ${statement}`);
    const run = target.run.bind(target);
    target.run = (...args: unknown[]) => {
      if (when(args)) throw new Error(message);
      return run(...args);
    };
  };

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    file = join(dir, 'data', 'store.db');
  });

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    for (const db of inspectors.splice(0)) db.close();
    await remove();
  });

  it('creates the missing directory and opens in WAL mode with the agreed pragmas', async () => {
    const s = new SqliteStore(file, { busyTimeoutMs: 1234 });
    open.push(s);
    const db = (s as unknown as { db: Database.Database }).db;

    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
  });

  it('stamps the schema with the number of migrations', async () => {
    await store().close();

    expect(inspect().pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const tables = inspect()
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'alert_broadcasts',
      'alert_recipients',
      'alert_subscriptions',
      'audit_log',
      'case_messages',
      'case_notes',
      'case_transfers',
      'cases',
      'channel_refs',
      'conversations',
      'deliveries',
      'insight_counts',
      'insight_seen',
      'organisations',
      'outbox',
      'processed',
      'staff_sessions',
      'staff_users',
      'submissions',
    ]);
    const indexes = inspect()
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'submissions' ORDER BY name")
      .pluck()
      .all();
    expect(indexes).toEqual(['submissions_by_conversation', 'submissions_by_kind']);
    const refIndexes = inspect()
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'channel_refs' AND sql IS NOT NULL")
      .pluck()
      .all();
    expect(refIndexes).toEqual(['channel_refs_by_user']);
    // No foreign key: a reference may be saved before its conversation's first turn.
    expect(inspect().pragma('foreign_key_list(channel_refs)')).toEqual([]);
  });

  it('upgrades a version-1 database to the current version, keeping its data', async () => {
    await mkdir(dirname(file), { recursive: true });
    const old = new Database(file);
    inspectors.push(old);
    migrate(old, MIGRATIONS.slice(0, 1));
    old.prepare("INSERT INTO conversations VALUES ('web:c1', 'web', 'u1', '{\"step\":1}', 1, 1)").run();
    old.prepare("INSERT INTO processed VALUES ('web', 'm1', 'web:c1', 1)").run();
    old
      .prepare('INSERT INTO outbox (conversation_key, channel, message_id, message, created_at) VALUES (?, ?, ?, ?, ?)')
      .run('web:c1', 'web', 'm1', '{"text":"hi"}', 1);
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.close();

    const s = store();

    expect(inspect().pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(await s.getConversation('web:c1')).toEqual({ data: { step: 1 }, rev: 1 });
    expect(await s.isProcessed('web:c1', 'm1')).toBe(true);
    expect((await s.repliesTo('web:c1', 'm1'))?.map((e) => e.message)).toEqual([{ text: 'hi' }]);
    expect(await s.listSubmissions({}, 10)).toEqual([]);
    const next = { ...commit('m2'), expectedRev: 1, submissions: [{ kind: 'rfl', data: { seeking: 'sister' } }] };
    expect(await s.commitTurn(next)).toMatchObject({ ok: true, rev: 2 });
    expect(await s.listSubmissions({ conversationKey: 'web:c1' }, 10)).toMatchObject([
      { kind: 'rfl', data: { seeking: 'sister' } },
    ]);
    expect(await s.getReference('web:c1')).toBeNull();
  });

  it('upgrades a version-2 database to the current version, keeping its data and adding channel references', async () => {
    await mkdir(dirname(file), { recursive: true });
    const old = new Database(file);
    inspectors.push(old);
    migrate(old, MIGRATIONS.slice(0, 2));
    old.prepare("INSERT INTO conversations VALUES ('teams:c1', 'teams', 'u1', '{\"step\":1}', 1, 1)").run();
    old.prepare("INSERT INTO submissions (conversation_key, channel, user_id, kind, data, created_at) VALUES ('teams:c1', 'teams', 'u1', 'rfl', '{}', 1)").run();
    old.close();

    const s = store();

    expect(inspect().pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(await s.getConversation('teams:c1')).toEqual({ data: { step: 1 }, rev: 1 });
    expect(await s.listSubmissions({}, 10)).toHaveLength(1);
    await s.saveReference('teams:c1', 'teams', 'u1', { serviceUrl: 'https://smba.example/' }, 2);
    expect(await s.getReference('teams:c1')).toEqual({ serviceUrl: 'https://smba.example/' });
  });

  it('upgrades a version-3 database to the current version, keeping its references and adding delivery states', async () => {
    await mkdir(dirname(file), { recursive: true });
    const old = new Database(file);
    inspectors.push(old);
    migrate(old, MIGRATIONS.slice(0, 3));
    old.prepare("INSERT INTO channel_refs VALUES ('teams:c1', 'teams', 'u1', '{\"serviceUrl\":\"https://smba.example/\"}', 1)").run();
    old.close();

    const s = store();

    expect(inspect().pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(await s.getReference('teams:c1')).toEqual({ serviceUrl: 'https://smba.example/' });
    const delivery = {
      channel: 'whatsapp-cloud',
      externalId: 'wamid.1',
      conversationKey: 'whatsapp-cloud:1',
      userId: '1',
      state: 'sent' as const,
      errorCode: null,
      errorTitle: null,
      updatedAt: 2,
    };
    await s.recordDelivery(delivery);
    expect(await s.getDelivery('whatsapp-cloud', 'wamid.1')).toEqual(delivery);
  });

  it('upgrades a version-4 database to the current version, keeping its data and adding the handoff tables', async () => {
    await mkdir(dirname(file), { recursive: true });
    const old = new Database(file);
    inspectors.push(old);
    migrate(old, MIGRATIONS.slice(0, 4));
    old.prepare("INSERT INTO conversations VALUES ('web:c1', 'web', 'u1', '{\"step\":1}', 1, 1)").run();
    old.prepare("INSERT INTO deliveries VALUES ('whatsapp-cloud', 'wamid.1', 'whatsapp-cloud:1', '1', 'sent', 1, NULL, NULL, 1)").run();
    old.close();

    const s = store();

    expect(inspect().pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(await s.getConversation('web:c1')).toEqual({ data: { step: 1 }, rev: 1 });
    expect(await s.getDelivery('whatsapp-cloud', 'wamid.1')).toMatchObject({ state: 'sent' });
    const handoff = new SqliteHandoffStore(s.database, new PlaintextCipher());
    expect(await handoff.listOrganisations()).toEqual([]);
    const opened = await handoff.openCase(
      {
        id: 'case-1',
        organisationId: 'sg',
        category: 'other',
        priority: 'normal',
        status: 'waiting',
        ref: { channel: 'web', conversationId: 'c1', userId: 'u1' },
        conversationKey: 'web:c1',
        locale: 'en',
        country: {},
        consent: { version: 'v1', locale: 'en', text: 'yes', at: 2 },
        tracing: null,
        assignedTo: null,
        createdAt: 2,
        updatedAt: 2,
        lastPersonMessageAt: null,
        closedAt: null,
        closedBy: null,
        alertedAt: null,
      },
      'm2',
    );
    expect(opened.created).toBe(true);
    expect((await handoff.openCaseOf('web:c1'))?.id).toBe('case-1');
  });

  it('upgrades a version-5 database: its undelivered replies become due at once, untried, and delivered ones stay delivered', async () => {
    await mkdir(dirname(file), { recursive: true });
    const old = new Database(file);
    inspectors.push(old);
    migrate(old, MIGRATIONS.slice(0, 5));
    old.prepare("INSERT INTO conversations VALUES ('web:c1', 'web', 'u1', '{}', 1, 100)").run();
    old.prepare("INSERT INTO processed VALUES ('web', 'm1', 'web:c1', 100)").run();
    old.prepare("INSERT INTO outbox (conversation_key, channel, message_id, message, created_at, delivered_at) VALUES ('web:c1', 'web', 'm1', '{\"n\":1}', 100, 150)").run();
    old.prepare("INSERT INTO outbox (conversation_key, channel, message_id, message, created_at, delivered_at) VALUES ('web:c1', 'web', 'm1', '{\"n\":2}', 100, NULL)").run();
    old.close();

    const s = store();

    expect(await s.outboxSince('web:c1', 0, 10)).toEqual([
      expect.objectContaining({ message: { n: 1 }, deliveredAt: 150, attempts: 0, nextAttemptAt: 100, lastError: null, failedAt: null }),
      expect.objectContaining({ message: { n: 2 }, deliveredAt: null, attempts: 0, nextAttemptAt: 100, lastError: null, failedAt: null }),
    ]);
    expect((await s.dueOutbox(100, ['web'], 10)).map((e) => e.message)).toEqual([{ n: 2 }]);
  });

  it('upgrades processed marks to the per-conversation layout: a resend is still a duplicate, and the same id elsewhere is new', async () => {
    const before = MIGRATIONS.findIndex((m) => m.name === 'processed marks kept per conversation');
    await mkdir(dirname(file), { recursive: true });
    const old = new Database(file);
    inspectors.push(old);
    old.pragma('foreign_keys = ON');
    migrate(old, MIGRATIONS.slice(0, before));
    old.prepare("INSERT INTO conversations VALUES ('web:c1', 'web', 'u1', '{\"step\":1}', 1, 1)").run();
    old.prepare("INSERT INTO conversations VALUES ('telegram:9', 'telegram', '9', '{}', 1, 1)").run();
    old.prepare("INSERT INTO processed VALUES ('web', 'm1', 'web:c1', 1)").run();
    old.prepare("INSERT INTO processed VALUES ('telegram', 'u7', 'telegram:9', 2)").run();
    old.prepare("INSERT INTO outbox (conversation_key, channel, message_id, message, created_at) VALUES ('web:c1', 'web', 'm1', '{\"text\":\"hi\"}', 1)").run();
    old.close();

    const s = store();

    const db = inspect();
    expect(db.prepare('SELECT * FROM processed ORDER BY conversation_key').all()).toEqual([
      { conversation_key: 'telegram:9', message_id: 'u7', created_at: 2 },
      { conversation_key: 'web:c1', message_id: 'm1', created_at: 1 },
    ]);
    // No index besides the table's own key (WITHOUT ROWID: the table is its primary key), and the foreign key holds.
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'processed'").pluck().all()).toEqual([]);
    expect(db.pragma('foreign_key_list(processed)')).toMatchObject([{ table: 'conversations', from: 'conversation_key', to: 'key' }]);
    expect(await s.isProcessed('web:c1', 'm1')).toBe(true);
    expect(await s.isProcessed('telegram:9', 'u7')).toBe(true);
    expect((await s.repliesTo('web:c1', 'm1'))?.map((e) => e.message)).toEqual([{ text: 'hi' }]);
    expect(await s.commitTurn({ ...commit('m1'), expectedRev: 1 })).toEqual({ ok: false, reason: 'duplicate' });
    expect(await s.commitTurn({ ...commit('m1'), conversationKey: 'web:c2' })).toMatchObject({ ok: true, rev: 1 });
    expect(await s.deleteUser('web', 'u1')).toBe(2);
    expect(await s.isProcessed('web:c1', 'm1')).toBe(false);
    expect(await s.isProcessed('telegram:9', 'u7')).toBe(true);
  });

  it('does not run migrations again on reopen, and keeps the data', async () => {
    const first = store();
    await first.commitTurn(commit('m1'));
    await first.close();

    const again = store();
    expect(await again.getConversation('web:c1')).toEqual({ data: { step: 1 }, rev: 1 });
    expect(inspect().pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('refuses a database written by a newer build instead of guessing at its schema', async () => {
    await store().close();
    inspect().pragma(`user_version = ${MIGRATIONS.length + 1}`);

    const newer = MIGRATIONS.length + 1;
    expect(() => new SqliteStore(file)).toThrow(
      new RegExp(`schema version ${newer} is newer than this build knows \\(${MIGRATIONS.length}\\)`),
    );
  });

  it('rolls back the whole turn when a write fails halfway through', async () => {
    const s = store();
    failOn(s, 'insertOutbox', (args) => args[3] === '"boom"', 'boom refused');

    await expect(s.commitTurn(commit('m1', ['fine', 'boom']))).rejects.toThrow('boom refused');

    expect(await s.getConversation('web:c1')).toBeNull();
    expect(await s.isProcessed('web:c1', 'm1')).toBe(false);
    expect(inspect().prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(0);
  });

  it('rolls back the whole turn when a submission cannot be written', async () => {
    const s = store();
    failOn(s, 'insertSubmission', (args) => args[3] === 'boom', 'boom refused');
    const submissions = [
      { kind: 'rfl', data: {} },
      { kind: 'boom', data: {} },
    ];

    await expect(s.commitTurn({ ...commit('m1', ['reply']), submissions })).rejects.toThrow('boom refused');

    expect(await s.getConversation('web:c1')).toBeNull();
    expect(await s.isProcessed('web:c1', 'm1')).toBe(false);
    expect(await s.pendingOutbox(10)).toEqual([]);
    expect(inspect().prepare('SELECT count(*) FROM submissions').pluck().get()).toBe(0);
  });

  it('erases a user all or nothing', async () => {
    const s = store();
    await s.commitTurn({ ...commit('m1', ['reply']), submissions: [{ kind: 'rfl', data: {} }] });
    // The conversations go last, after the marks, replies and submissions are already deleted.
    failOn(s, 'deleteUserConversations', () => true, 'erase refused');

    await expect(s.deleteUser('web', 'u1')).rejects.toThrow('erase refused');

    expect(await s.isProcessed('web:c1', 'm1')).toBe(true);
    expect(await s.repliesTo('web:c1', 'm1')).toHaveLength(1);
    expect(await s.listSubmissions({}, 10)).toHaveLength(1);
  });

  it('erases the references of a user in the same transaction as the rest', async () => {
    const s = store();
    await s.commitTurn(commit('m1'));
    await s.saveReference('web:c1', 'web', 'u1', { serviceUrl: 'https://smba.example/' }, 1);
    failOn(s, 'deleteUserConversations', () => true, 'erase refused');

    await expect(s.deleteUser('web', 'u1')).rejects.toThrow('erase refused');

    expect(await s.getReference('web:c1')).toEqual({ serviceUrl: 'https://smba.example/' });
  });

  it('names the reference row when a stored reference is not JSON, without the conversation id', async () => {
    const s = store();
    await s.saveReference('teams:a:secret', 'teams', 'u1', {}, 1);
    inspect().prepare("UPDATE channel_refs SET data = 'oops'").run();

    const err = await s.getReference('teams:a:secret').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreDataError);
    expect((err as Error).message).toMatch(/^channel_refs\.data of conversation [0-9a-f]{12} is not valid JSON/);
    expect((err as Error).message).not.toContain('secret');
  });

  it('names the table and row when a stored record is not JSON, without the conversation id', async () => {
    const s = store();
    await s.commitTurn(commit('m1'));
    inspect().prepare("UPDATE conversations SET data = '{not json' WHERE key = 'web:c1'").run();

    const err = await s.getConversation('web:c1').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StoreDataError);
    expect(err).toMatchObject({ table: 'conversations', column: 'data' });
    expect((err as Error).message).toMatch(/^conversations\.data of conversation [0-9a-f]{12} is not valid JSON/);
    expect((err as Error).message).not.toContain('web:c1');
  });

  it('names the outbox row when a stored reply is not JSON', async () => {
    const s = store();
    const result = await s.commitTurn(commit('m1', [{ text: 'hi' }]));
    const seq = result.ok ? result.outbox[0]!.seq : -1;
    inspect().prepare("UPDATE outbox SET message = 'oops' WHERE seq = ?").run(seq);

    await expect(s.pendingOutbox(10)).rejects.toThrow(`outbox.message of seq ${seq} is not valid JSON`);
    await expect(s.repliesTo('web:c1', 'm1')).rejects.toBeInstanceOf(StoreDataError);
  });

  it('names the submission row when stored data is not JSON', async () => {
    const s = store();
    await s.commitTurn({ ...commit('m1'), submissions: [{ kind: 'rfl', data: {} }] });
    inspect().prepare("UPDATE submissions SET data = 'oops'").run();
    const id = inspect().prepare('SELECT id FROM submissions').pluck().get() as number;

    const read = s.listSubmissions({ kind: 'rfl' }, 10);
    await expect(read).rejects.toThrow(`submissions.data of id ${id} is not valid JSON`);
  });
});

describe('migrate', () => {
  const counting = (log: string[]): Migration[] => [
    { name: 'one', up: (db) => (log.push('one'), db.exec('CREATE TABLE one (x)')) },
    { name: 'two', up: (db) => (log.push('two'), db.exec('CREATE TABLE two (x)')) },
  ];
  let db: Database.Database;

  beforeEach(() => {
    db = new Database(':memory:');
  });

  afterEach(() => db.close());

  it('runs each step once, and on a later release only the steps appended since', () => {
    const log: string[] = [];
    const [one, two] = counting(log);

    expect(migrate(db, [one!])).toEqual({ from: 0, to: 1 });
    expect(migrate(db, [one!])).toEqual({ from: 1, to: 1 });
    expect(migrate(db, [one!, two!])).toEqual({ from: 1, to: 2 });

    expect(log).toEqual(['one', 'two']);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
  });

  it('leaves the schema as it was when a step fails', () => {
    const log: string[] = [];
    const broken: Migration = { name: 'broken', up: (d) => d.exec('CREATE TABLE one (y)') };

    expect(() => migrate(db, [...counting(log), broken])).toThrow(/migration 3 \(broken\) failed/);

    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
  });
});

function commit(messageId: string, outbox: unknown[] = []) {
  return {
    conversationKey: 'web:c1',
    channel: 'web',
    userId: 'u1',
    expectedRev: 0,
    record: { step: 1 },
    messageId,
    outbox,
    now: 1_700_000_000_000,
  };
}
