import { CONTENDERS, openContender, type ContenderName } from '../contenders';
import { collectGarbage } from '../gc';
import type { PeerTexts } from '../peers/texts';
import { ratios, spread, type Spread } from '../stats';
import { drive, type StoreKind } from '../workload/driver';

export interface ThroughputLevel {
  /** Conversations in flight at once. */
  concurrency: number;
  /** Conversations per repetition (groups of `concurrency`, one after another). */
  conversations: number;
  /**
   * The same on PostgreSQL, where every contender is an order of magnitude
   * slower (a network round trip per statement); null: not run there.
   */
  postgresConversations?: number | null;
}

export interface ThroughputCell {
  store: StoreKind;
  concurrency: number;
  conversations: number;
  contender: ContenderName;
  turnsPerSecond: Spread;
  /** Processor time of the benchmark's process per turn, in µs. */
  cpuMicrosPerTurn: Spread;
  /** Turns with wrong replies over all repetitions: any voids the cell. */
  mismatches: number;
  firstMismatch?: { conversation: number; turn: number; replies: string[] };
}

export interface RatioCell {
  store: StoreKind;
  concurrency: number;
  /** The engine's turns a second over this peer's, one ratio per repetition. */
  peer: Exclude<ContenderName, 'engine'>;
  ratio: Spread;
}

export interface ThroughputResult {
  cells: ThroughputCell[];
  ratios: RatioCell[];
}

export interface ThroughputOptions {
  stores: StoreKind[];
  levels: ThroughputLevel[];
  repetitions: number;
  expected: string[][];
  texts: PeerTexts;
  log: (line: string) => void;
}

/**
 * Every contender on every store at every level, several times. Within a
 * repetition all contenders run back to back on fresh stores (in an order
 * that rotates between repetitions), so each ratio compares runs made under
 * the same conditions.
 */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const { stores, levels, repetitions, expected, texts, log } = options;
  const values = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  const mismatches = new Map<string, { count: number; first?: ThroughputCell['firstMismatch'] }>();
  const key = (store: StoreKind, concurrency: number, contender: ContenderName) => `${store}|${concurrency}|${contender}`;

  for (const store of stores) {
    for (const name of CONTENDERS) {
      // Warm-up: JIT and caches, on a store thrown away afterwards.
      const warm = await openContender(name, store, texts);
      const conversations = store === 'postgres' ? 100 : 400;
      await drive(warm, { concurrency: 100, conversations, expected });
      await warm.close();
    }
  }
  for (let rep = 0; rep < repetitions; rep++) {
    for (const store of stores) {
      for (const level of levelsOn(store, levels)) {
        const order = CONTENDERS.map((_, i) => CONTENDERS[(i + rep) % CONTENDERS.length]!);
        for (const name of order) {
          const contender = await openContender(name, store, texts);
          let result;
          try {
            result = await drive(contender, { ...level, expected });
          } finally {
            await contender.close();
          }
          const k = key(store, level.concurrency, name);
          values.set(k, [...(values.get(k) ?? []), result.turnsPerSecond]);
          cpu.set(k, [...(cpu.get(k) ?? []), result.cpuMicrosPerTurn]);
          const seen = mismatches.get(k) ?? { count: 0 };
          seen.count += result.mismatches;
          seen.first ??= result.firstMismatch;
          mismatches.set(k, seen);
          log(
            `  rep ${rep + 1}/${repetitions} ${store.padEnd(8)} N=${String(level.concurrency).padEnd(7)} ${name.padEnd(12)} ` +
              `${Math.round(result.turnsPerSecond).toLocaleString('en-GB').padStart(9)} turns/s ` +
              `${Math.round(result.cpuMicrosPerTurn).toLocaleString('en-GB').padStart(6)} µs CPU a turn` +
              (result.mismatches > 0 ? `  ${result.mismatches} WRONG REPLIES` : ''),
          );
          // Each run leaves garbage behind; collect it so that it is not billed to the next contender.
          collectGarbage();
        }
      }
    }
  }

  const cells: ThroughputCell[] = [];
  const ratioCells: RatioCell[] = [];
  for (const store of stores) {
    for (const level of levelsOn(store, levels)) {
      for (const name of CONTENDERS) {
        const k = key(store, level.concurrency, name);
        const m = mismatches.get(k) ?? { count: 0 };
        cells.push({
          store,
          concurrency: level.concurrency,
          conversations: level.conversations,
          contender: name,
          turnsPerSecond: spread(values.get(k) ?? []),
          cpuMicrosPerTurn: spread(cpu.get(k) ?? []),
          mismatches: m.count,
          ...(m.first ? { firstMismatch: m.first } : {}),
        });
      }
      const engine = values.get(key(store, level.concurrency, 'engine')) ?? [];
      for (const peer of ['botframework', 'table'] as const) {
        ratioCells.push({
          store,
          concurrency: level.concurrency,
          peer,
          ratio: ratios(engine, values.get(key(store, level.concurrency, peer)) ?? []),
        });
      }
    }
  }
  return { cells, ratios: ratioCells };
}

/** The levels run on one store, with that store's number of conversations. */
export function levelsOn(store: StoreKind, levels: readonly ThroughputLevel[]): ThroughputLevel[] {
  if (store !== 'postgres') return [...levels];
  return levels.flatMap((l) =>
    l.postgresConversations === null ? [] : [{ concurrency: l.concurrency, conversations: l.postgresConversations ?? l.conversations }],
  );
}
