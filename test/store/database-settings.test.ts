import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, postgresUrl, sqlitePath } from '../../src/config/env';
import { MIGRATIONS } from '../../src/store/sqlite-schema';
import { SCRIPT_RUN_MS, runScript } from '../support/run-script';

const problems = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('DATABASE_URL, DATABASE_SCHEMA and DATABASE_POOL_SIZE', () => {
  it('take a PostgreSQL URL, and then no SQLite file', () => {
    for (const url of ['postgres://vv:secret@db.internal:5432/vv', 'postgresql://db/vv?sslmode=require', 'POSTGRES://db/vv']) {
      const config = loadConfig({ DATABASE_URL: url });
      expect(postgresUrl(config)).toBe(url);
      expect(sqlitePath(config)).toBeNull();
    }
  });

  it('keep SQLite paths and memory: as they were', () => {
    expect(sqlitePath(loadConfig({}))).toBe('./data/virtual-volunteer.sqlite');
    expect(sqlitePath(loadConfig({ DATABASE_URL: 'sqlite:/var/lib/vv.db' }))).toBe('/var/lib/vv.db');
    expect(sqlitePath(loadConfig({ DATABASE_URL: 'file:///var/lib/vv.db' }))).toBe('/var/lib/vv.db');
    expect(sqlitePath(loadConfig({ DATABASE_URL: 'memory:' }))).toBeNull();
    for (const url of ['./data/x.sqlite', 'memory:', 'sqlite:x.db']) expect(postgresUrl(loadConfig({ DATABASE_URL: url }))).toBeNull();
  });

  it('refuse any other URL, naming the variable and what it takes', () => {
    expect(problems({ DATABASE_URL: 'mysql://db/vv' })).toEqual([
      'DATABASE_URL: must be a SQLite file path, sqlite:<path>, memory: or a postgres:// (postgresql://) URL',
    ]);
    expect(problems({ DATABASE_URL: 'redis://127.0.0.1:6379' })).toHaveLength(1);
  });

  it('default to the public schema and ten connections, and refuse a schema or size out of range', () => {
    expect(loadConfig({})).toMatchObject({ DATABASE_SCHEMA: 'public', DATABASE_POOL_SIZE: 10 });
    expect(loadConfig({ DATABASE_SCHEMA: 'vv_bot_2', DATABASE_POOL_SIZE: '40' })).toMatchObject({
      DATABASE_SCHEMA: 'vv_bot_2',
      DATABASE_POOL_SIZE: 40,
    });
    for (const schema of ['Public', 'vv-bot', 'a b', '9lives', 'x'.repeat(64)]) {
      expect(problems({ DATABASE_SCHEMA: schema })).toEqual([
        "DATABASE_SCHEMA: must be a lowercase PostgreSQL schema name: letters, digits and '_'",
      ]);
    }
    for (const size of ['0', '201', 'many', '2.5']) expect(problems({ DATABASE_POOL_SIZE: size })[0]).toMatch(/^DATABASE_POOL_SIZE: /);
  });
});

describe('npm run migrate without PostgreSQL', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vv-migrate-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('brings a SQLite file up to date, creating it, and says what it applied; then that nothing is left', async () => {
    const file = join(dir, 'data', 'bot.sqlite');

    const first = await runScript('scripts/migrate.ts', { env: { DATABASE_URL: file } });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`migrate: SQLite file ${file} was at version 0; applied:`);
    MIGRATIONS.forEach((m, i) => expect(first.stdout).toContain(`  ${i + 1}. ${m.name}`));

    const again = await runScript('scripts/migrate.ts', { env: { DATABASE_URL: file } });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`is up to date (version ${MIGRATIONS.length}); nothing applied.`);
  }, 3 * SCRIPT_RUN_MS);

  it('refuses memory: and a bad setting with exit code 2', async () => {
    const memory = await runScript('scripts/migrate.ts', { env: { DATABASE_URL: 'memory:' } });
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('DATABASE_URL is memory:, which has no schema to migrate');

    const bad = await runScript('scripts/migrate.ts', { env: { DATABASE_URL: 'postgres://db/vv', DATABASE_SCHEMA: 'No-Good' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('DATABASE_SCHEMA: must be a lowercase PostgreSQL schema name');
  }, 3 * SCRIPT_RUN_MS);
});
