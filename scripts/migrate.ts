/**
 * Brings the database named by DATABASE_URL up to this build's schema and
 * says what it applied:
 *   npm run migrate
 * The server does the same at start-up; this runs it on its own, e.g. as a
 * release step before new instances start. Safe to run again, and alongside
 * a starting server: PostgreSQL's migrations take an advisory lock.
 * Exit codes: 0 up to date, 1 failed (the schema is left as it was), 2 wrong settings.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig, postgresUrl, sqlitePath, type Config } from '../src/config/env';
import { migratePostgres, type MigrationReport } from '../src/store/postgres/migrate';
import { openPostgres } from '../src/store/postgres/pool';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../src/store/sqlite-schema';
import { SqliteStore } from '../src/store/sqlite';

/** The address without its password, to say which database was migrated. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}

export function reportLines(where: string, report: MigrationReport): string[] {
  if (report.applied.length === 0) return [`migrate: ${where} is up to date (version ${report.to}); nothing applied.`];
  return [
    `migrate: ${where} was at version ${report.from}; applied:`,
    ...report.applied.map((m) => `  ${m.version}. ${m.name}`),
    `migrate: now at version ${report.to}.`,
  ];
}

async function migratePostgresDatabase(config: Config, url: string): Promise<MigrationReport> {
  const db = openPostgres({ url, schema: config.DATABASE_SCHEMA, poolSize: 1 });
  try {
    return await migratePostgres(db);
  } finally {
    await db.pool.end();
  }
}

/** SQLite migrates as the store opens the file; the version before and after tells what ran. */
async function migrateSqliteFile(path: string): Promise<MigrationReport> {
  let from = 0;
  if (existsSync(path)) {
    const peek = new Database(path, { readonly: true, fileMustExist: true });
    try {
      from = peek.pragma('user_version', { simple: true }) as number;
    } finally {
      peek.close();
    }
  }
  const store = new SqliteStore(path);
  const to = store.database.pragma('user_version', { simple: true }) as number;
  await store.close();
  const applied = SQLITE_MIGRATIONS.slice(from, to).map((m, i) => ({ version: from + i + 1, name: m.name }));
  return { from, to, applied };
}

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`migrate: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const url = postgresUrl(config);
  const path = sqlitePath(config);
  if (url === null && path === null) {
    console.error('migrate: DATABASE_URL is memory:, which has no schema to migrate');
    return 2;
  }
  try {
    const lines =
      url !== null
        ? reportLines(`schema ${config.DATABASE_SCHEMA} of ${describeUrl(url)}`, await migratePostgresDatabase(config, url))
        : reportLines(`SQLite file ${path}`, await migrateSqliteFile(path!));
    for (const line of lines) console.log(line);
    return 0;
  } catch (err) {
    console.error(`migrate: failed, nothing was changed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`migrate failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
