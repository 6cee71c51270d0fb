import type { Database } from 'better-sqlite3';

export interface Migration {
  /** Shown in errors, so a failed upgrade names the step. */
  readonly name: string;
  readonly up: (db: Database) => void;
}

/**
 * The schema, as the ordered steps that build it. `PRAGMA user_version` holds
 * how many have run. Steps are only ever appended: a released step never
 * changes, because databases in the field already ran it.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'conversations, processed marks and outbox',
    up: (db) =>
      db.exec(`
        CREATE TABLE conversations (
          key TEXT PRIMARY KEY,
          channel TEXT NOT NULL,
          user_id TEXT NOT NULL,
          data TEXT NOT NULL,
          rev INTEGER NOT NULL CHECK (rev > 0),
          updated_at INTEGER NOT NULL
        );
        CREATE INDEX conversations_by_user ON conversations (channel, user_id);

        CREATE TABLE processed (
          channel TEXT NOT NULL,
          message_id TEXT NOT NULL,
          conversation_key TEXT NOT NULL REFERENCES conversations (key),
          created_at INTEGER NOT NULL,
          PRIMARY KEY (channel, message_id)
        ) WITHOUT ROWID;
        -- deleteUser finds marks by conversation, and the foreign key check needs it too.
        CREATE INDEX processed_by_conversation ON processed (conversation_key);

        -- AUTOINCREMENT: a seq is never handed out twice, even after deleteUser
        -- removed the highest rows, so a late markDelivered cannot hit a new reply.
        CREATE TABLE outbox (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          conversation_key TEXT NOT NULL REFERENCES conversations (key),
          channel TEXT NOT NULL,
          message_id TEXT NOT NULL,
          message TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          delivered_at INTEGER
        );
        CREATE INDEX outbox_by_conversation ON outbox (conversation_key, seq);
        CREATE INDEX outbox_pending ON outbox (seq) WHERE delivered_at IS NULL;
      `),
  },
  {
    name: 'submissions',
    up: (db) =>
      db.exec(`
        -- AUTOINCREMENT: staff refer to a request by id, so an id freed by an
        -- erasure must never come back as another person's request.
        CREATE TABLE submissions (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          conversation_key TEXT NOT NULL REFERENCES conversations (key),
          channel TEXT NOT NULL,
          user_id TEXT NOT NULL,
          kind TEXT NOT NULL,
          data TEXT NOT NULL,
          created_at INTEGER NOT NULL
        );
        CREATE INDEX submissions_by_kind ON submissions (kind, id);
        -- The rowid rides at the end of every index, so this one also serves "ORDER BY id".
        CREATE INDEX submissions_by_conversation ON submissions (conversation_key);
      `),
  },
  {
    name: 'channel references',
    up: (db) =>
      db.exec(`
        -- No foreign key to conversations: a channel hands over its reference
        -- with the first activity, before that conversation's first turn is committed.
        CREATE TABLE channel_refs (
          conversation_key TEXT PRIMARY KEY,
          channel TEXT NOT NULL,
          user_id TEXT NOT NULL,
          data TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        );
        -- deleteUser finds a person's references by channel and user.
        CREATE INDEX channel_refs_by_user ON channel_refs (channel, user_id);
      `),
  },
  {
    name: 'delivery states',
    up: (db) =>
      db.exec(`
        CREATE TABLE deliveries (
          channel TEXT NOT NULL,
          external_id TEXT NOT NULL,
          conversation_key TEXT NOT NULL,
          user_id TEXT NOT NULL,
          state TEXT NOT NULL,
          -- The state's rank, so that an upsert can refuse to move a message back.
          rank INTEGER NOT NULL,
          error_code INTEGER,
          error_title TEXT,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (channel, external_id)
        );
        CREATE INDEX deliveries_by_user ON deliveries (channel, user_id);
      `),
  },
];

export interface MigrationReport {
  from: number;
  to: number;
}

/**
 * Brings the schema up to date in one IMMEDIATE transaction: either every
 * pending step lands or none does, and two processes opening the same file at
 * once cannot both run a step.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): MigrationReport {
  return db
    .transaction((): MigrationReport => {
      const from = db.pragma('user_version', { simple: true }) as number;
      if (from > migrations.length) {
        throw new Error(
          `database schema version ${from} is newer than this build knows (${migrations.length}); refusing to open it`,
        );
      }
      if (from === migrations.length) return { from, to: from };
      migrations.slice(from).forEach((m, i) => {
        try {
          m.up(db);
        } catch (err) {
          throw new Error(`migration ${from + i + 1} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
        }
      });
      db.pragma(`user_version = ${migrations.length}`);
      return { from, to: migrations.length };
    })
    .immediate();
}
