import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drive } from '../workload/driver';
import { engineContender } from '../workload/engine';
import { collectGarbage } from '../gc';

export interface StoredBytes {
  conversations: number;
  /** The record as JSON, on average. */
  recordJson: number;
  /** Per conversation, pages of each part with their indexes (SQLite's dbstat). */
  state: number;
  processedMarks: number;
  outbox: number;
  /** The whole file over the number of conversations. */
  file: number;
}

export interface ProcessMemory {
  store: 'memory' | 'sqlite';
  conversations: number;
  /** Heap used while all of them had a turn in flight, over the heap before, scaled to 100,000. */
  peakHeapPer100k: number;
  /** Heap still used once they were all done (after a full collection), scaled to 100,000. */
  retainedHeapPer100k: number;
  /** Resident set growth over the whole run, scaled to 100,000. */
  rssPer100k: number;
  turnsPerSecond: number;
}

export interface MemoryResult {
  stored: StoredBytes;
  process: ProcessMemory[];
}

export interface MemoryOptions {
  /** Conversations for the bytes-on-disk figure. */
  storedConversations: number;
  /** Conversations active at once for the process-memory figure. */
  activeConversations: number;
  expected: string[][];
  log: (line: string) => void;
}

/** What the engine keeps per conversation, on disk (SQLite) and in the process. */
export async function runMemory(options: MemoryOptions): Promise<MemoryResult> {
  const stored = await storedBytes(options.storedConversations, options.expected);
  options.log(
    `  stored per conversation: record JSON ${stored.recordJson} B, state ${stored.state} B, marks ${stored.processedMarks} B, ` +
      `outbox ${stored.outbox} B, whole file ${stored.file} B`,
  );
  const process: ProcessMemory[] = [];
  for (const store of ['memory', 'sqlite'] as const) {
    const figure = await processMemory(store, options.activeConversations, options.expected);
    process.push(figure);
    options.log(
      `  ${store.padEnd(6)} ${options.activeConversations.toLocaleString('en-GB')} active: peak heap ${mib(figure.peakHeapPer100k)} MiB, ` +
        `retained ${mib(figure.retainedHeapPer100k)} MiB, RSS +${mib(figure.rssPer100k)} MiB per 100,000`,
    );
  }
  return { stored, process };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function storedBytes(conversations: number, expected: string[][]): Promise<StoredBytes> {
  const dir = mkdtempSync(join(tmpdir(), 'vv-bench-bytes-'));
  const file = join(dir, 'bytes.sqlite');
  try {
    const engine = await engineContender(file);
    await drive(engine, { concurrency: 1000, conversations, expected });
    await engine.close();
    const db = new Database(file);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      const pages = (names: string[]) =>
        db.prepare(`SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name IN (${names.map(() => '?').join(', ')})`).pluck().get(...names) as number;
      const indexesOf = (table: string) =>
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").pluck().all(table) as string[];
      const per = (bytes: number) => Math.round(bytes / conversations);
      const recordJson = db.prepare("SELECT avg(length(CAST(data AS BLOB))) FROM conversations WHERE channel = 'bench'").pluck().get() as number;
      const pageCount = db.pragma('page_count', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      return {
        conversations,
        recordJson: Math.round(recordJson),
        state: per(pages(['conversations', ...indexesOf('conversations')])),
        processedMarks: per(pages(['processed', ...indexesOf('processed')])),
        outbox: per(pages(['outbox', ...indexesOf('outbox')])),
        file: per(pageCount * pageSize),
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function processMemory(store: 'memory' | 'sqlite', conversations: number, expected: string[][]): Promise<ProcessMemory> {
  const dir = mkdtempSync(join(tmpdir(), 'vv-bench-heap-'));
  try {
    const engine = await engineContender(store === 'memory' ? 'memory:' : join(dir, 'heap.sqlite'));
    collectGarbage();
    const before = process.memoryUsage();
    let peak = 0;
    const result = await drive(engine, {
      concurrency: conversations,
      conversations,
      expected,
      onRoundStarted: () => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      },
    });
    collectGarbage();
    const after = process.memoryUsage();
    await engine.close();
    const scale = 100_000 / conversations;
    return {
      store,
      conversations,
      peakHeapPer100k: Math.round((peak - before.heapUsed) * scale),
      retainedHeapPer100k: Math.round((after.heapUsed - before.heapUsed) * scale),
      rssPer100k: Math.round((after.rss - before.rss) * scale),
      turnsPerSecond: result.turnsPerSecond,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
