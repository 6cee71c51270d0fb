import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drive } from '../workload/driver';
import { engineContender } from '../workload/engine';
import { collectGarbage } from '../gc';

/** One part of what is stored, per conversation. */
export interface StoredPart {
  /** Bytes of rows and index entries (dbstat's payload). */
  data: number;
  /** Bytes of the pages that hold them, free space in those pages included. */
  pages: number;
}

export interface StoredBytes {
  conversations: number;
  /** The record as JSON, on average. */
  recordJson: number;
  /** Per conversation, each part with its indexes (SQLite's dbstat). */
  state: StoredPart;
  processedMarks: StoredPart;
  outbox: StoredPart;
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
  /** Resident set size at the peak over that before the run, scaled to 100,000. */
  rssPer100k: number;
  turnsPerSecond: number;
}

export interface MemoryResult {
  /** On a messaging app's channel (Telegram, WhatsApp, Teams), which holds the chat itself. */
  stored: StoredBytes;
  /** On the web chat's, whose page reads its history back from the outbox. */
  storedWithHistory: StoredBytes;
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
  const stored = await storedBytes(options.storedConversations, options.expected, false);
  // Fewer conversations: bytes per conversation barely move with their number, and the run stays under 10 minutes.
  const storedWithHistory = await storedBytes(Math.ceil(options.storedConversations / 5), options.expected, true);
  const part = (p: StoredPart) => `${p.data} B (${p.pages} B of pages)`;
  for (const [name, s] of [['app channel', stored], ['web chat', storedWithHistory]] as const) {
    options.log(
      `  stored per conversation, ${name}: record JSON ${s.recordJson} B, state ${part(s.state)}, marks ${part(s.processedMarks)}, ` +
        `outbox ${part(s.outbox)}, whole file ${s.file} B`,
    );
  }
  const process: ProcessMemory[] = [];
  for (const store of ['memory', 'sqlite'] as const) {
    const figure = await processMemory(store, options.activeConversations, options.expected);
    process.push(figure);
    options.log(
      `  ${store.padEnd(6)} ${options.activeConversations.toLocaleString('en-GB')} active: peak heap ${mib(figure.peakHeapPer100k)} MiB, ` +
        `retained ${mib(figure.retainedHeapPer100k)} MiB, peak RSS +${mib(figure.rssPer100k)} MiB per 100,000`,
    );
  }
  return { stored, storedWithHistory, process };
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function storedBytes(conversations: number, expected: string[][], keepsHistory: boolean): Promise<StoredBytes> {
  const dir = mkdtempSync(join(tmpdir(), 'vv-bench-bytes-'));
  const file = join(dir, 'bytes.sqlite');
  try {
    const engine = await engineContender(file, { keepsHistory });
    await drive(engine, { concurrency: 1000, conversations, expected });
    await engine.close();
    const db = new Database(file);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      const per = (bytes: number) => Math.round(bytes / conversations);
      const indexesOf = (table: string) =>
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?").pluck().all(table) as string[];
      const partOf = (table: string): StoredPart => {
        const names = [table, ...indexesOf(table)];
        const row = db
          .prepare(`SELECT coalesce(sum(payload), 0) AS data, coalesce(sum(pgsize), 0) AS pages FROM dbstat WHERE name IN (${names.map(() => '?').join(', ')})`)
          .get(...names) as StoredPart;
        return { data: per(row.data), pages: per(row.pages) };
      };
      const recordJson = db.prepare("SELECT avg(length(CAST(data AS BLOB))) FROM conversations WHERE channel = 'bench'").pluck().get() as number;
      const pageCount = db.pragma('page_count', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      return {
        conversations,
        recordJson: Math.round(recordJson),
        state: partOf('conversations'),
        processedMarks: partOf('processed'),
        outbox: partOf('outbox'),
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
    let peakRss = 0;
    const result = await drive(engine, {
      concurrency: conversations,
      conversations,
      expected,
      onRoundStarted: () => {
        const now = process.memoryUsage();
        peak = Math.max(peak, now.heapUsed);
        peakRss = Math.max(peakRss, now.rss);
      },
    });
    collectGarbage();
    const after = process.memoryUsage().heapUsed;
    await engine.close();
    const scale = 100_000 / conversations;
    return {
      store,
      conversations,
      peakHeapPer100k: Math.round((peak - before.heapUsed) * scale),
      retainedHeapPer100k: Math.round((after - before.heapUsed) * scale),
      rssPer100k: Math.round((peakRss - before.rss) * scale),
      turnsPerSecond: result.turnsPerSecond,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
