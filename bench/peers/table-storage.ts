import Database from 'better-sqlite3';
import type { Pool } from 'pg';

/** Where the hand-written table keeps each conversation's row, as JSON text. */
export interface TableStorage {
  load(key: string): Promise<string | undefined>;
  /** One commit per call. */
  save(key: string, data: string): Promise<void>;
  close(): Promise<void>;
}

export class MemoryTableStorage implements TableStorage {
  private readonly rows = new Map<string, string>();

  async load(key: string): Promise<string | undefined> {
    return this.rows.get(key);
  }

  async save(key: string, data: string): Promise<void> {
    this.rows.set(key, data);
  }

  async close(): Promise<void> {
    this.rows.clear();
  }
}

/** The same settings as the bot's SqliteStore (WAL, synchronous NORMAL) and prepared statements. */
export class SqliteTableStorage implements TableStorage {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string], { data: string }>;
  private readonly upsert: Database.Statement<[string, string]>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, data TEXT NOT NULL)');
    this.select = this.db.prepare('SELECT data FROM state WHERE key = ?');
    this.upsert = this.db.prepare('INSERT INTO state (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data');
  }

  async load(key: string): Promise<string | undefined> {
    return this.select.get(key)?.data;
  }

  async save(key: string, data: string): Promise<void> {
    // One statement outside a transaction: SQLite commits it on its own.
    this.upsert.run(key, data);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** A table in the benchmark's own PostgreSQL database; each save is its own commit. */
export class PostgresTableStorage implements TableStorage {
  constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<PostgresTableStorage> {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_table_state (key TEXT PRIMARY KEY, data TEXT NOT NULL)');
    await pool.query('TRUNCATE bench_table_state');
    return new PostgresTableStorage(pool);
  }

  async load(key: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ data: string }>({
      name: 'bench-table-load',
      text: 'SELECT data FROM bench_table_state WHERE key = $1',
      values: [key],
    });
    return rows[0]?.data;
  }

  async save(key: string, data: string): Promise<void> {
    await this.pool.query({
      name: 'bench-table-save',
      text: 'INSERT INTO bench_table_state (key, data) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET data = excluded.data',
      values: [key, data],
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
