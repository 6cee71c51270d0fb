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
  {
    name: 'handoff: organisations, staff, sessions, cases, transcripts, notes, transfers and audit log',
    up: (db) =>
      db.exec(`
        -- Columns marked "cipher" hold only what the Cipher wrote (gcm1: or plain:), never text in the clear.
        -- No foreign keys to organisations or staff: those are configuration, and
        -- a case or audit line must outlive a renamed or removed organisation or user.
        CREATE TABLE organisations (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          languages TEXT NOT NULL,
          countries TEXT NOT NULL,
          expected_response_minutes INTEGER NOT NULL,
          alert_target TEXT,
          created_at INTEGER NOT NULL
        );

        CREATE TABLE staff_users (
          id TEXT PRIMARY KEY,
          email TEXT NOT NULL,
          -- The email as JavaScript lowercases it: SQLite's lower() only knows ASCII.
          email_key TEXT NOT NULL UNIQUE,
          name TEXT NOT NULL,
          role TEXT NOT NULL CHECK (role IN ('caseworker', 'admin')),
          organisation_id TEXT NOT NULL,
          password_hash TEXT NOT NULL,
          disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
          created_at INTEGER NOT NULL
        );
        CREATE INDEX staff_users_by_organisation ON staff_users (organisation_id);

        CREATE TABLE staff_sessions (
          id_hash TEXT PRIMARY KEY,
          user_id TEXT NOT NULL,
          csrf_token TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);
        CREATE INDEX staff_sessions_by_expiry ON staff_sessions (expires_at);

        CREATE TABLE cases (
          id TEXT PRIMARY KEY,
          organisation_id TEXT NOT NULL,
          category TEXT NOT NULL,
          priority TEXT NOT NULL CHECK (priority IN ('urgent', 'normal')),
          status TEXT NOT NULL CHECK (status IN ('waiting', 'assigned', 'closed')),
          channel TEXT NOT NULL,
          conversation_id TEXT NOT NULL,
          user_id TEXT NOT NULL,
          conversation_key TEXT NOT NULL,
          -- The message that said yes: a retried turn finds the case it already opened.
          source_id TEXT NOT NULL,
          locale TEXT NOT NULL,
          country_current TEXT,
          country_origin TEXT,
          consent_version TEXT NOT NULL,
          consent_locale TEXT NOT NULL,
          consent_text TEXT NOT NULL, -- cipher
          consent_at INTEGER NOT NULL,
          tracing TEXT, -- cipher, of JSON
          assigned_to TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          last_person_message_at INTEGER,
          closed_at INTEGER,
          closed_by TEXT CHECK (closed_by IN ('caseworker', 'person')),
          alerted_at INTEGER,
          UNIQUE (conversation_key, source_id)
        );
        -- The queue: 'urgent' sorts after 'normal', so DESC puts it first; the CHECK keeps it to those two.
        CREATE INDEX cases_queue ON cases (organisation_id, status, priority DESC, created_at);
        CREATE INDEX cases_open_by_conversation ON cases (conversation_key) WHERE status <> 'closed';
        CREATE INDEX cases_unalerted ON cases (created_at) WHERE status = 'waiting' AND alerted_at IS NULL;
        -- deleteUserCases finds a person's cases by channel and user.
        CREATE INDEX cases_by_user ON cases (channel, user_id);

        -- AUTOINCREMENT here and below: ids are used in URLs and by setDelivery, so an
        -- id freed by an erasure must never come back as another person's line.
        CREATE TABLE case_messages (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          case_id TEXT NOT NULL REFERENCES cases (id),
          author TEXT NOT NULL CHECK (author IN ('person', 'bot', 'caseworker', 'system')),
          user_id TEXT,
          text TEXT NOT NULL, -- cipher
          locale TEXT,
          source_id TEXT NOT NULL,
          delivery TEXT CHECK (delivery IN ('pending', 'delivered', 'failed')),
          delivery_error TEXT,
          created_at INTEGER NOT NULL,
          UNIQUE (case_id, source_id)
        );
        CREATE INDEX case_messages_undelivered ON case_messages (id)
          WHERE author = 'caseworker' AND delivery IN ('pending', 'failed');

        CREATE TABLE case_notes (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          case_id TEXT NOT NULL REFERENCES cases (id),
          user_id TEXT NOT NULL,
          text TEXT NOT NULL, -- cipher
          created_at INTEGER NOT NULL
        );
        CREATE INDEX case_notes_by_case ON case_notes (case_id);

        CREATE TABLE case_transfers (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          case_id TEXT NOT NULL REFERENCES cases (id),
          from_organisation TEXT NOT NULL,
          to_organisation TEXT NOT NULL,
          user_id TEXT NOT NULL,
          note TEXT NOT NULL, -- cipher
          at INTEGER NOT NULL
        );
        CREATE INDEX case_transfers_by_case ON case_transfers (case_id);

        -- No foreign key to cases: the audit log keeps the line that a case was erased.
        CREATE TABLE audit_log (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          at INTEGER NOT NULL,
          user_id TEXT,
          action TEXT NOT NULL,
          case_id TEXT,
          detail TEXT NOT NULL
        );
      `),
  },
  {
    name: 'outbox delivery: attempts, back-off, give-up and leases',
    up: (db) =>
      db.exec(`
        ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        -- Rows written before this step are due at once.
        ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN last_error TEXT;
        ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
        -- The worker sending the row now, and until when no other may take it.
        ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
        ALTER TABLE outbox ADD COLUMN lease_until INTEGER;
        UPDATE outbox SET next_attempt_at = created_at;

        -- "Pending" now also means not given up.
        DROP INDEX outbox_pending;
        CREATE INDEX outbox_pending ON outbox (seq) WHERE delivered_at IS NULL AND failed_at IS NULL;
        -- A conversation's first pending row: what a worker may send next.
        CREATE INDEX outbox_pending_by_conversation ON outbox (conversation_key, seq)
          WHERE delivered_at IS NULL AND failed_at IS NULL;
      `),
  },
  {
    name: 'insight: daily counts and once-a-day marks',
    up: (db) =>
      db.exec(`
        -- Aggregates only: no text, no user id. Organisation first, as the dashboard reads one organisation's days.
        CREATE TABLE insight_counts (
          day TEXT NOT NULL,
          organisation_id TEXT NOT NULL,
          metric TEXT NOT NULL,
          dimension TEXT NOT NULL,
          count INTEGER NOT NULL CHECK (count >= 0),
          PRIMARY KEY (organisation_id, day, metric, dimension)
        ) WITHOUT ROWID;

        -- A pseudonym (an HMAC of the user id) per thing counted once a person a day; pruned after two days.
        CREATE TABLE insight_seen (
          day TEXT NOT NULL,
          organisation_id TEXT NOT NULL,
          metric TEXT NOT NULL,
          dimension TEXT NOT NULL,
          pseudonym TEXT NOT NULL,
          PRIMARY KEY (day, organisation_id, metric, dimension, pseudonym)
        ) WITHOUT ROWID;
        -- "Delete my data" finds a person's marks by pseudonym.
        CREATE INDEX insight_seen_by_pseudonym ON insight_seen (pseudonym);
      `),
  },
  {
    name: 'alert subscriptions',
    up: (db) =>
      db.exec(`
        -- Only people who said yes. AUTOINCREMENT: a broadcast pages through subscribers by id, and an erased row's id must not come back.
        CREATE TABLE alert_subscriptions (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          conversation_key TEXT NOT NULL,
          channel TEXT NOT NULL,
          conversation_id TEXT NOT NULL,
          user_id TEXT NOT NULL,
          scope TEXT NOT NULL CHECK (scope IN ('origin', 'current')),
          country TEXT NOT NULL,
          locale TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          UNIQUE (conversation_key, scope)
        );
        -- A broadcast's audience: one country and language at a time, in id order.
        CREATE INDEX alert_subscriptions_by_audience ON alert_subscriptions (country, locale, id);
        -- "Delete my data" finds a person's subscriptions by channel and user.
        CREATE INDEX alert_subscriptions_by_user ON alert_subscriptions (channel, user_id);
      `),
  },
  {
    name: 'alert broadcasts and their recipients',
    up: (db) =>
      db.exec(`
        -- The admin's text per language is not about anyone: kept as JSON, in the clear.
        CREATE TABLE alert_broadcasts (
          id TEXT PRIMARY KEY,
          organisation_id TEXT NOT NULL,
          created_by TEXT NOT NULL,
          countries TEXT NOT NULL,
          texts TEXT NOT NULL,
          flow TEXT,
          status TEXT NOT NULL CHECK (status IN ('sending', 'paused', 'cancelled', 'done')),
          audience_done INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          finished_at INTEGER,
          -- The instance sending it, and until when no other may.
          lease_owner TEXT,
          lease_until INTEGER
        );
        CREATE INDEX alert_broadcasts_by_organisation ON alert_broadcasts (organisation_id, created_at);
        CREATE INDEX alert_broadcasts_by_status ON alert_broadcasts (status);

        -- AUTOINCREMENT: the sender pages by id, and an erased row's id must not come back.
        CREATE TABLE alert_recipients (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          broadcast_id TEXT NOT NULL REFERENCES alert_broadcasts (id),
          conversation_key TEXT NOT NULL,
          subscription_id INTEGER NOT NULL,
          channel TEXT NOT NULL,
          conversation_id TEXT NOT NULL,
          user_id TEXT NOT NULL,
          locale TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
          error TEXT,
          UNIQUE (broadcast_id, conversation_key)
        );
        CREATE INDEX alert_recipients_pending ON alert_recipients (broadcast_id, id) WHERE state = 'pending';
        CREATE INDEX alert_recipients_by_subscription ON alert_recipients (broadcast_id, subscription_id);
        CREATE INDEX alert_recipients_by_user ON alert_recipients (channel, user_id);
      `),
  },
  {
    name: 'processed marks kept per conversation',
    up: (db) =>
      db.exec(`
        -- A message id is processed once per conversation (see Store.isProcessed). Keyed by the
        -- conversation first, a mark needs no channel column (the key starts with it) and no second
        -- index (erasure and the foreign key find a conversation's marks by the key's prefix): about
        -- half the bytes a mark. SQLite's table rebuild with foreign keys left on, as they cannot be
        -- switched inside this transaction: no table refers to processed, and each copied mark is
        -- checked against conversations. Copied in key order, so the new tree's pages fill.
        CREATE TABLE processed_new (
          conversation_key TEXT NOT NULL REFERENCES conversations (key),
          message_id TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (conversation_key, message_id)
        ) WITHOUT ROWID;
        INSERT INTO processed_new (conversation_key, message_id, created_at)
          SELECT conversation_key, message_id, created_at FROM processed ORDER BY conversation_key, message_id;
        DROP TABLE processed;
        ALTER TABLE processed_new RENAME TO processed;
      `),
  },
  {
    name: 'insight: one once-a-day mark row per person, day and organisation',
    up: (db) =>
      db.exec(`
        -- A new person's once-a-day counts wrote three rows, each at a random place of two trees (the
        -- marks and their pseudonym index): most of what insight cost a turn. One row per person, day
        -- and organisation, keyed by the pseudonym first, is one place in one tree; "delete my data"
        -- finds it by the key's prefix, and the daily prune reads two days of marks through.
        -- marks: a JSON array of the [metric, dimension] pairs counted for them that day.
        CREATE TABLE insight_seen_new (
          pseudonym TEXT NOT NULL,
          day TEXT NOT NULL,
          organisation_id TEXT NOT NULL,
          marks TEXT NOT NULL,
          PRIMARY KEY (pseudonym, day, organisation_id)
        ) WITHOUT ROWID;
        INSERT INTO insight_seen_new (pseudonym, day, organisation_id, marks)
          SELECT pseudonym, day, organisation_id, json_group_array(json_array(metric, dimension))
          FROM (SELECT * FROM insight_seen ORDER BY pseudonym, day, organisation_id, metric, dimension)
          GROUP BY pseudonym, day, organisation_id ORDER BY pseudonym, day, organisation_id;
        DROP TABLE insight_seen;
        ALTER TABLE insight_seen_new RENAME TO insight_seen;
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
