import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { AesGcmCipher } from '../../src/handoff/cipher';
import type { Case } from '../../src/handoff/types';
import { migratePostgres } from '../../src/store/postgres/migrate';
import { openPostgres, type PostgresDatabase } from '../../src/store/postgres/pool';
import { PostgresHandoffStore } from '../../src/store/postgres/postgres-handoff-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import type { TurnCommit } from '../../src/store/store';
import { POSTGRES_URL, describeWithPostgres, tempSchema, type TempSchema } from '../support/postgres';

/** What the contract suites cannot show: several pools (instances) at once, failures inside the database, lost connections. */
describeWithPostgres('PostgresStore and PostgresHandoffStore on a real database', () => {
  let temp: TempSchema;
  const stores: PostgresStore[] = [];
  const clients: Client[] = [];

  /** One instance's store: a pool of its own on the shared schema. */
  const instance = async (poolSize = 5): Promise<{ db: PostgresDatabase; store: PostgresStore }> => {
    const db = temp.open({ poolSize });
    await migratePostgres(db);
    const store = new PostgresStore(db);
    stores.push(store);
    return { db, store };
  };

  const connect = async (): Promise<Client> => {
    const client = await temp.connect();
    clients.push(client);
    return client;
  };

  beforeEach(() => {
    temp = tempSchema();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
    for (const s of stores.splice(0)) await s.close();
    await temp.drop();
  });

  describe('several instances on one schema', () => {
    it('let exactly one of many commits on the same rev win, whichever instance they come through', async () => {
      const a = await instance();
      const b = await instance();
      await a.store.commitTurn(turn('m0'));

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).store.commitTurn(turn(`m${i + 1}`, { expectedRev: 1, record: { from: i }, outbox: [{ from: i }] })),
        ),
      );

      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'conflict')).toBe(true);
      expect((await b.store.getConversation('web:c1'))?.rev).toBe(2);
      expect(await a.store.outboxSince('web:c1', 0, 100)).toHaveLength(1);
    });

    it('let one instance take a reply to deliver, never two', async () => {
      const a = await instance();
      const b = await instance();
      const committed = await a.store.commitTurn(turn('m1', { outbox: [{ n: 1 }] }));
      const seq = committed.ok ? committed.outbox[0]!.seq : -1;

      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).store.claimOutbox(seq, { owner: `w${i}`, now: T0, until: T0 + 30_000 })),
      );

      expect(claims.filter((c) => c !== null)).toHaveLength(1);
    });

    it('let one caseworker claim a case, never two', async () => {
      const cipher = new AesGcmCipher(randomBytes(32));
      const a = new PostgresHandoffStore((await instance()).db, cipher);
      const b = new PostgresHandoffStore((await instance()).db, cipher);
      await a.openCase(aCase(), 'm1');

      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).updateCase('case-1', { status: 'assigned', assignedTo: `u-${i}` }, { status: 'waiting', assignedTo: null }),
        ),
      );

      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    it('open one case when a retried turn races the first on another instance', async () => {
      const cipher = new AesGcmCipher(randomBytes(32));
      const a = new PostgresHandoffStore((await instance()).db, cipher);
      const b = new PostgresHandoffStore((await instance()).db, cipher);

      const opened = await Promise.all([a.openCase(aCase({ id: 'first' }), 'm1'), b.openCase(aCase({ id: 'retry' }), 'm1')]);

      expect(opened.map((o) => o.created).sort()).toEqual([false, true]);
      expect(new Set(opened.map((o) => o.case.id)).size).toBe(1);
    });
  });

  describe('a write that fails inside the database', () => {
    it('rolls back the whole turn: record, mark, replies and submissions', async () => {
      const { store } = await instance();
      await temp.sql(`ALTER TABLE outbox ADD CONSTRAINT refuse_boom CHECK (message <> '"boom"')`);

      await expect(store.commitTurn(turn('m1', { outbox: ['fine', 'boom'], submissions: [{ kind: 'rfl', data: {} }] }))).rejects.toThrow(
        /refuse_boom/,
      );

      expect(await store.getConversation('web:c1')).toBeNull();
      expect(await store.isProcessed('web:c1', 'm1')).toBe(false);
      expect(await temp.sql('SELECT * FROM outbox')).toEqual([]);
      expect(await temp.sql('SELECT * FROM submissions')).toEqual([]);
      expect((await store.commitTurn(turn('m2', { outbox: ['fine'] }))).ok).toBe(true);
    });

    it('undoes a turn whose message its conversation marked while it ran, and calls it a duplicate', async () => {
      const { store } = await instance();
      await store.commitTurn(turn('m0'));
      // A mark for the same conversation and message id, written outside the commit function and not committed:
      // it does not take the conversation's row, so only the mark's key stands in the turn's way.
      const racer = await connect();
      await racer.query('BEGIN');
      await racer.query(`INSERT INTO processed (conversation_key, message_id, created_at) VALUES ('web:c1', 'm1', 1)`);

      // Past the duplicate check (the racer's mark is not committed), the record written, then it waits on the mark.
      const committing = store.commitTurn(turn('m1', { expectedRev: 1, record: { step: 2 }, outbox: ['reply'], submissions: [{ kind: 'rfl', data: {} }] }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await racer.query('COMMIT');

      expect(await committing).toEqual({ ok: false, reason: 'duplicate' });
      expect(await store.getConversation('web:c1')).toEqual({ data: { step: 1 }, rev: 1 });
      expect(await temp.sql(`SELECT conversation_key FROM outbox`)).toEqual([]);
      expect(await temp.sql('SELECT * FROM submissions')).toEqual([]);
    });

    it('calls a turn that waited behind a commit of its own message a duplicate, and behind another message a conflict', async () => {
      const { store } = await instance();
      await store.commitTurn(turn('m0'));

      for (const [id, marked, outcome] of [
        ['m1', 'm1', 'duplicate'],
        ['m2', 'm9', 'conflict'],
      ] as const) {
        // Another commit under way: the conversation's row moved and a mark written, neither committed yet.
        const racer = await connect();
        await racer.query('BEGIN');
        await racer.query(`UPDATE conversations SET rev = rev + 1 WHERE key = 'web:c1'`);
        await racer.query(`INSERT INTO processed (conversation_key, message_id, created_at) VALUES ('web:c1', $1, 1)`, [marked]);
        const rev = (await store.getConversation('web:c1'))!.rev;

        // Waits for the racer's row, then finds the rev moved.
        const committing = store.commitTurn(turn(id, { expectedRev: rev, outbox: ['reply'] }));
        await new Promise((resolve) => setTimeout(resolve, 200));
        await racer.query('COMMIT');

        expect(await committing).toEqual({ ok: false, reason: outcome });
      }
      expect(await temp.sql(`SELECT message_id FROM processed ORDER BY message_id`)).toEqual([
        { message_id: 'm0' },
        { message_id: 'm1' },
        { message_id: 'm9' },
      ]);
      expect(await temp.sql(`SELECT conversation_key FROM outbox`)).toEqual([]);
    });

    it('erases a person all or nothing', async () => {
      const { store } = await instance();
      await store.commitTurn(turn('m1', { outbox: ['reply'], submissions: [{ kind: 'rfl', data: {} }] }));
      await store.saveReference('web:c1', 'web', 'u1', { v: 1 }, 1);
      // The conversations go last, after everything that hangs on them.
      await refuseDeletes(temp, 'conversations');

      await expect(store.deleteUser('web', 'u1')).rejects.toThrow(/delete refused/);

      expect(await store.isProcessed('web:c1', 'm1')).toBe(true);
      expect(await store.repliesTo('web:c1', 'm1')).toHaveLength(1);
      expect(await store.listSubmissions({}, 10)).toHaveLength(1);
      expect(await store.getReference('web:c1')).toEqual({ v: 1 });
    });

    it('erases a person’s cases all or nothing', async () => {
      const { db } = await instance();
      const handoff = new PostgresHandoffStore(db, new AesGcmCipher(randomBytes(32)));
      await handoff.openCase(aCase({ tracing: { seeking: ['Dara'] } }), 'm1');
      await handoff.addMessage({
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
      await handoff.addNote({ caseId: 'case-1', userId: 'u-ana', text: 'note', createdAt: 1 });
      // A child of the case refuses: the cascade fails, and so does the whole erasure.
      await refuseDeletes(temp, 'case_notes');

      await expect(handoff.deleteUserCases('web', 'u1')).rejects.toThrow(/delete refused/);

      expect((await handoff.getCase('case-1'))?.tracing).toEqual({ seeking: ['Dara'] });
      expect(await handoff.listMessages('case-1')).toHaveLength(1);
      expect(await handoff.listNotes('case-1')).toHaveLength(1);
    });
  });

  describe('a lost connection', () => {
    it('fails the turn it cut, writes none of it, and the next turn gets a working connection', async () => {
      // One connection only: the broken one must not go back into the pool.
      const { store } = await instance(1);
      await store.commitTurn(turn('m1'));
      const blocker = await connect();
      await blocker.query('BEGIN');
      await blocker.query("SELECT 1 FROM conversations WHERE key = 'web:c1' FOR UPDATE");
      const blockerPid = (await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

      const cut = store.commitTurn(turn('m2', { expectedRev: 1, outbox: ['lost'] })).then(
        () => 'committed',
        (err: unknown) => err,
      );
      const waiting = await eventually(async () => {
        const rows = await temp.sql<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [
          blockerPid,
        ]);
        return rows[0]?.pid;
      });
      await temp.sql('SELECT pg_terminate_backend($1)', [waiting]);

      const outcome = await cut;
      expect(outcome).toBeInstanceOf(Error);
      await blocker.query('ROLLBACK');
      expect(await store.getConversation('web:c1')).toEqual({ data: { step: 1 }, rev: 1 });
      expect(await store.isProcessed('web:c1', 'm2')).toBe(false);
      expect(await store.commitTurn(turn('m2', { expectedRev: 1 }))).toMatchObject({ ok: true, rev: 2 });
    });

    it('rejects, rather than hang or pretend, while the database cannot be reached', async () => {
      const store = new PostgresStore(openPostgres({ url: 'postgres://postgres@127.0.0.1:1/test', poolSize: 1 }));
      stores.push(store);

      await expect(store.commitTurn(turn('m1'))).rejects.toThrow(/ECONNREFUSED/);
      await expect(store.getConversation('web:c1')).rejects.toThrow(/ECONNREFUSED/);
      await expect(store.ping()).rejects.toThrow(/ECONNREFUSED/);
    });

    it('tells the owner about an idle connection that broke, instead of crashing the process', async () => {
      const broken: Error[] = [];
      const db = openPostgres({ url: POSTGRES_URL, schema: temp.schema, poolSize: 1, onIdleError: (err) => broken.push(err) });
      stores.push(new PostgresStore(db));
      const pid = (await db.pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

      await temp.sql('SELECT pg_terminate_backend($1)', [pid]);

      await eventually(async () => broken.length > 0 || undefined);
      expect((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });
  });

  describe('values PostgreSQL cannot keep as they are', () => {
    it('refuses ids with U+0000 or a lone surrogate, naming neither, and writes nothing', async () => {
      const { store } = await instance();

      for (const conversationKey of ['web:a\u0000b', 'web:\ud83d']) {
        const refused = await store.commitTurn(turn('m1', { conversationKey })).then(
          () => null,
          (err: unknown) => err as Error,
        );
        expect(refused).toBeInstanceOf(TypeError);
        expect(refused?.message).toMatch(/U\+0000 or a lone surrogate/);
        expect(refused?.message).not.toContain('web:');
      }
      await expect(store.getConversation('web:\ud800')).rejects.toThrow(TypeError);
      expect(await temp.sql('SELECT * FROM conversations')).toEqual([]);
    });

    it('keeps such characters inside JSON values, where they are escaped', async () => {
      const { store } = await instance();
      const record = { text: 'a\u0000b \ud83d' };

      await store.commitTurn(turn('m1', { record, outbox: [record] }));

      expect(await store.getConversation('web:c1')).toEqual({ data: record, rev: 1 });
      expect((await store.repliesTo('web:c1', 'm1'))?.[0]?.message).toEqual(record);
    });

    it('fails loudly on a bigint past what a JavaScript number holds exactly', async () => {
      const { db } = await instance();

      await expect(db.pool.query('SELECT 9007199254740993::bigint AS n')).rejects.toThrow(/does not fit a JavaScript number/);
      expect((await db.pool.query<{ n: number }>('SELECT 9007199254740991::bigint AS n')).rows[0]?.n).toBe(Number.MAX_SAFE_INTEGER);
    });
  });
});

const T0 = 1_700_000_000_000;

function turn(messageId: string, over: Partial<TurnCommit> = {}): TurnCommit {
  return {
    conversationKey: 'web:c1',
    channel: 'web',
    userId: 'u1',
    expectedRev: 0,
    record: { step: 1 },
    messageId,
    outbox: [],
    now: T0,
    ...over,
  };
}

/** Makes every delete from `table` fail inside the database, as a failing disk or a bug in a trigger would. */
async function refuseDeletes(temp: TempSchema, table: string): Promise<void> {
  await temp.sql(`CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'delete refused'; END $$`);
  await temp.sql(`CREATE TRIGGER refuse_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_delete()`);
}

/** Polls until `probe` gives a value (at most 5 s). */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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
