export interface PostgresMigration {
  /** 1, 2, 3…: the position in the list, recorded in `schema_migrations`. */
  readonly version: number;
  /** Shown in reports and errors, so a failed upgrade names the step. */
  readonly name: string;
  readonly sql: string;
}

/**
 * The PostgreSQL schema, as the ordered steps that build it; the same tables
 * and meaning as the SQLite schema (sqlite-schema.ts). Steps are only ever
 * appended: a released step never changes (its checksum is recorded, and a
 * changed one is refused), because databases in the field already ran it.
 *
 * JSON is kept as TEXT, not jsonb: jsonb refuses the escapes JSON.stringify
 * writes for U+0000 and for a lone surrogate (a reply cut mid-emoji), and
 * values must come back exactly as written. Times are milliseconds since the
 * epoch (BIGINT), as every store keeps them. Identity columns never hand out
 * a value twice, even after an erasure removed the highest rows, so a late
 * delivery report or a staff reference can never hit someone else's row.
 */
export const MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'conversations, processed marks, outbox, submissions, channel references and delivery states',
    sql: `
      CREATE TABLE conversations (
        key TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        data TEXT NOT NULL,
        rev INTEGER NOT NULL CHECK (rev > 0),
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX conversations_by_user ON conversations (channel, user_id);
      -- Retention finds idle conversations by their last turn.
      CREATE INDEX conversations_by_update ON conversations (updated_at);

      CREATE TABLE processed (
        channel TEXT NOT NULL,
        message_id TEXT NOT NULL,
        conversation_key TEXT NOT NULL REFERENCES conversations (key),
        created_at BIGINT NOT NULL,
        PRIMARY KEY (channel, message_id)
      );
      CREATE INDEX processed_by_conversation ON processed (conversation_key);

      CREATE TABLE outbox (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_key TEXT NOT NULL REFERENCES conversations (key),
        channel TEXT NOT NULL,
        message_id TEXT NOT NULL,
        message TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT,
        -- Delivery: failed attempts, when to try next, the last error, and when it was given up.
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        failed_at BIGINT,
        -- The worker sending the row now, and until when no other may take it.
        lease_owner TEXT,
        lease_until BIGINT
      );
      CREATE INDEX outbox_by_conversation ON outbox (conversation_key, seq);
      -- "Pending": neither delivered nor given up.
      CREATE INDEX outbox_pending ON outbox (seq) WHERE delivered_at IS NULL AND failed_at IS NULL;
      -- A conversation's first pending row: what a worker may send next.
      CREATE INDEX outbox_pending_by_conversation ON outbox (conversation_key, seq)
        WHERE delivered_at IS NULL AND failed_at IS NULL;
      -- A worker shutting down hands back its leases.
      CREATE INDEX outbox_leased ON outbox (lease_owner) WHERE lease_owner IS NOT NULL;

      CREATE TABLE submissions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_key TEXT NOT NULL REFERENCES conversations (key),
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX submissions_by_kind ON submissions (kind, id);
      CREATE INDEX submissions_by_conversation ON submissions (conversation_key, id);
      -- deleteUser also finds what a person submitted in a conversation someone else now holds.
      CREATE INDEX submissions_by_user ON submissions (channel, user_id);

      -- No foreign key to conversations: a channel hands over its reference
      -- with the first activity, before that conversation's first turn is committed.
      CREATE TABLE channel_refs (
        conversation_key TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE INDEX channel_refs_by_user ON channel_refs (channel, user_id);
      CREATE INDEX channel_refs_by_update ON channel_refs (updated_at);

      CREATE TABLE deliveries (
        channel TEXT NOT NULL,
        external_id TEXT NOT NULL,
        conversation_key TEXT NOT NULL,
        user_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('accepted', 'sent', 'delivered', 'read', 'failed')),
        -- The state's rank, so that an upsert can refuse to move a message back.
        rank SMALLINT NOT NULL,
        error_code INTEGER,
        error_title TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (channel, external_id)
      );
      CREATE INDEX deliveries_by_user ON deliveries (channel, user_id);
      -- Retention erases a conversation's delivery states with it.
      CREATE INDEX deliveries_by_conversation ON deliveries (conversation_key);
    `,
  },
  {
    version: 2,
    name: 'handoff: organisations, staff, sessions, cases, transcripts, notes, transfers and audit log',
    sql: `
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
        created_at BIGINT NOT NULL
      );

      CREATE TABLE staff_users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        -- The email as JavaScript lowercases it, the same in every store (lower() depends on the locale).
        email_key TEXT NOT NULL CONSTRAINT staff_users_email_unique UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('caseworker', 'admin')),
        organisation_id TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        disabled BOOLEAN NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX staff_users_by_organisation ON staff_users (organisation_id);

      CREATE TABLE staff_sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);
      CREATE INDEX staff_sessions_by_expiry ON staff_sessions (expires_at);

      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        -- The order cases were opened in: the queue's tie-break within one millisecond.
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        organisation_id TEXT NOT NULL,
        category TEXT NOT NULL,
        -- "C": 'urgent' sorts after 'normal' byte by byte, so DESC puts it first whatever the database's locale.
        priority TEXT COLLATE "C" NOT NULL CHECK (priority IN ('urgent', 'normal')),
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
        consent_at BIGINT NOT NULL,
        tracing TEXT, -- cipher, of JSON
        assigned_to TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_person_message_at BIGINT,
        closed_at BIGINT,
        closed_by TEXT CHECK (closed_by IN ('caseworker', 'person')),
        alerted_at BIGINT,
        UNIQUE (conversation_key, source_id)
      );
      CREATE INDEX cases_queue ON cases (organisation_id, status, priority DESC, created_at, seq);
      CREATE INDEX cases_open_by_conversation ON cases (conversation_key, seq) WHERE status <> 'closed';
      CREATE INDEX cases_unalerted ON cases (created_at, seq) WHERE status = 'waiting' AND alerted_at IS NULL;
      -- deleteUserCases finds a person's cases by channel and user.
      CREATE INDEX cases_by_user ON cases (channel, user_id);
      -- Retention finds closed cases by when they were closed.
      CREATE INDEX cases_closed ON cases (closed_at) WHERE status = 'closed';

      -- ON DELETE CASCADE: erasing a case takes its transcript, notes and transfers in the same statement.
      CREATE TABLE case_messages (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        author TEXT NOT NULL CHECK (author IN ('person', 'bot', 'caseworker', 'system')),
        user_id TEXT,
        text TEXT NOT NULL, -- cipher
        locale TEXT,
        source_id TEXT NOT NULL,
        delivery TEXT CHECK (delivery IN ('pending', 'delivered', 'failed')),
        delivery_error TEXT,
        created_at BIGINT NOT NULL,
        UNIQUE (case_id, source_id)
      );
      CREATE INDEX case_messages_undelivered ON case_messages (id)
        WHERE author = 'caseworker' AND delivery IN ('pending', 'failed');

      CREATE TABLE case_notes (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL,
        text TEXT NOT NULL, -- cipher
        created_at BIGINT NOT NULL
      );
      CREATE INDEX case_notes_by_case ON case_notes (case_id, id);

      CREATE TABLE case_transfers (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        from_organisation TEXT NOT NULL,
        to_organisation TEXT NOT NULL,
        user_id TEXT NOT NULL,
        note TEXT NOT NULL, -- cipher
        at BIGINT NOT NULL
      );
      CREATE INDEX case_transfers_by_case ON case_transfers (case_id, id);

      -- No foreign key to cases: the audit log keeps the line that a case was erased.
      CREATE TABLE audit_log (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at BIGINT NOT NULL,
        user_id TEXT,
        action TEXT NOT NULL,
        case_id TEXT,
        detail TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'insight: daily counts and once-a-day marks',
    sql: `
      -- Aggregates only: no text, no user id. Organisation first, as the dashboard reads one organisation's days.
      CREATE TABLE insight_counts (
        day TEXT NOT NULL,
        organisation_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        dimension TEXT NOT NULL,
        count BIGINT NOT NULL CHECK (count >= 0),
        PRIMARY KEY (organisation_id, day, metric, dimension)
      );

      -- A pseudonym (an HMAC of the user id) per thing counted once a person a day; pruned after two days.
      CREATE TABLE insight_seen (
        day TEXT NOT NULL,
        organisation_id TEXT NOT NULL,
        metric TEXT NOT NULL,
        dimension TEXT NOT NULL,
        pseudonym TEXT NOT NULL,
        PRIMARY KEY (day, organisation_id, metric, dimension, pseudonym)
      );
      -- "Delete my data" finds a person's marks by pseudonym.
      CREATE INDEX insight_seen_by_pseudonym ON insight_seen (pseudonym);
    `,
  },
  {
    version: 4,
    name: 'alert subscriptions',
    sql: `
      -- Only people who said yes. A broadcast pages through subscribers by id.
      CREATE TABLE alert_subscriptions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_key TEXT NOT NULL,
        channel TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('origin', 'current')),
        country TEXT NOT NULL,
        locale TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE (conversation_key, scope)
      );
      -- A broadcast's audience: one country and language at a time, in id order.
      CREATE INDEX alert_subscriptions_by_audience ON alert_subscriptions (country, locale, id);
      -- "Delete my data" finds a person's subscriptions by channel and user.
      CREATE INDEX alert_subscriptions_by_user ON alert_subscriptions (channel, user_id);
    `,
  },
  {
    version: 5,
    name: 'alert broadcasts and their recipients',
    sql: `
      -- The admin's text per language is not about anyone: kept as JSON text, in the clear.
      CREATE TABLE alert_broadcasts (
        id TEXT PRIMARY KEY,
        -- Creation order: the tie-break of "newest first" within one millisecond.
        seq BIGINT GENERATED ALWAYS AS IDENTITY,
        organisation_id TEXT NOT NULL,
        created_by TEXT NOT NULL,
        countries TEXT NOT NULL,
        texts TEXT NOT NULL,
        flow TEXT,
        status TEXT NOT NULL CHECK (status IN ('sending', 'paused', 'cancelled', 'done')),
        audience_done BOOLEAN NOT NULL DEFAULT false,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        finished_at BIGINT,
        -- The instance sending it, and until when no other may.
        lease_owner TEXT,
        lease_until BIGINT
      );
      CREATE INDEX alert_broadcasts_by_organisation ON alert_broadcasts (organisation_id, created_at DESC, seq DESC);
      CREATE INDEX alert_broadcasts_by_status ON alert_broadcasts (status);

      CREATE TABLE alert_recipients (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        broadcast_id TEXT NOT NULL REFERENCES alert_broadcasts (id),
        conversation_key TEXT NOT NULL,
        subscription_id BIGINT NOT NULL,
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
    `,
  },
  {
    version: 6,
    name: 'a turn committed in one statement',
    sql: `
      -- What commitTurn did in six round trips (begin, duplicate check, record, mark, replies, commit),
      -- in one: a statement outside a transaction block is atomic, and an exception undoes all of it.
      -- Outcomes: 'duplicate' and 'conflict' (nothing written), else one row per reply (or one without a
      -- seq when there are none). SQLSTATE VVDUP: the mark lost a race with the same message id in another
      -- conversation after the record was written; the exception undoes the write.
      CREATE FUNCTION vv_commit_turn(
        p_key TEXT, p_channel TEXT, p_user TEXT, p_expected_rev INTEGER, p_data TEXT, p_message_id TEXT,
        p_now BIGINT, p_messages TEXT[], p_kinds TEXT[], p_submissions TEXT[], p_lease_owner TEXT, p_lease_until BIGINT)
      RETURNS TABLE (r_outcome TEXT, r_seq BIGINT, r_leased BOOLEAN)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_free BOOLEAN;
      BEGIN
        -- First, so a redelivered message hears "duplicate" even when the rev it read is stale.
        IF EXISTS (SELECT 1 FROM processed p WHERE p.channel = p_channel AND p.message_id = p_message_id) THEN
          RETURN QUERY SELECT 'duplicate'::TEXT, NULL::BIGINT, false;
          RETURN;
        END IF;
        -- A racing commit on the same row waits for this one's lock, then finds the rev moved and writes nothing.
        IF p_expected_rev = 0 THEN
          INSERT INTO conversations (key, channel, user_id, data, rev, updated_at)
          VALUES (p_key, p_channel, p_user, p_data, 1, p_now) ON CONFLICT (key) DO NOTHING;
        ELSE
          UPDATE conversations SET channel = p_channel, user_id = p_user, data = p_data, rev = rev + 1, updated_at = p_now
          WHERE key = p_key AND rev = p_expected_rev;
        END IF;
        IF NOT FOUND THEN
          RETURN QUERY SELECT 'conflict'::TEXT, NULL::BIGINT, false;
          RETURN;
        END IF;
        INSERT INTO processed (channel, message_id, conversation_key, created_at)
        VALUES (p_channel, p_message_id, p_key, p_now) ON CONFLICT (channel, message_id) DO NOTHING;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'message % was processed in another conversation', p_message_id USING ERRCODE = 'VVDUP';
        END IF;
        INSERT INTO submissions (conversation_key, channel, user_id, kind, data, created_at)
        SELECT p_key, p_channel, p_user, s.kind, s.data, p_now
        FROM unnest(p_kinds, p_submissions) WITH ORDINALITY AS s (kind, data, n) ORDER BY s.n;
        -- Leased only as a run claimed right after would be: nothing earlier of the conversation still pending.
        v_free := p_lease_owner IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM outbox o WHERE o.conversation_key = p_key AND o.delivered_at IS NULL AND o.failed_at IS NULL);
        RETURN QUERY
          WITH inserted AS (
            INSERT INTO outbox (conversation_key, channel, message_id, message, created_at, next_attempt_at, lease_owner, lease_until)
            SELECT p_key, p_channel, p_message_id, m.message, p_now, p_now,
              CASE WHEN v_free THEN p_lease_owner END, CASE WHEN v_free THEN p_lease_until END
            FROM unnest(p_messages) WITH ORDINALITY AS m (message, n) ORDER BY m.n
            RETURNING outbox.seq, outbox.lease_owner IS NOT NULL AS leased)
          SELECT 'ok'::TEXT, i.seq, i.leased FROM inserted i
          UNION ALL SELECT 'ok'::TEXT, NULL::BIGINT, false WHERE cardinality(p_messages) = 0;
      END
      $fn$;
    `,
  },
  {
    version: 7,
    name: 'processed marks kept per conversation',
    sql: `
      -- A message id is processed once per conversation (see Store.isProcessed). Keyed by the conversation
      -- first, a mark needs no channel column (the key starts with it) and no second index: erasure and the
      -- foreign key's checks use the primary key's prefix. Rebuilt, not altered: a dropped column's bytes
      -- would stay in every row written before.
      CREATE TABLE processed_new (
        conversation_key TEXT NOT NULL REFERENCES conversations (key),
        message_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (conversation_key, message_id)
      );
      INSERT INTO processed_new (conversation_key, message_id, created_at)
        SELECT conversation_key, message_id, created_at FROM processed;
      DROP TABLE processed;
      ALTER TABLE processed_new RENAME TO processed;
      ALTER TABLE processed RENAME CONSTRAINT processed_new_pkey TO processed_pkey;
      ALTER TABLE processed RENAME CONSTRAINT processed_new_conversation_key_fkey TO processed_conversation_key_fkey;

      -- Step 6's function with the marks looked up and written by conversation. SQLSTATE VVDUP: a mark
      -- appeared after the duplicate check, written by something that did not take the conversation's row
      -- first (two commits of one conversation queue on that row); the exception undoes the write.
      CREATE OR REPLACE FUNCTION vv_commit_turn(
        p_key TEXT, p_channel TEXT, p_user TEXT, p_expected_rev INTEGER, p_data TEXT, p_message_id TEXT,
        p_now BIGINT, p_messages TEXT[], p_kinds TEXT[], p_submissions TEXT[], p_lease_owner TEXT, p_lease_until BIGINT)
      RETURNS TABLE (r_outcome TEXT, r_seq BIGINT, r_leased BOOLEAN)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_free BOOLEAN;
      BEGIN
        -- First, so a redelivered message hears "duplicate" even when the rev it read is stale.
        IF EXISTS (SELECT 1 FROM processed p WHERE p.conversation_key = p_key AND p.message_id = p_message_id) THEN
          RETURN QUERY SELECT 'duplicate'::TEXT, NULL::BIGINT, false;
          RETURN;
        END IF;
        -- A racing commit on the same row waits for this one's lock, then finds the rev moved and writes nothing.
        IF p_expected_rev = 0 THEN
          INSERT INTO conversations (key, channel, user_id, data, rev, updated_at)
          VALUES (p_key, p_channel, p_user, p_data, 1, p_now) ON CONFLICT (key) DO NOTHING;
        ELSE
          UPDATE conversations SET channel = p_channel, user_id = p_user, data = p_data, rev = rev + 1, updated_at = p_now
          WHERE key = p_key AND rev = p_expected_rev;
        END IF;
        IF NOT FOUND THEN
          -- The commit that moved the rev may have been this message's, waited for above: each statement
          -- here sees what committed before it began, so that one's mark shows now. A duplicate then, as
          -- the stores that check the mark and write in one step say; else a conflict.
          IF EXISTS (SELECT 1 FROM processed p WHERE p.conversation_key = p_key AND p.message_id = p_message_id) THEN
            RETURN QUERY SELECT 'duplicate'::TEXT, NULL::BIGINT, false;
          ELSE
            RETURN QUERY SELECT 'conflict'::TEXT, NULL::BIGINT, false;
          END IF;
          RETURN;
        END IF;
        INSERT INTO processed (conversation_key, message_id, created_at)
        VALUES (p_key, p_message_id, p_now) ON CONFLICT (conversation_key, message_id) DO NOTHING;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'message % was marked processed while this turn committed', p_message_id USING ERRCODE = 'VVDUP';
        END IF;
        INSERT INTO submissions (conversation_key, channel, user_id, kind, data, created_at)
        SELECT p_key, p_channel, p_user, s.kind, s.data, p_now
        FROM unnest(p_kinds, p_submissions) WITH ORDINALITY AS s (kind, data, n) ORDER BY s.n;
        -- Leased only as a run claimed right after would be: nothing earlier of the conversation still pending.
        v_free := p_lease_owner IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM outbox o WHERE o.conversation_key = p_key AND o.delivered_at IS NULL AND o.failed_at IS NULL);
        RETURN QUERY
          WITH inserted AS (
            INSERT INTO outbox (conversation_key, channel, message_id, message, created_at, next_attempt_at, lease_owner, lease_until)
            SELECT p_key, p_channel, p_message_id, m.message, p_now, p_now,
              CASE WHEN v_free THEN p_lease_owner END, CASE WHEN v_free THEN p_lease_until END
            FROM unnest(p_messages) WITH ORDINALITY AS m (message, n) ORDER BY m.n
            RETURNING outbox.seq, outbox.lease_owner IS NOT NULL AS leased)
          SELECT 'ok'::TEXT, i.seq, i.leased FROM inserted i
          UNION ALL SELECT 'ok'::TEXT, NULL::BIGINT, false WHERE cardinality(p_messages) = 0;
      END
      $fn$;
    `,
  },
  {
    version: 8,
    name: 'replies saved delivered',
    sql: `
      -- Step 7's commit, with replies that reach the person from the outbox itself (the web chat) saved
      -- delivered in the same statement: no worker sends, leases or marks them. An overload, not a
      -- replacement: an instance still running step 7's code calls the twelve-argument function.
      CREATE FUNCTION vv_commit_turn(
        p_key TEXT, p_channel TEXT, p_user TEXT, p_expected_rev INTEGER, p_data TEXT, p_message_id TEXT,
        p_now BIGINT, p_messages TEXT[], p_kinds TEXT[], p_submissions TEXT[], p_lease_owner TEXT, p_lease_until BIGINT,
        p_delivered BOOLEAN)
      RETURNS TABLE (r_outcome TEXT, r_seq BIGINT, r_leased BOOLEAN)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        v_row RECORD;
      BEGIN
        IF NOT p_delivered THEN
          RETURN QUERY SELECT * FROM vv_commit_turn(p_key, p_channel, p_user, p_expected_rev, p_data, p_message_id,
            p_now, p_messages, p_kinds, p_submissions, p_lease_owner, p_lease_until);
          RETURN;
        END IF;
        FOR v_row IN SELECT * FROM vv_commit_turn(p_key, p_channel, p_user, p_expected_rev, p_data, p_message_id,
            p_now, p_messages, p_kinds, p_submissions, NULL, NULL) LOOP
          IF v_row.r_seq IS NOT NULL THEN
            UPDATE outbox SET delivered_at = p_now WHERE seq = v_row.r_seq;
          END IF;
          r_outcome := v_row.r_outcome;
          r_seq := v_row.r_seq;
          r_leased := false;
          RETURN NEXT;
        END LOOP;
      END
      $fn$;
    `,
  },
];
