import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ratios, spread, type Spread } from '../stats';
import { drive } from '../workload/driver';
import { engineContender } from '../workload/engine';
import { PACKING_TURNS } from '../workload/packing';
import { collectGarbage } from '../gc';

export interface GrowthLevel {
  /** Conversations already stored when the turns were measured. */
  stored: number;
  turnsPerSecond: Spread;
  /** Microseconds per turn, from turns a second. */
  microsPerTurn: Spread;
  fileBytes: number;
}

export interface GrowthResult {
  levels: GrowthLevel[];
  /** Per-turn cost at the largest level over that at the smallest, one ratio per repetition. */
  costRatio: Spread;
  /** Seconds spent writing the stored conversations, all levels together. */
  prefillSeconds: number;
}

export interface GrowthOptions {
  levels: number[];
  /** Conversations in flight while measuring, and how many are measured per repetition. */
  concurrency: number;
  conversations: number;
  repetitions: number;
  expected: string[][];
  log: (line: string) => void;
}

/**
 * Per-turn cost of the engine on one SQLite file as it fills up. Stored
 * conversations are copies of a real one (its record as the engine wrote
 * it, its six processed marks, and the outbox rows it kept: none on a
 * messaging app's channel, which holds the chat itself), written in one
 * transaction per level. Measured turns are new conversations, so every
 * insert lands in indexes of the full size.
 */
export async function runGrowth(options: GrowthOptions): Promise<GrowthResult> {
  const dir = mkdtempSync(join(tmpdir(), 'vv-bench-growth-'));
  const file = join(dir, 'growth.sqlite');
  const levels: GrowthLevel[] = [];
  const perRep: number[][] = [];
  let prefillSeconds = 0;
  let offset = 0;
  try {
    // One real conversation: the template for the copies, and the schema.
    const first = await engineContender(file);
    await drive(first, { concurrency: 1, conversations: 1, offset: -1, expected: options.expected });
    await first.close();
    let stored = 0;
    for (const target of options.levels) {
      const started = Date.now();
      prefill(file, stored, target);
      prefillSeconds += (Date.now() - started) / 1000;
      stored = target;
      const values: number[] = [];
      for (let rep = 0; rep < options.repetitions; rep++) {
        const engine = await engineContender(file);
        const result = await drive(engine, {
          concurrency: options.concurrency,
          conversations: options.conversations,
          expected: options.expected,
          offset,
        });
        await engine.close();
        offset += options.conversations;
        if (result.mismatches > 0) throw new Error(`growth: ${result.mismatches} turns with wrong replies`);
        values.push(result.turnsPerSecond);
        collectGarbage();
      }
      perRep.push(values.map((tps) => 1e6 / tps));
      const fileBytes = fileSize(file);
      levels.push({
        stored: target,
        turnsPerSecond: spread(values),
        microsPerTurn: spread(values.map((tps) => 1e6 / tps)),
        fileBytes,
      });
      options.log(
        `  ${target.toLocaleString('en-GB').padStart(9)} stored: ${values.map((v) => Math.round(v).toLocaleString('en-GB')).join(', ')} turns/s; ` +
          `file ${(fileBytes / 2 ** 20).toFixed(0)} MiB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { levels, costRatio: ratios(perRep.at(-1) ?? [], perRep[0] ?? []), prefillSeconds };
}

/**
 * Copies the template conversation until `to` conversations are stored (not
 * counting it), with the processed marks and outbox rows the engine kept for it.
 */
function prefill(file: string, from: number, to: number): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const template = db.prepare("SELECT data FROM conversations WHERE key = 'bench:c-1'").pluck().get() as string | undefined;
    if (!template) throw new Error('growth: the template conversation is missing');
    const marks = db.prepare("SELECT message_id FROM processed WHERE conversation_key = 'bench:c-1'").pluck().all() as string[];
    const replies = db
      .prepare("SELECT message_id AS messageId, message, delivered_at AS deliveredAt FROM outbox WHERE conversation_key = 'bench:c-1' ORDER BY seq")
      .all() as { messageId: string; message: string; deliveredAt: number | null }[];
    const insertConversation = db.prepare('INSERT INTO conversations (key, channel, user_id, data, rev, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    const insertMark = db.prepare('INSERT INTO processed (conversation_key, message_id, created_at) VALUES (?, ?, ?)');
    const insertOutbox = db.prepare(
      'INSERT INTO outbox (conversation_key, channel, message_id, message, created_at, delivered_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const now = Date.now();
    const copyId = (messageId: string, id: string) => messageId.replace(/^c-1\./, `${id}.`);
    db.transaction(() => {
      for (let i = from; i < to; i++) {
        const id = `p${i}`;
        const key = `bench:${id}`;
        const data = template.replaceAll('"c-1"', `"${id}"`).replaceAll('"u-1"', `"pu${i}"`);
        insertConversation.run(key, 'bench', `pu${i}`, data, PACKING_TURNS.length, now);
        for (const mark of marks) insertMark.run(key, copyId(mark, id), now);
        for (const r of replies) insertOutbox.run(key, 'bench', copyId(r.messageId, id), r.message, now, r.deliveredAt);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function fileSize(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  } finally {
    db.close();
  }
}
