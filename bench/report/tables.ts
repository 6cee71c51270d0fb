import { CONTENDERS, type ContenderName } from '../contenders';
import type { BenchResult } from '../result';
import type { StoredBytes, StoredPart } from '../sections/memory';
import { fmt, fmtSpread } from '../stats';

/** A table as header and rows of cells, printed to the console or written as Markdown. */
export interface Table {
  title: string;
  head: string[];
  rows: string[][];
}

export function throughputTable(result: BenchResult): Table {
  const rows: string[][] = [];
  const levels = [...new Set(result.throughput.cells.map((c) => `${c.store}|${c.concurrency}`))];
  for (const level of levels) {
    const [store, n] = level.split('|') as [string, string];
    const concurrency = Number(n);
    const at = (c: ContenderName) => result.throughput.cells.find((x) => x.store === store && x.concurrency === concurrency && x.contender === c);
    const ratio = (peer: 'botframework' | 'table') =>
      result.throughput.ratios.find((r) => r.store === store && r.concurrency === concurrency && r.peer === peer)?.ratio;
    const first = at('engine');
    rows.push([
      store,
      concurrency.toLocaleString('en-GB'),
      (first?.conversations ?? 0).toLocaleString('en-GB'),
      ...CONTENDERS.map((c) => {
        const x = at(c);
        if (!x) return '–';
        return x.mismatches > 0 ? `void: ${x.mismatches} wrong replies` : fmtSpread(x.turnsPerSecond);
      }),
      ...(['botframework', 'table'] as const).map((p) => {
        const r = ratio(p);
        return r ? `${fmtSpread(r)}` : '–';
      }),
    ]);
  }
  return {
    title: 'Turns a second (min / median / max over repetitions) and ratios (engine ÷ peer, per repetition)',
    head: ['store', 'N', 'conversations', 'engine', 'Bot Framework', 'table', 'engine ÷ Bot Framework', 'engine ÷ table'],
    rows,
  };
}

export function cpuTable(result: BenchResult): Table {
  const levels = [...new Set(result.throughput.cells.map((c) => `${c.store}|${c.concurrency}`))];
  return {
    title: 'Processor time of the benchmark process per turn, in µs (min / median / max): less moved by other work on the machine than turns a second',
    head: ['store', 'N', ...CONTENDERS.map((c) => LABELS_SHORT[c])],
    rows: levels.map((level) => {
      const [store, n] = level.split('|') as [string, string];
      const at = (c: ContenderName) =>
        result.throughput.cells.find((x) => x.store === store && x.concurrency === Number(n) && x.contender === c)?.cpuMicrosPerTurn;
      return [store, Number(n).toLocaleString('en-GB'), ...CONTENDERS.map((c) => (at(c) ? fmtSpread(at(c)!) : '–'))];
    }),
  };
}

const LABELS_SHORT: Record<ContenderName, string> = { engine: 'engine', botframework: 'Bot Framework', table: 'table' };

/** The parts of a turn timed alone, and the promises a turn makes; none for results written before they were measured. */
export function partsTables(result: BenchResult): Table[] {
  if (!result.parts) return [];
  return [
    {
      title:
        'Parts of the engine\'s turn, each timed alone in a loop, hot (µs a call, min / median / max): a lower bound for what they ' +
        'cost inside a real turn, which also pays for the caches it misses and the garbage it leaves',
      head: ['part', 'µs a call'],
      rows: result.parts.parts.map((p) => [p.part, fmtSpread(p.micros)]),
    },
    {
      title: 'Promises created per turn in memory (async_hooks; the benchmark driver\'s own, the same for each, included)',
      head: ['contender', 'promises a turn'],
      rows: result.parts.promisesPerTurn.map((p) => [LABELS_SHORT[p.contender], fmt(p.promises)]),
    },
  ];
}

export function httpTable(result: BenchResult): Table {
  return {
    title:
      'HTTP (autocannon; min / median / max over repetitions). "Kept alive" leaves out each connection\'s first request, which ' +
      'autocannon times from before it has opened the connection: against a server that answers at once, up to a second at 256 connections',
    head: ['endpoint', 'connections', 'requests a second', 'p50 ms', 'p99 ms', 'kept alive p50 ms', 'kept alive p99 ms', 'errors', 'requests'],
    rows: result.http.map((h) => [
      h.target === 'webchat'
        ? 'POST /api/webchat/messages'
        : `POST /telegram/webhook${h.botApiLatencyMs ? ` (Bot API ${h.botApiLatencyMs} ms away, ${h.chatsPerConnection ?? 1} chats a connection)` : ''}`,
      String(h.connections),
      fmtSpread(h.requestsPerSecond),
      fmtSpread(h.p50Ms),
      fmtSpread(h.p99Ms),
      fmtSpread(h.keptAliveP50Ms),
      fmtSpread(h.keptAliveP99Ms),
      String(h.errors),
      h.requests.toLocaleString('en-GB'),
    ]),
  };
}

export function growthTable(result: BenchResult): Table {
  return {
    title: `Growth: the engine on one SQLite file as it fills (N = ${result.plan.levels.find((l) => l.concurrency === 1000)?.concurrency ?? 1000} in flight)`,
    head: ['stored conversations', 'turns a second', 'µs a turn', 'file'],
    rows: result.growth.levels.map((l) => [
      l.stored.toLocaleString('en-GB'),
      fmtSpread(l.turnsPerSecond),
      fmtSpread(l.microsPerTurn),
      `${fmt(l.fileBytes / 2 ** 20)} MiB`,
    ]),
  };
}

export function memoryTables(result: BenchResult): Table[] {
  const s = result.memory.stored;
  const w = result.memory.storedWithHistory;
  const both = (pick: (b: StoredBytes) => StoredPart) => [`${pick(s).data} B`, `${pick(s).pages} B`, `${pick(w).data} B`, `${pick(w).pages} B`];
  const sum = (b: StoredBytes): StoredPart => ({
    data: b.state.data + b.processedMarks.data + b.outbox.data,
    pages: b.state.pages + b.processedMarks.pages + b.outbox.pages,
  });
  return [
    {
      title:
        `Bytes stored per conversation (SQLite, after ${s.conversations.toLocaleString('en-GB')} packing conversations; ` +
        `${w.conversations.toLocaleString('en-GB')} for the web chat; data = rows and index entries, pages = the pages holding them, ` +
        `counted by dbstat; record JSON: ${s.recordJson} B). ` +
        'A messaging app (Telegram, WhatsApp, Teams) holds the chat itself, so a reply is deleted once delivered; ' +
        'the web chat keeps its replies, which its page reads back as the history',
      head: ['part', 'data, app', 'pages, app', 'data, web chat', 'pages, web chat'],
      rows: [
        ['conversation row + indexes', ...both((b) => b.state)],
        ['processed marks + indexes', ...both((b) => b.processedMarks)],
        ['outbox + indexes', ...both((b) => b.outbox)],
        ['all three', ...both(sum)],
        ['whole file', '', `${s.file} B`, '', `${w.file} B`],
      ],
    },
    {
      title: 'Process memory per 100,000 active conversations (engine, all in flight at once; scaled to 100,000 when fewer were run)',
      head: ['store', 'conversations in flight', 'peak heap used (garbage included)', 'heap retained after (live)', 'peak RSS growth', 'turns a second'],
      rows: result.memory.process.map((p) => [
        p.store,
        p.conversations.toLocaleString('en-GB'),
        `${fmt(p.peakHeapPer100k / 2 ** 20)} MiB`,
        `${fmt(p.retainedHeapPer100k / 2 ** 20)} MiB`,
        `${fmt(p.rssPer100k / 2 ** 20)} MiB`,
        fmt(p.turnsPerSecond),
      ]),
    },
  ];
}

/** Plain-text columns for the console. */
export function printTable(table: Table, write: (line: string) => void): void {
  const widths = table.head.map((h, i) => Math.max(h.length, ...table.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  write(`\n${table.title}`);
  write(line(table.head));
  write(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of table.rows) write(line(row));
}

export function markdownTable(table: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${table.head.map(esc).join(' | ')} |`,
    `|${table.head.map(() => '---').join('|')}|`,
    ...table.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
