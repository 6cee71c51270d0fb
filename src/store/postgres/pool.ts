import { Pool, types, type PoolClient, type QueryResult, type QueryResultRow } from 'pg';

export interface PostgresOptions {
  /** `postgres://user:password@host:5432/database` */
  url: string;
  /**
   * The schema every table lives in (created by the migrations if missing):
   * several deployments, or test suites, can then share one database.
   */
  schema?: string;
  /** Connections this process keeps at most. */
  poolSize?: number;
  /**
   * Told about a connection that broke while idle in the pool (a database
   * restart). Without a listener, node-postgres would crash the process.
   */
  onIdleError?: (err: Error) => void;
}

/** A schema name used unquoted in SQL: lowercase, as PostgreSQL folds identifiers. */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The pool and the schema it was opened on; the migrations and both stores share it. */
export interface PostgresDatabase {
  readonly pool: Pool;
  readonly schema: string;
}

const INT8 = types.builtins.INT8;

/**
 * bigint columns (ids, seqs, times in ms) as numbers, not the strings
 * node-postgres gives by default; per pool, not through the module-wide parser.
 * A value past 2^53 would lose digits, so it fails loudly instead.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${text} does not fit a JavaScript number`);
  return n;
}

export function openPostgres(options: PostgresOptions): PostgresDatabase {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new RangeError(`schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME}`);
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // Set at connection start, so every query of every connection sees the same tables. Not for
    // public, the server's default: poolers such as PgBouncer refuse this startup parameter unless told to.
    ...(schema === 'public' ? {} : { options: `-c search_path=${schema}` }),
    // Fail a request instead of letting it hang while the database is unreachable: the platform retries.
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    keepAlive: true,
    application_name: 'virtual-volunteer',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 && format !== 'binary' ? parseInt8 : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
    },
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  return { pool, schema };
}

/**
 * Thrown inside `inTransaction` to undo what the transaction wrote and give
 * `value` back: a refused commit (conflict, duplicate) is an answer, not a failure.
 */
export class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rolled back');
    this.name = 'Rollback';
  }
}

/**
 * Runs `work` in one transaction on one connection. Any error rolls it back
 * and is thrown as it came: a lost connection must reach the caller (a
 * webhook then answers 5xx and the platform retries), never be swallowed.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // The pool listens for errors only on idle connections: without this, a connection dying
  // mid-transaction would be an unhandled 'error' event, which ends the process. The query
  // running at the time fails with it too, so `work` throws and the transaction is abandoned.
  const onError = (err: Error): void => {
    broken = err;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackErr) {
      // The connection is unusable (the database went away): it must not go back to the pool.
      broken = rollbackErr as Error;
    }
    // Even when ROLLBACK failed, nothing was committed: a lost connection aborts its transaction.
    if (err instanceof Rollback) return err.value as T;
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/** Anything that runs a query: the pool (one statement, its own transaction) or a client inside one. */
export interface Queryable {
  query<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * U+0000, and a lone surrogate (half of an emoji): PostgreSQL text cannot
 * hold the first, and node-postgres would silently turn the second into
 * U+FFFD, so two different ids could become one.
 */
const LONE_SURROGATE = /\p{Cs}/u;

function checkParam(value: unknown, index: number): void {
  if (typeof value === 'string' && (value.includes('\u0000') || LONE_SURROGATE.test(value))) {
    // The value itself is not shown: ids carry phone numbers and chat ids.
    throw new TypeError(`parameter $${index + 1} holds U+0000 or a lone surrogate, which PostgreSQL text cannot keep`);
  }
  if (Array.isArray(value)) for (const item of value) checkParam(item, index);
}

/** Runs one statement after refusing values PostgreSQL would reject or change, before anything is sent. */
export async function run<R extends QueryResultRow = QueryResultRow>(
  on: Queryable,
  sql: string,
  params: unknown[] = [],
): Promise<QueryResult<R>> {
  params.forEach(checkParam);
  return on.query<R>(sql, params);
}

/** SQLSTATE of a failed statement, e.g. `23505` for a unique violation. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The constraint a violation names (node-postgres passes it on from the server). */
export function constraintOf(err: unknown): string | undefined {
  const name = (err as { constraint?: unknown } | null)?.constraint;
  return typeof name === 'string' ? name : undefined;
}
