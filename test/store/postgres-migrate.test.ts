import { migratePostgres } from '../../src/store/postgres/migrate';
import { MIGRATIONS, type PostgresMigration } from '../../src/store/postgres/migrations';
import { openPostgres, type PostgresDatabase } from '../../src/store/postgres/pool';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { SCRIPT_RUN_MS, runScript } from '../support/run-script';
import { POSTGRES_URL, describeWithPostgres, tempSchema, type TempSchema } from '../support/postgres';

const TABLES = [
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
  'schema_migrations',
  'staff_sessions',
  'staff_users',
  'submissions',
];

describeWithPostgres('PostgreSQL migrations', () => {
  let temp: TempSchema;
  const pools: PostgresDatabase[] = [];
  const open = (): PostgresDatabase => {
    const db = temp.open();
    pools.push(db);
    return db;
  };
  const tables = async (): Promise<string[]> =>
    (
      await temp.sql<{ table_name: string }>(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
        [temp.schema],
      )
    ).map((r) => r.table_name);
  const recorded = async () =>
    temp.sql<{ version: number; name: string }>(`SELECT version, name FROM ${temp.schema}.schema_migrations ORDER BY version`);

  beforeEach(() => {
    temp = tempSchema();
  });

  afterEach(async () => {
    for (const db of pools.splice(0)) await db.pool.end();
    await temp.drop();
  });

  it('builds a fresh schema, creating it, and records every step', async () => {
    const report = await migratePostgres(open());

    expect(report).toEqual({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map(({ version, name }) => ({ version, name })) });
    expect(await tables()).toEqual(TABLES);
    expect(await recorded()).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it('does nothing when run again, from this pool or another', async () => {
    await migratePostgres(open());

    expect(await migratePostgres(open())).toEqual({ from: MIGRATIONS.length, to: MIGRATIONS.length, applied: [] });
    expect(await recorded()).toHaveLength(MIGRATIONS.length);
  });

  it('lets instances that start together apply each step exactly once', async () => {
    const reports = await Promise.all(Array.from({ length: 4 }, () => migratePostgres(open())));

    expect(reports.map((r) => r.applied.length).sort()).toEqual([0, 0, 0, MIGRATIONS.length]);
    expect(reports.every((r) => r.to === MIGRATIONS.length)).toBe(true);
    expect(await recorded()).toHaveLength(MIGRATIONS.length);
  });

  it('applies only the steps appended since the last run, keeping the data', async () => {
    const db = open();
    expect(await migratePostgres(db, MIGRATIONS.slice(0, 1))).toMatchObject({ from: 0, to: 1 });
    // Written as a build at version 1 wrote a turn (later builds commit through a function of a later step).
    const t = temp.schema;
    await temp.sql(`INSERT INTO ${t}.conversations (key, channel, user_id, data, rev, updated_at) VALUES ('web:c1', 'web', 'u1', '{"step":1}', 1, 1)`);
    await temp.sql(`INSERT INTO ${t}.processed (channel, message_id, conversation_key, created_at) VALUES ('web', 'm1', 'web:c1', 1)`);
    await temp.sql(
      `INSERT INTO ${t}.outbox (conversation_key, channel, message_id, message, created_at, next_attempt_at)
       VALUES ('web:c1', 'web', 'm1', '{"text":"hi"}', 1, 1)`,
    );
    const store = new PostgresStore(db);

    const report = await migratePostgres(db);

    expect(report.from).toBe(1);
    expect(report.applied.map((m) => m.version)).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(await store.getConversation('web:c1')).toEqual({ data: { step: 1 }, rev: 1 });
    expect((await store.repliesTo('web:c1', 'm1'))?.map((e) => e.message)).toEqual([{ text: 'hi' }]);
  });

  it('keeps the processed marks when they move to the per-conversation layout: a resend is still a duplicate', async () => {
    const db = open();
    const step = MIGRATIONS.find((m) => m.name === 'processed marks kept per conversation')!.version;
    await migratePostgres(db, MIGRATIONS.slice(0, step - 1));
    const store = new PostgresStore(db);
    const commit = (conversationKey: string, messageId: string, expectedRev = 0) => {
      const [channel = ''] = conversationKey.split(':');
      return { conversationKey, channel, userId: 'u1', expectedRev, record: { step: 1 }, messageId, outbox: [{ text: 'hi' }], now: 1 };
    };
    // Through the commit function of the step before, called as the code of its day called it (twelve
    // arguments), into marks keyed by channel and message id.
    const committedBefore = async (conversationKey: string, messageId: string) => {
      const [channel = ''] = conversationKey.split(':');
      const rows = await temp.sql<{ r_outcome: string }>(
        'SELECT r_outcome FROM vv_commit_turn($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
        [conversationKey, channel, 'u1', 0, JSON.stringify({ step: 1 }), messageId, 1, [JSON.stringify({ text: 'hi' })], [], [], null, null],
      );
      return rows[0]?.r_outcome;
    };
    expect(await committedBefore('web:c1', 'm1')).toBe('ok');
    expect(await committedBefore('telegram:9', 'u7')).toBe('ok');

    expect((await migratePostgres(db)).applied.map((m) => m.version)).toEqual(MIGRATIONS.slice(step - 1).map((m) => m.version));

    const t = temp.schema;
    expect(await temp.sql(`SELECT conversation_key, message_id FROM ${t}.processed ORDER BY conversation_key`)).toEqual([
      { conversation_key: 'telegram:9', message_id: 'u7' },
      { conversation_key: 'web:c1', message_id: 'm1' },
    ]);
    expect(await temp.sql(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'processed'`, [t])).toEqual([
      { indexname: 'processed_pkey' },
    ]);
    expect(await temp.sql(`SELECT conname FROM pg_constraint WHERE conrelid = '${t}.processed'::regclass ORDER BY conname`)).toEqual([
      { conname: 'processed_conversation_key_fkey' },
      { conname: 'processed_pkey' },
    ]);
    expect(await store.isProcessed('web:c1', 'm1')).toBe(true);
    expect(await store.isProcessed('telegram:9', 'u7')).toBe(true);
    expect((await store.repliesTo('web:c1', 'm1'))?.map((e) => e.message)).toEqual([{ text: 'hi' }]);
    expect(await store.commitTurn(commit('web:c1', 'm1', 1))).toEqual({ ok: false, reason: 'duplicate' });
    expect(await store.commitTurn(commit('web:c2', 'm1'))).toMatchObject({ ok: true, rev: 1 });
    // An instance still running the older code commits as before: step 8 added an overload, and kept this one.
    expect(await committedBefore('web:c3', 'm1')).toBe('ok');
    expect(await store.repliesTo('web:c3', 'm1')).toMatchObject([{ message: { text: 'hi' }, deliveredAt: null }]);
  });

  it('refuses a schema written by a newer build, and changes nothing', async () => {
    await migratePostgres(open());
    const newer = MIGRATIONS.length + 1;
    await temp.sql(`INSERT INTO ${temp.schema}.schema_migrations (version, name, checksum) VALUES ($1, 'from the future', 'x')`, [
      newer,
    ]);

    await expect(migratePostgres(open())).rejects.toThrow(
      new RegExp(`at version ${newer}, newer than this build knows \\(${MIGRATIONS.length}\\)`),
    );
    expect(await recorded()).toHaveLength(newer);
  });

  it('refuses a released step that was changed afterwards', async () => {
    await migratePostgres(open());
    const edited: PostgresMigration[] = MIGRATIONS.map((m, i) => (i === 0 ? { ...m, sql: `${m.sql} SELECT 1;` } : m));

    await expect(migratePostgres(open(), edited)).rejects.toThrow(/migration 1 .* differs from this build's/);
  });

  it('leaves the database as it was when a step fails: no schema, no table, no record', async () => {
    const broken: PostgresMigration = { version: 2, name: 'broken', sql: 'CREATE TABLE conversations (x int);' };

    await expect(migratePostgres(open(), [MIGRATIONS[0]!, broken])).rejects.toThrow(/migration 2 \(broken\) failed: .*already exists/);

    const schemas = await temp.sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [temp.schema]);
    expect(schemas).toEqual([]);
  });

  it('refuses a list whose versions are not 1, 2, 3… in order', async () => {
    const skipped: PostgresMigration[] = [MIGRATIONS[0]!, { ...MIGRATIONS[1]!, version: 3 }];

    await expect(migratePostgres(open(), skipped)).rejects.toThrow(/has version 3, expected 2/);
  });

  it('refuses to build the tables elsewhere when DATABASE_URL sets its own search_path', async () => {
    const db = openPostgres({ url: `${POSTGRES_URL}?options=-c%20search_path%3Dpublic`, schema: temp.schema, poolSize: 1 });
    pools.push(db);

    await expect(migratePostgres(db)).rejects.toThrow(/the connection's schema is public, not vv_test_.*set DATABASE_SCHEMA/);
    expect(await temp.sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [temp.schema])).toEqual([]);
  });

  it('refuses a schema name that could not be written into SQL as it is', () => {
    for (const schema of ['Public', 'a-b', 'x; DROP TABLE conversations', '1abc', '']) {
      expect(() => openPostgres({ url: POSTGRES_URL, schema })).toThrow(/schema name .* must match/);
    }
  });

  describe('npm run migrate', () => {
    const migrate = (env: Record<string, string>) => runScript('scripts/migrate.ts', { env });

    it('applies the steps to DATABASE_URL and says which, then says there is nothing to do', async () => {
      const env = { DATABASE_URL: POSTGRES_URL, DATABASE_SCHEMA: temp.schema };

      const first = await migrate(env);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`schema ${temp.schema} of postgres://postgres@127.0.0.1:5432/test was at version 0; applied:`);
      for (const m of MIGRATIONS) expect(first.stdout).toContain(`  ${m.version}. ${m.name}`);
      expect(first.stdout).toContain(`now at version ${MIGRATIONS.length}.`);

      const again = await migrate(env);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`is up to date (version ${MIGRATIONS.length}); nothing applied.`);
      expect(await tables()).toEqual(TABLES);
    }, 3 * SCRIPT_RUN_MS);

    it('fails with exit code 1, naming the reason and not the password, when the database cannot be reached', async () => {
      const run = await migrate({ DATABASE_URL: 'postgres://someone:s3cret@127.0.0.1:1/test', DATABASE_SCHEMA: temp.schema });

      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/migrate: failed, nothing was changed: .*ECONNREFUSED/);
      expect(run.stdout + run.stderr).not.toContain('s3cret');
    }, 2 * SCRIPT_RUN_MS);
  });
});
