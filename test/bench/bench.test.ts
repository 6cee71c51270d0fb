import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openContender, CONTENDERS } from '../../bench/contenders';
import { peerTexts } from '../../bench/peers/texts';
import { quickPlan } from '../../bench/plan';
import { checkTargets } from '../../bench/report/targets';
import { runBench } from '../../bench/run';
import { drive, type Contender, type StoreKind } from '../../bench/workload/driver';
import { PACKING_TURNS, expectedTexts, repliesMatch } from '../../bench/workload/packing';
import { describeWithPostgres } from '../support/postgres';

/**
 * The benchmark's code, at a size that takes seconds: every contender plays
 * the packing conversation and its replies pass the check, a wrong reply is
 * caught, and one whole quick run writes its results and documentation.
 * Nothing here is timed: speed is measured by `npm run bench`, not by tests.
 */
jest.setTimeout(180_000);

const expected = expectedTexts();
const texts = peerTexts();

async function playedBy(name: (typeof CONTENDERS)[number], store: StoreKind) {
  const contender = await openContender(name, store, texts);
  try {
    return await drive(contender, { concurrency: 3, conversations: 6, expected });
  } finally {
    await contender.close();
  }
}

describe('the reply check', () => {
  it('takes the expected texts, with a numbered list after a blank line, and nothing else', () => {
    const [welcome, where] = expected[0]!;
    expect(repliesMatch([welcome!, `${where!}\n\n1. Australia`], expected[0]!)).toBe(true);
    expect(repliesMatch([welcome!], expected[0]!)).toBe(false);
    expect(repliesMatch([welcome!, `${where!} and more`], expected[0]!)).toBe(false);
    expect(repliesMatch([where!, welcome!], expected[0]!)).toBe(false);
  });

  it('counts every turn answered wrongly, so a contender that goes astray has its numbers voided', async () => {
    const offByOne: Contender = {
      turn: async (_c, index) => [...(expected[Math.min(index + 1, PACKING_TURNS.length - 1)] ?? [])],
      close: async () => undefined,
    };
    const result = await drive(offByOne, { concurrency: 2, conversations: 4, expected });
    expect(result.mismatches).toBe(4 * (PACKING_TURNS.length - 1));
    expect(result.firstMismatch).toMatchObject({ turn: 0 });
  });
});

describe.each(['memory', 'sqlite'] as const)('on %s', (store) => {
  it.each(CONTENDERS)('%s answers every turn of the packing conversation as expected', async (name) => {
    const result = await playedBy(name, store);
    expect(result.mismatches).toBe(0);
    expect(result.turns).toBe(6 * PACKING_TURNS.length);
  });
});

describeWithPostgres('on PostgreSQL', () => {
  it.each(CONTENDERS)('%s answers every turn of the packing conversation as expected', async (name) => {
    const result = await playedBy(name, 'postgres');
    expect(result.mismatches).toBe(0);
  });
});

describe('a quick run of every section', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vv-bench-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the results, the chart and docs/performance.md with every target checked', async () => {
    const previous = process.env.BENCH_POSTGRES;
    // PostgreSQL has its own case above; here it would only make the run longer.
    process.env.BENCH_POSTGRES = 'false';
    const lines: string[] = [];
    try {
      await runBench({ plan: quickPlan(), resultsDir: join(dir, 'results'), docsDir: join(dir, 'docs'), log: (l) => lines.push(l) });
    } finally {
      if (previous === undefined) delete process.env.BENCH_POSTGRES;
      else process.env.BENCH_POSTGRES = previous;
    }
    const result = JSON.parse(readFileSync(join(dir, 'results', 'latest.json'), 'utf8'));
    for (const cell of result.throughput.cells) expect(cell.mismatches).toBe(0);
    expect(result.http.map((h: { target: string; botApiLatencyMs?: number }) => [h.target, h.botApiLatencyMs ?? 0])).toEqual([
      ['webchat', 0],
      ['telegram', 0],
      ['telegram', 20],
    ]);
    for (const h of result.http) expect(h.errors).toBe(0);
    expect(result.growth.levels).toHaveLength(2);
    expect(result.memory.stored.recordJson).toBeGreaterThan(0);
    // A messaging app holds the chat, so nothing delivered stays; the web chat's page reads its replies back.
    expect(result.memory.stored.outbox.data).toBe(0);
    expect(result.memory.storedWithHistory.outbox.data).toBeGreaterThan(0);
    // The parts timed alone, and the promises each contender makes a turn (the engine's chain makes more than the table's).
    expect(result.parts.parts).toHaveLength(5);
    for (const part of result.parts.parts) expect(part.micros.median).toBeGreaterThan(0);
    const promises = Object.fromEntries(result.parts.promisesPerTurn.map((p: { contender: string; promises: number }) => [p.contender, p.promises]));
    expect(Object.keys(promises).sort()).toEqual(['botframework', 'engine', 'table']);
    expect(promises.engine).toBeGreaterThan(promises.table);

    const targets = checkTargets(result);
    expect(targets.map((t) => t.target)).toEqual(expect.arrayContaining([expect.stringMatching(/10× Bot Framework/)]));
    const doc = readFileSync(join(dir, 'docs', 'performance.md'), 'utf8');
    for (const t of targets) expect(doc).toContain(t.target);
    expect(doc).toContain('![Turns a second per engine and store](performance.svg)');
    expect(doc).toContain("Parts of the engine's turn");
    expect(doc).toContain('Promises created per turn in memory');
    const svg = readFileSync(join(dir, 'docs', 'performance.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<rect class="bar"/g)?.length).toBe(result.throughput.cells.length);
    expect(lines.join('\n')).toContain('Targets');
  });
});
