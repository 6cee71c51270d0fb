import type { CommittedTurn } from '../../src/conversation/engine';
import { silentLogger } from '../../src/conversation/logger';
import type { TurnFact } from '../../src/conversation/turn';
import { InsightRecorder } from '../../src/insight/recorder';
import type { InsightIncrement } from '../../src/insight/store';
import { MemoryInsightStore } from '../../src/store/insight-memory';

const DAY_MS = 24 * 60 * 60 * 1000;
const MORNING = Date.parse('2026-03-14T09:00:00Z');

/** The store's own counting, with every batch it was given kept for the test to read. */
class RecordingStore extends MemoryInsightStore {
  readonly batches: InsightIncrement[][] = [];
  override async add(increments: readonly InsightIncrement[]): Promise<void> {
    this.batches.push([...increments]);
    await super.add(increments);
  }
  get written(): string[] {
    return this.batches.flat().map((i) => `${i.day} ${i.metric} ${i.dimension}`);
  }
}

let store: RecordingStore;
let recorder: InsightRecorder;

beforeEach(() => {
  store = new RecordingStore();
  recorder = new InsightRecorder({
    store,
    pseudonymise: (channel, userId) => `${channel}:${userId}`,
    organisationFor: async () => 'org',
    cases: { getCase: async () => null, listMessages: async () => [] },
    log: silentLogger,
    flushMs: 60_000,
  });
});

afterEach(() => recorder.close());

function turn(over: Partial<CommittedTurn> & { facts?: TurnFact[] } = {}): CommittedTurn {
  return {
    ref: { channel: 'web', conversationId: 'c', userId: 'u' },
    conversationKey: 'web:c',
    isNew: false,
    unprompted: false,
    locale: 'en',
    country: { current: 'MY', origin: 'NP' },
    facts: [],
    now: MORNING,
    ...over,
  };
}

test('a person’s language and countries count once a day, and again when they change or the day does', async () => {
  recorder.committed(turn({ isNew: true }));
  recorder.committed(turn({ now: MORNING + 60_000 }));
  recorder.committed(turn({ now: MORNING + 120_000, locale: 'ne' }));
  recorder.committed(turn({ now: MORNING + 180_000, locale: 'ne' }));
  recorder.committed(turn({ now: MORNING + 240_000, locale: 'ne', country: { current: 'SG', origin: 'NP' } }));
  recorder.committed(turn({ now: MORNING + DAY_MS, locale: 'ne', country: { current: 'SG', origin: 'NP' } }));
  await recorder.flush();

  expect(store.written.sort()).toEqual(
    [
      '2026-03-14 conversation.started ',
      '2026-03-14 language.used en',
      '2026-03-14 country.current MY',
      '2026-03-14 country.origin NP',
      '2026-03-14 language.used ne',
      '2026-03-14 country.current SG',
      '2026-03-15 language.used ne',
      '2026-03-15 country.current SG',
      '2026-03-15 country.origin NP',
    ].sort(),
  );
});

test('facts count on every turn, even when the person was already counted today', async () => {
  recorder.committed(turn());
  recorder.committed(turn({ facts: [{ type: 'flow.started', flow: 'packing' }] }));
  recorder.committed(turn({ facts: [{ type: 'flow.started', flow: 'packing' }] }));
  recorder.committed(turn({ facts: [{ type: 'flow.started', flow: 'menu' }] }));
  recorder.committed(turn({ facts: [{ type: 'sos' }] }));
  recorder.committed(turn({ unprompted: true, facts: [{ type: 'flow.finished', flow: 'packing' }] }));
  recorder.committed(turn({ unprompted: true }));
  await recorder.flush();

  expect(await store.counts('org', '2026-03-14', '2026-03-14')).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ metric: 'flow.started', dimension: 'packing', count: 2 }),
      expect.objectContaining({ metric: 'flow.finished', dimension: 'packing', count: 1 }),
      expect.objectContaining({ metric: 'sos.raised', count: 1 }),
      expect.objectContaining({ metric: 'language.used', dimension: 'en', count: 1 }),
    ]),
  );
  expect(store.written.filter((w) => w.includes('menu'))).toEqual([]);
});

test('after “delete my data” the person counts again as someone new that day', async () => {
  recorder.committed(turn());
  await recorder.forget('web', 'u');
  recorder.committed(turn({ now: MORNING + 60_000 }));
  await recorder.flush();

  expect(store.written.filter((w) => w.includes('language.used'))).toEqual(['2026-03-14 language.used en', '2026-03-14 language.used en']);
});
