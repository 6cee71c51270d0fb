import type { Pool } from 'pg';
import type { Storage, StoreItems } from 'botbuilder';

/**
 * A botbuilder Storage over PostgreSQL with MemoryStorage's eTag rules: each
 * write is one statement (an upsert that refuses a stale eTag), so one commit
 * per turn, as ConversationState writes once per turn.
 */
export class PostgresStorage implements Storage {
  private nextEtag = 1;

  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<PostgresStorage> {
    await pool.query('CREATE TABLE IF NOT EXISTS bench_bf_items (key TEXT PRIMARY KEY, data TEXT NOT NULL, etag TEXT NOT NULL)');
    await pool.query('TRUNCATE bench_bf_items');
    return new PostgresStorage(pool);
  }

  async read(keys: string[]): Promise<StoreItems> {
    const { rows } = await this.pool.query<{ key: string; data: string }>({
      name: 'bench-bf-read',
      text: 'SELECT key, data FROM bench_bf_items WHERE key = ANY($1)',
      values: [keys],
    });
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.data) as unknown]));
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, item] of Object.entries(changes) as [string, { eTag?: string }][]) {
      const etag = String(this.nextEtag++);
      const expected = item.eTag && item.eTag !== '*' ? item.eTag : null;
      const { rowCount } = await this.pool.query({
        name: 'bench-bf-write',
        text: `INSERT INTO bench_bf_items (key, data, etag) VALUES ($1, $2, $3)
               ON CONFLICT (key) DO UPDATE SET data = excluded.data, etag = excluded.etag
               WHERE $4::text IS NULL OR bench_bf_items.etag = $4`,
        values: [key, JSON.stringify({ ...item, eTag: etag }), etag, expected],
      });
      if (rowCount === 0) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
    }
  }

  async delete(keys: string[]): Promise<void> {
    await this.pool.query('DELETE FROM bench_bf_items WHERE key = ANY($1)', [keys]);
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
