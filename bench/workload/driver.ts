import { performance } from 'node:perf_hooks';
import { PACKING_TURNS, repliesMatch, type TurnInput } from './packing';

/** Where a contender keeps its state. */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

/** Anything that can hold the packing conversation: the engine or a peer. */
export interface Contender {
  /** Handles turn `index` of conversation `conversation`; resolves to the texts it replied. */
  turn(conversation: number, index: number, input: TurnInput): Promise<string[]>;
  close(): Promise<void>;
}

export interface DriveOptions {
  /** Conversations in flight at once, with their turns interleaved. */
  concurrency: number;
  /** Conversations in all: groups of `concurrency`, one group after another. */
  conversations: number;
  /** The expected texts per turn (expectedTexts()). */
  expected: readonly (readonly string[])[];
  /** The first conversation's number, so that runs on one store never reuse a conversation. */
  offset?: number;
  turns?: readonly TurnInput[];
  /** Called once a round's turns have all been started, before they are awaited (memory sampling). */
  onRoundStarted?: () => void;
}

export interface DriveResult {
  turns: number;
  ms: number;
  turnsPerSecond: number;
  /** Processor time (user and system) of this process per turn: less moved by other work on the machine than wall time. */
  cpuMicrosPerTurn: number;
  /** Turns whose replies were not the expected ones: any makes the run's numbers void. */
  mismatches: number;
  /** The first wrong answer, for the report. */
  firstMismatch?: { conversation: number; turn: number; replies: string[] };
}

/**
 * Runs the conversation `conversations` times: each group of `concurrency`
 * conversations takes turn 1 all at once, then turn 2, and so on, so that
 * turns of different conversations interleave and those of one never overlap.
 * Every reply is checked while timing; checking costs every contender the same.
 */
export async function drive(contender: Contender, options: DriveOptions): Promise<DriveResult> {
  const turns = options.turns ?? PACKING_TURNS;
  const offset = options.offset ?? 0;
  const size = Math.max(1, Math.min(options.concurrency, options.conversations));
  let mismatches = 0;
  let firstMismatch: DriveResult['firstMismatch'];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let group = 0; group < options.conversations; group += size) {
    const count = Math.min(size, options.conversations - group);
    for (let t = 0; t < turns.length; t++) {
      const input = turns[t]!;
      const expected = options.expected[t] ?? [];
      const pending: Promise<void>[] = new Array<Promise<void>>(count);
      for (let i = 0; i < count; i++) {
        const conversation = offset + group + i;
        pending[i] = contender.turn(conversation, t, input).then((replies) => {
          if (repliesMatch(replies, expected)) return;
          mismatches++;
          firstMismatch ??= { conversation, turn: t, replies };
        });
      }
      options.onRoundStarted?.();
      await Promise.all(pending);
    }
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const total = options.conversations * turns.length;
  const cpuMicrosPerTurn = (cpu.user + cpu.system) / total;
  return { turns: total, ms, turnsPerSecond: (total / ms) * 1000, cpuMicrosPerTurn, mismatches, ...(firstMismatch ? { firstMismatch } : {}) };
}
