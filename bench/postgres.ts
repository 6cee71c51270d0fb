import { Client, Pool } from 'pg';

/** The server the benchmark may use; it creates and drops its own databases there. */
export const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Probe = { ok: true } | { ok: false; reason: string };

/** Whether PostgreSQL answers, within a few seconds. */
export async function probePostgres(url = ADMIN_URL): Promise<Probe> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: `PostgreSQL at ${new URL(url).host} is not reachable (${(err as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TempDatabase {
  url: string;
  pool(max?: number): Pool;
  drop(): Promise<void>;
}

let created = 0;

/** A fresh database on the same server, dropped (with any connection left) by `drop`. */
export async function tempDatabase(prefix: string, url = ADMIN_URL): Promise<TempDatabase> {
  const name = `${prefix}_${process.pid}_${++created}`;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    pool(max = 10) {
      const pool = new Pool({ connectionString: target.toString(), max });
      // An idle connection cut by the server (the database dropped at the end) is not the run's failure.
      pool.on('error', () => undefined);
      return pool;
    },
    async drop() {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
