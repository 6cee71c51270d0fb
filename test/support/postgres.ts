import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { describeIfAvailable } from './needs';
import { openPostgres, type PostgresDatabase, type PostgresOptions } from '../../src/store/postgres/pool';

/** The database the tests use: CI's (and this machine's) PostgreSQL unless TEST_POSTGRES_URL names another. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether PostgreSQL answers. Jest collects tests synchronously, so the check runs in a short child process. */
function postgresProbe(): { ok: boolean; reason: string } {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const { Client } = require('pg');
       const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
       c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(
         () => process.exit(0),
         (err) => { process.stderr.write(err.message); process.exit(1); });`,
      POSTGRES_URL,
    ],
    { cwd: join(__dirname, '..', '..'), encoding: 'utf8', timeout: 10_000 },
  );
  return { ok: probe.status === 0, reason: (probe.stderr || probe.error?.message || 'no answer').trim() };
}

let probed: { ok: boolean; reason: string } | undefined;

/** A describe block that needs a real PostgreSQL: see describeIfAvailable. */
export function describeWithPostgres(name: string, fn: () => void): void {
  probed ??= postgresProbe();
  describeIfAvailable(
    probed.ok,
    `PostgreSQL at ${POSTGRES_URL} is not reachable (${probed.reason})`,
    'Start PostgreSQL, or set TEST_POSTGRES_URL.',
    name,
    fn,
  );
}

/**
 * A schema of its own for one test, so suites running in parallel never see
 * each other's rows; `drop` removes it with everything in it.
 */
export interface TempSchema {
  schema: string;
  /** A new pool on the schema (not migrated: migratePostgres does that). */
  open(options?: Omit<PostgresOptions, 'url' | 'schema'>): PostgresDatabase;
  /** Runs one statement on a connection of its own, outside any store, e.g. to look at raw rows. */
  sql<R extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** A connection of its own on the schema, for a test that holds a transaction open; the caller ends it. */
  connect(): Promise<Client>;
  drop(): Promise<void>;
}

export function tempSchema(): TempSchema {
  const schema = `vv_test_${randomBytes(6).toString('hex')}`;
  const connect = async (): Promise<Client> => {
    const client = new Client({ connectionString: POSTGRES_URL, options: `-c search_path=${schema}` });
    await client.connect();
    return client;
  };
  const sql = async <R extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> => {
    const client = await connect();
    try {
      return (await client.query<R>(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  return {
    schema,
    open: (options = {}) => openPostgres({ url: POSTGRES_URL, schema, poolSize: 5, ...options }),
    sql,
    connect,
    drop: async () => {
      await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

/**
 * Every row of every table in the schema, as PostgreSQL writes rows out as
 * text: what an operator, a dump or a stolen backup would see.
 */
export async function schemaRows(temp: TempSchema): Promise<Buffer> {
  const tables = await temp.sql<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [temp.schema],
  );
  const parts: string[] = [];
  for (const { table_name: table } of tables) {
    const rows = await temp.sql<{ row: string }>(`SELECT t::text AS row FROM ${temp.schema}."${table}" t`);
    parts.push(...rows.map((r) => r.row));
  }
  return Buffer.from(parts.join('\n'), 'utf8');
}
