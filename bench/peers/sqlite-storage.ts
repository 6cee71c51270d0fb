import Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';

/**
 * A botbuilder Storage over better-sqlite3, written like MemoryStorage (the
 * same eTag rules) with the bot's SQLite settings (WAL, synchronous NORMAL):
 * ConversationState writes once per turn, so one commit per turn.
 */
export class SqliteStorage implements Storage {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string], { data: string; etag: string }>;
  private readonly upsert: Database.Statement<[string, string, string]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly writeAll: Database.Transaction<(changes: StoreItems) => void>;
  private nextEtag = 1;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec('CREATE TABLE IF NOT EXISTS items (key TEXT PRIMARY KEY, data TEXT NOT NULL, etag TEXT NOT NULL)');
    this.select = this.db.prepare('SELECT data, etag FROM items WHERE key = ?');
    this.upsert = this.db.prepare(
      'INSERT INTO items (key, data, etag) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data, etag = excluded.etag',
    );
    this.remove = this.db.prepare('DELETE FROM items WHERE key = ?');
    this.writeAll = this.db.transaction((changes: StoreItems) => {
      for (const [key, item] of Object.entries(changes) as [string, { eTag?: string }][]) {
        const old = this.select.get(key);
        if (old && item.eTag && item.eTag !== '*' && item.eTag !== old.etag) {
          throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        }
        const etag = String(this.nextEtag++);
        this.upsert.run(key, JSON.stringify({ ...item, eTag: etag }), etag);
      }
    });
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const row = this.select.get(key);
      if (row) items[key] = JSON.parse(row.data) as unknown;
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    this.writeAll.immediate(changes);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.remove.run(key);
  }

  close(): void {
    this.db.close();
  }
}
