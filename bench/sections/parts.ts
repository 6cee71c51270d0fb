import { createHook } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { packingFlow } from '../../flows/packing/machine';
import type { Translator } from '../../src/conversation/i18n';
import { InboundMessageSchema } from '../../src/conversation/inbound';
import { PureMachine } from '../../src/conversation/pure-machine';
import { CONTENDERS, openContender, type ContenderName } from '../contenders';
import type { PeerTexts } from '../peers/texts';
import { spread, type Spread } from '../stats';
import { drive } from '../workload/driver';

/** One part of the engine's turn, timed alone in a loop: µs a call. */
export interface PartCost {
  part: string;
  micros: Spread;
  /** Whether every engine turn does it (the four parts); false for the yardstick of one await. */
  everyTurn: boolean;
}

export interface PartsResult {
  parts: PartCost[];
  /** Promises created per turn (async_hooks), in memory: each is an await, a callback or an async function. */
  promisesPerTurn: { contender: ContenderName; promises: number }[];
}

export interface PartsOptions {
  repetitions: number;
  /** Calls per timed loop. */
  calls: number;
  tr: Translator;
  texts: PeerTexts;
  expected: string[][];
}

/**
 * What a few mandatory parts of a turn cost on their own, hot, with nothing
 * else in between: a lower bound for the turn, since the real one also pays
 * for the caches it misses and the garbage it leaves. And how many promises
 * each contender makes a turn: how long its chain of asynchronous steps is.
 * Neither is compared with the peers' times; they explain where the engine's
 * turn goes, against the ratios the throughput section measures.
 */
export async function runParts(options: PartsOptions): Promise<PartsResult> {
  const parts: PartCost[] = [];
  for (const [part, call] of partCalls(options.tr)) {
    const values: number[] = [];
    loop(call, options.calls);
    for (let r = 0; r < options.repetitions; r++) values.push(loop(call, options.calls));
    parts.push({ part, micros: spread(values), everyTurn: true });
  }
  const values: number[] = [];
  for (let r = 0; r < options.repetitions; r++) values.push(await awaitCost(options.calls));
  parts.push({ part: 'one await of an async function (call, await, return)', micros: spread(values), everyTurn: false });

  const promisesPerTurn: PartsResult['promisesPerTurn'] = [];
  for (const contender of CONTENDERS) promisesPerTurn.push({ contender, promises: await countPromises(contender, options) });
  return { parts, promisesPerTurn };
}

function partCalls(tr: Translator): [string, () => unknown][] {
  const pure = new PureMachine(packingFlow.machine);
  const [intro] = pure.initial({ env: {} });
  const [first] = pure.transition(intro, { type: 'answer.yes' });
  // As the record keeps it: JSON, read back.
  const stored = JSON.parse(JSON.stringify(pure.persisted(first))) as { value: never; context: never };
  const next = { type: 'nav.next' } as const;
  const message = { channel: 'bench', conversationId: 'c1', userId: 'u1', messageId: 'c1.4', timestamp: 1_700_000_000_000, locale: 'en', text: 'next' };
  const record = JSON.stringify({ locale: 'en', flow: { id: 'packing', version: 1, snapshot: stored }, prompt: [{ key: 'packing:copies' }], pad: 'x'.repeat(200) });
  return [
    [
      'XState step of the packing flow (restore the stored snapshot, can, transition, persist)',
      () => {
        const snapshot = packingFlow.machine.resolveState({ value: stored.value, context: stored.context });
        snapshot.can(next);
        return pure.persisted(pure.transition(snapshot, next)[0]);
      },
    ],
    ['zod check of one inbound message', () => InboundMessageSchema.parse(message)],
    ['i18next text of one reply with parameters', () => tr.t('packing:copies', 'en', { step: 2, total: 8 })],
    [`JSON of a ${record.length} B record, parsed and written again`, () => JSON.stringify(JSON.parse(record))],
  ];
}

/** µs a call of `call`, over `calls` calls. */
function loop(call: () => unknown, calls: number): number {
  let sink: unknown;
  const started = performance.now();
  for (let i = 0; i < calls; i++) sink = call();
  const micros = ((performance.now() - started) * 1000) / calls;
  if (sink === Symbol.for('never')) throw new Error('unreachable');
  return micros;
}

async function step(i: number): Promise<number> {
  return i + 1;
}

async function awaitCost(calls: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < calls; i++) total += await step(i);
  const started = performance.now();
  for (let i = 0; i < calls; i++) total += await step(i);
  const micros = ((performance.now() - started) * 1000) / calls;
  if (total < 0) throw new Error('unreachable');
  return micros;
}

/** Promises created per turn by one contender in memory, at N = 100 once warmed up; not timed. */
async function countPromises(name: ContenderName, options: PartsOptions): Promise<number> {
  const contender = await openContender(name, 'memory', options.texts);
  try {
    await drive(contender, { concurrency: 100, conversations: 100, expected: options.expected });
    let promises = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === 'PROMISE') promises++;
      },
    }).enable();
    let turns: number;
    try {
      ({ turns } = await drive(contender, { concurrency: 100, conversations: 100, expected: options.expected, offset: 100 }));
    } finally {
      hook.disable();
    }
    return promises / turns;
  } finally {
    await contender.close();
  }
}
