import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { MIGRATIONS, type PostgresMigration } from './migrations';
import { SCHEMA_NAME, inTransaction, type PostgresDatabase } from './pool';

export interface MigrationReport {
  /** The version the schema was at, 0 for an empty one. */
  from: number;
  to: number;
  /** The steps this run applied, in order; none when the schema was up to date. */
  applied: { version: number; name: string }[];
}

/** What a release recorded for a step, so a step edited after release is caught. */
function checksum(m: PostgresMigration): string {
  return createHash('sha256').update(m.sql).digest('hex').slice(0, 16);
}

function checkList(migrations: readonly PostgresMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
  });
}

/**
 * Brings the schema up to date in one transaction: either every pending step
 * lands or none does. A transaction-level advisory lock per schema makes
 * instances that start together take turns: the second waits, then finds the
 * work done. A schema written by a newer build is refused, not guessed at.
 */
export async function migratePostgres(
  db: PostgresDatabase,
  migrations: readonly PostgresMigration[] = MIGRATIONS,
): Promise<MigrationReport> {
  checkList(migrations);
  return inTransaction(db.pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`virtual-volunteer migrations ${db.schema}`]);
    await ensureSchema(client, db.schema);
    await client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        checksum TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const from = rows.length === 0 ? 0 : rows[rows.length - 1]!.version;
    if (from > migrations.length) {
      throw new Error(
        `database schema ${db.schema} is at version ${from}, newer than this build knows (${migrations.length}); refusing to use it`,
      );
    }
    for (const row of rows) {
      const known = migrations[row.version - 1];
      if (known === undefined || checksum(known) !== row.checksum) {
        throw new Error(
          `migration ${row.version} (${row.name}) in schema ${db.schema} differs from this build's; ` +
            'a released migration must never change (append a new one instead)',
        );
      }
    }
    const applied: MigrationReport['applied'] = [];
    for (const m of migrations.slice(from)) {
      try {
        await client.query(m.sql);
      } catch (err) {
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
      }
      await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        checksum(m),
      ]);
      applied.push({ version: m.version, name: m.name });
    }
    return { from, to: migrations.length, applied };
  });
}

/**
 * Creates the schema when it is missing (checked first: CREATE SCHEMA needs a
 * privilege that a deployment on an existing schema may not grant), and
 * checks that the connection's search_path really points at it: options in
 * DATABASE_URL would replace the one the pool sets.
 */
async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  // Written into SQL below, so checked here too, not only where the pool was opened.
  if (!SCHEMA_NAME.test(schema)) throw new RangeError(`schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME}`);
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
  const { rows } = await client.query<{ current: string | null }>('SELECT current_schema() AS current');
  if (rows[0]?.current !== schema) {
    throw new Error(
      `the connection's schema is ${rows[0]?.current ?? 'none'}, not ${schema}: remove "options" from DATABASE_URL ` +
        'and set DATABASE_SCHEMA instead',
    );
  }
}
