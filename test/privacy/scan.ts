import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Redis } from 'ioredis';
import type { TempSchema } from '../support/postgres';
import { keysUnder } from '../support/redis';

/**
 * Searches everything the app keeps for traces of a person: every text
 * column of every row of every table, every Redis key and value under the
 * app's prefix, and the raw bytes of database files. A finding names where
 * the trace is, never the value around it.
 */
export interface Finding {
  where: string;
  needle: string;
}

/**
 * What identifies a person besides what they typed: the ids themselves, and
 * the one-way tags the app files them under (a tag still links rows to one
 * person, so it must go with them). The tags are computed here, not imported,
 * so that a renamed helper cannot make the scan look for nothing.
 */
export function identifiers(ids: readonly string[]): string[] {
  const sha = (value: string) => createHash('sha256').update(value).digest('hex');
  return ids.flatMap((id) => [id, sha(id).slice(0, 12), sha(id).slice(0, 32)]);
}

function search(where: string, value: unknown, needles: readonly string[], found: Finding[]): void {
  if (value === null || value === undefined) return;
  const holds = Buffer.isBuffer(value)
    ? (needle: string) => value.includes(Buffer.from(needle, 'utf8'))
    : (needle: string) => String(value).includes(needle);
  for (const needle of needles) if (holds(needle)) found.push({ where, needle });
}

/** Every table of a SQLite file, listed from sqlite_master, every column of every row (read on a connection of its own). */
export function scanSqlite(path: string, needles: readonly string[]): { findings: Finding[]; tables: string[]; rows: number } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[]);
    const findings: Finding[] = [];
    let rows = 0;
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}"`).all() as Record<string, unknown>[]) {
        rows++;
        for (const [column, value] of Object.entries(row)) search(`sqlite ${table}.${column}`, value, needles, findings);
      }
    }
    return { findings, tables, rows };
  } finally {
    db.close();
  }
}

/** Every table of the test's PostgreSQL schema, listed from information_schema, every column of every row as text. */
export async function scanPostgres(temp: TempSchema, needles: readonly string[]): Promise<{ findings: Finding[]; tables: string[]; rows: number }> {
  const tables = (
    await temp.sql<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
      [temp.schema],
    )
  ).map((t) => t.table_name);
  const findings: Finding[] = [];
  let rows = 0;
  for (const table of tables) {
    const columns = (
      await temp.sql<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [temp.schema, table],
      )
    ).map((c) => c.column_name);
    // Every column cast to text: numbers, JSON and bytea included, as a dump would show them.
    const select = columns.map((c) => `"${c}"::text AS "${c}"`).join(', ');
    for (const row of await temp.sql(`SELECT ${select} FROM "${temp.schema}"."${table}"`)) {
      rows++;
      for (const [column, value] of Object.entries(row)) search(`postgres ${table}.${column}`, value, needles, findings);
    }
  }
  return { findings, tables, rows };
}

/** Every key under the prefix, and its value whatever its type. */
export async function scanRedis(redis: Redis, prefix: string, needles: readonly string[]): Promise<{ findings: Finding[]; keys: number }> {
  const findings: Finding[] = [];
  const keys = await keysUnder(redis, prefix);
  for (const key of keys) {
    search(`redis key ${key}`, key, needles, findings);
    const type = await redis.type(key);
    let values: unknown[] = [];
    if (type === 'string') values = [await redis.getBuffer(key)];
    else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
    else if (type === 'list') values = await redis.lrange(key, 0, -1);
    else if (type === 'set') values = await redis.smembers(key);
    else if (type === 'zset') values = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'stream') values = [JSON.stringify(await redis.xrange(key, '-', '+'))];
    for (const value of values) search(`redis ${type} ${key}`, value, needles, findings);
  }
  return { findings, keys: keys.length };
}

/** The raw bytes of files (a database, its write-ahead log), as a stolen disk would give them. */
export function scanFiles(paths: readonly string[], needles: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path);
    for (const needle of needles) {
      if (bytes.includes(Buffer.from(needle, 'utf8'))) findings.push({ where: `file ${path}`, needle });
    }
  }
  return findings;
}
