import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { Translator, loadLocaleResources } from '../src/conversation/i18n';
import { availableStores } from './contenders';
import { describeMachine } from './machine';
import { peerTexts } from './peers/texts';
import { planFromEnv, type Plan } from './plan';
import { ADMIN_URL } from './postgres';
import { throughputChart } from './report/chart';
import { performanceMarkdown } from './report/markdown';
import { cpuTable, growthTable, httpTable, memoryTables, partsTables, printTable, throughputTable } from './report/tables';
import { checkTargets } from './report/targets';
import type { BenchResult } from './result';
import { runGrowth } from './sections/growth';
import { runHttp } from './sections/http';
import { runMemory } from './sections/memory';
import { runParts } from './sections/parts';
import { runThroughput } from './sections/throughput';
import { LOCALES_DIR, expectedTexts } from './workload/packing';

const ROOT = join(__dirname, '..');
const none = { data: 0, pages: 0 };
const noBytes = { conversations: 0, recordJson: 0, state: none, processedMarks: none, outbox: none, file: 0 };

export interface RunOptions {
  plan: Plan;
  /** Where results/<timestamp>.json and results/latest.json go. */
  resultsDir: string;
  /** Where performance.md and its chart go; null writes no documentation. */
  docsDir: string | null;
  log: (line: string) => void;
}

/** Runs every section of the plan, prints the tables, and writes the results and docs/performance.md. */
export async function runBench(options: RunOptions): Promise<BenchResult> {
  const { plan, log } = options;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const tr = new Translator(loadLocaleResources(LOCALES_DIR));
  const expected = expectedTexts(tr);
  const texts = peerTexts(tr);
  const stores = await availableStores();
  for (const s of stores) if (!s.ok) log(`${s.store}: skipped: ${s.reason}`);
  const machine = describeMachine(stores.some((s) => s.store === 'postgres' && s.ok) ? await postgresVersion() : null);
  log(`${machine.cores} × ${machine.cpu}, Node ${machine.node}, SQLite ${machine.sqlite}; load ${machine.loadAtStart.join(' ')}`);
  for (const note of plan.scaledDown) log(`note: ${note}`);

  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    log(`\n${name}`);
    const value = await fn();
    log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    return value;
  };
  const throughput = await timed('Engine and peers', () =>
    runThroughput({
      stores: stores.filter((s) => s.ok).map((s) => s.store),
      levels: plan.levels,
      repetitions: plan.repetitions,
      expected,
      texts,
      log,
    }),
  );
  const parts = plan.parts
    ? await timed('Parts of a turn', () => runParts({ ...plan.parts!, repetitions: plan.repetitions, tr, texts, expected }))
    : undefined;
  const http = plan.http ? await timed('HTTP', () => runHttp({ ...plan.http!, durationSeconds: plan.http!.seconds, expected, log })) : [];
  const growth = plan.growth
    ? await timed('Growth', () => runGrowth({ ...plan.growth!, expected, log }))
    : { levels: [], costRatio: { min: NaN, median: NaN, max: NaN, values: [] }, prefillSeconds: 0 };
  const memory = plan.memory
    ? await timed('Memory', () => runMemory({ ...plan.memory!, expected, log }))
    : { stored: noBytes, storedWithHistory: noBytes, process: [] };

  const result: BenchResult = {
    startedAt,
    durationSeconds: (performance.now() - started) / 1000,
    machine,
    plan: {
      repetitions: plan.repetitions,
      levels: plan.levels,
      scaledDown: plan.scaledDown,
      httpConnections: plan.http?.connections ?? [],
      httpSeconds: plan.http?.seconds ?? 0,
      growthLevels: plan.growth?.levels ?? [],
    },
    stores,
    throughput,
    http,
    growth,
    memory,
    ...(parts ? { parts } : {}),
  };
  report(result, options);
  return result;
}

/** Prints the tables and targets, and writes the results and the documentation. */
export function report(result: BenchResult, options: Pick<RunOptions, 'resultsDir' | 'docsDir' | 'log'>, newRun = true): void {
  const { log } = options;
  const targets = checkTargets(result);
  for (const table of [throughputTable(result), cpuTable(result), ...partsTables(result), httpTable(result), growthTable(result), ...memoryTables(result)]) printTable(table, log);
  log('\nTargets');
  for (const t of targets) log(`  ${t.met ? 'met    ' : 'NOT MET'}  ${t.target}: ${t.measured}${t.note ? ` (${t.note})` : ''}`);

  mkdirSync(options.resultsDir, { recursive: true });
  const json = `${JSON.stringify({ ...result, targets }, null, 2)}\n`;
  if (newRun) writeFileSync(join(options.resultsDir, `${result.startedAt.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(options.resultsDir, 'latest.json'), json);
  if (options.docsDir) {
    mkdirSync(options.docsDir, { recursive: true });
    writeFileSync(join(options.docsDir, 'performance.svg'), throughputChart(result.throughput.cells, 'Packing conversation: turns a second per engine and store'));
    writeFileSync(join(options.docsDir, 'performance.md'), performanceMarkdown(result, targets, 'performance.svg'));
  }
  log(`\nResults: ${join(options.resultsDir, 'latest.json')}${options.docsDir ? `; ${join(options.docsDir, 'performance.md')}` : ''}`);
}

async function postgresVersion(): Promise<string | null> {
  const client = new Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? null;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (require.main === module) {
  const options = {
    resultsDir: join(ROOT, 'bench', 'results'),
    docsDir: join(ROOT, 'docs'),
    log: (line: string) => process.stdout.write(`${line}\n`),
  };
  // --report: the tables and docs again from the last results, after a change to the report alone.
  const run = process.argv.includes('--report')
    ? Promise.resolve(report(JSON.parse(readFileSync(join(options.resultsDir, 'latest.json'), 'utf8')) as BenchResult, options, false))
    : runBench({ ...options, plan: planFromEnv(process.env) });
  run.then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
