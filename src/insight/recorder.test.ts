import type { CommittedTurn } from '../conversation/engine';
import type { Logger } from '../conversation/logger';
import type { Case, CaseMessage } from '../handoff/types';
import { MemoryInsightStore } from '../store/insight-memory';
import { pseudonymiser } from './pseudonym';
import { InsightRecorder, type RecorderOptions } from './recorder';
import type { InsightIncrement } from './store';

const NOW = Date.parse('2026-03-14T09:00:00Z');
const DAY = '2026-03-14';

function turn(over: Partial<CommittedTurn> = {}): CommittedTurn {
  return {
    ref: { channel: 'telegram', conversationId: '424242', userId: '424242' },
    conversationKey: 'telegram:424242',
    isNew: false,
    unprompted: false,
    locale: 'ne',
    country: { current: 'MY', origin: 'NP' },
    facts: [],
    now: NOW,
    ...over,
  };
}

class Lines implements Logger {
  readonly lines: object[] = [];
  info(obj: object): void {
    this.lines.push(obj);
  }
  warn(obj: object): void {
    this.lines.push(obj);
  }
  error(obj: object): void {
    this.lines.push(obj);
  }
  child(): Logger {
    return this;
  }
}

interface Harness {
  recorder: InsightRecorder;
  store: MemoryInsightStore;
  log: Lines;
  counts: () => Promise<[string, string, number][]>;
}

function harness(over: Partial<RecorderOptions> = {}, cases: { c?: Case; lines?: CaseMessage[] } = {}): Harness {
  const store = new MemoryInsightStore();
  const log = new Lines();
  const recorder = new InsightRecorder({
    store,
    pseudonymise: pseudonymiser(Buffer.alloc(32, 7)),
    organisationFor: async (country) => (country.current === 'MY' ? 'my-rc' : 'default'),
    cases: { getCase: async () => cases.c ?? null, listMessages: async () => cases.lines ?? [] },
    log,
    clock: () => NOW,
    // Long enough never to fire within a test: writes happen by size, flush or close.
    flushMs: 60_000,
    ...over,
  });
  const counts = async () => (await store.counts('my-rc', DAY, DAY)).map((c): [string, string, number] => [c.metric, c.dimension, c.count]);
  return { recorder, store, log, counts };
}

const harnesses: Harness[] = [];
const made = (...args: Parameters<typeof harness>) => {
  const h = harness(...args);
  harnesses.push(h);
  return h;
};

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.recorder.close();
});

describe('InsightRecorder', () => {
  it('buffers a turn’s counts and writes them on flush, menu left out', async () => {
    const { recorder, counts } = made();
    recorder.committed(
      turn({
        isNew: true,
        facts: [
          { type: 'flow.started', flow: 'menu' },
          { type: 'flow.finished', flow: 'menu' },
          { type: 'flow.started', flow: 'passport' },
          { type: 'flow.left', flow: 'passport', step: 'rule' },
          { type: 'flow.started', flow: 'packing' },
          { type: 'flow.finished', flow: 'packing' },
          { type: 'sos' },
        ],
      }),
    );
    await Promise.resolve();
    expect(await counts()).toEqual([]);

    await recorder.flush();
    expect(await counts()).toEqual([
      ['conversation.started', '', 1],
      ['country.current', 'MY', 1],
      ['country.origin', 'NP', 1],
      ['flow.finished', 'packing', 1],
      ['flow.left', 'passport/rule', 1],
      ['flow.started', 'packing', 1],
      ['flow.started', 'passport', 1],
      ['language.used', 'ne', 1],
      ['sos.raised', '', 1],
    ]);
  });

  it('counts a person’s language and countries once a day, however many turns', async () => {
    const { recorder, counts } = made();
    for (let i = 0; i < 5; i++) recorder.committed(turn());
    recorder.committed(turn({ ref: { channel: 'telegram', conversationId: '777', userId: '777' } }));
    await recorder.flush();
    expect((await counts()).filter(([m]) => m === 'language.used')).toEqual([['language.used', 'ne', 2]]);
  });

  it('counts neither a conversation start nor a person for a write nobody typed', async () => {
    const { recorder, counts } = made();
    recorder.committed(turn({ isNew: true, unprompted: true, facts: [{ type: 'flow.started', flow: 'danger' }] }));
    await recorder.flush();
    expect(await counts()).toEqual([['flow.started', 'danger', 1]]);
  });

  it('writes without waiting for the timer once a batch is full', async () => {
    const { recorder, store } = made({ maxBatch: 4 });
    const added: number[] = [];
    const add = store.add.bind(store);
    store.add = (batch: readonly InsightIncrement[]) => {
      added.push(batch.length);
      return add(batch);
    };
    recorder.committed(turn({ facts: [{ type: 'sos' }] }));
    // The lookup of the organisation, then the write it started.
    await new Promise((resolve) => setImmediate(resolve));
    expect(added).toEqual([4]);
  });

  it('logs a failed write and goes on; the turn never hears of it', async () => {
    const { recorder, store, log, counts } = made();
    const add = store.add.bind(store);
    store.add = () => Promise.reject(new Error('database is locked'));
    expect(() => recorder.committed(turn({ facts: [{ type: 'sos' }] }))).not.toThrow();
    await recorder.flush();
    expect(log.lines).toEqual([expect.objectContaining({ event: 'insight-write-failed', increments: 4 })]);

    store.add = add;
    recorder.committed(turn({ now: NOW + 1, facts: [{ type: 'sos' }] }));
    await recorder.flush();
    expect((await counts()).find(([m]) => m === 'sos.raised')).toEqual(['sos.raised', '', 1]);
  });

  it('logs a failed organisation lookup without throwing', async () => {
    const { recorder, log } = made({ organisationFor: () => Promise.reject(new Error('no connection')) });
    recorder.committed(turn());
    await recorder.flush();
    expect(log.lines).toEqual([expect.objectContaining({ event: 'insight-record-failed' })]);
  });

  it('counts cases opened by category and priority, on the clock’s day', async () => {
    const { recorder, counts } = made();
    recorder.handoffEvent({ type: 'case.opened', caseId: 'c1', organisationId: 'my-rc', category: 'danger', priority: 'urgent' });
    recorder.handoffEvent({ type: 'message.added', caseId: 'c1', organisationId: 'my-rc', author: 'person' });
    await recorder.flush();
    expect(await counts()).toEqual([['case.opened', 'danger/urgent', 1]]);
  });

  it('counts the time to a case’s first caseworker reply, and only the first', async () => {
    const c = { id: 'c1', organisationId: 'my-rc', createdAt: NOW } as Case;
    const line = (id: number, author: CaseMessage['author'], minutes: number) => ({ id, author, createdAt: NOW + minutes * 60_000 }) as CaseMessage;
    const lines = [line(1, 'person', 1), line(2, 'caseworker', 20)];
    const { recorder, counts } = made({}, { c, lines });
    const reply = () => recorder.handoffEvent({ type: 'message.added', caseId: 'c1', organisationId: 'my-rc', author: 'caseworker' });
    reply();
    await recorder.flush();
    lines.push(line(3, 'caseworker', 90));
    reply();
    await recorder.flush();
    expect(await counts()).toEqual([['case.first_reply', '15-60', 1]]);
  });

  it('forgets a person: buffered marks are written first, then removed', async () => {
    const { recorder, store, counts } = made();
    recorder.committed(turn());
    expect(await recorder.forget('telegram', '424242')).toBe(3);
    // The person is new to today's counts again, as far as marks can tell.
    recorder.committed(turn());
    await recorder.flush();
    expect((await counts()).find(([m]) => m === 'language.used')).toEqual(['language.used', 'ne', 2]);
    expect(await store.forget(pseudonymiser(Buffer.alloc(32, 7))('telegram', '424242'))).toBe(3);
  });

  it('counts a person again the same day when their language or country changes, and again the next day', async () => {
    const { recorder, store } = made();
    const later = (minutes: number, over: Partial<CommittedTurn> = {}) => turn({ now: NOW + minutes * 60_000, ...over });
    recorder.committed(later(0));
    recorder.committed(later(1));
    recorder.committed(later(2, { locale: 'en' }));
    recorder.committed(later(3, { locale: 'en' }));
    recorder.committed(later(4, { locale: 'en', country: { current: 'MY', origin: 'BD' } }));
    recorder.committed(later(24 * 60, { locale: 'en', country: { current: 'MY', origin: 'BD' } }));
    await recorder.flush();
    const rows = async (day: string) =>
      (await store.counts('my-rc', day, day)).map((c) => `${c.metric} ${c.dimension} ${c.count}`).sort();
    expect(await rows(DAY)).toEqual(['country.current MY 1', 'country.origin BD 1', 'country.origin NP 1', 'language.used en 1', 'language.used ne 1']);
    expect(await rows('2026-03-15')).toEqual(['country.current MY 1', 'country.origin BD 1', 'language.used en 1']);
  });

  it('counts facts on every turn, though the person was counted today already', async () => {
    const { recorder, counts } = made();
    recorder.committed(turn());
    recorder.committed(turn({ facts: [{ type: 'flow.started', flow: 'packing' }] }));
    recorder.committed(turn({ facts: [{ type: 'flow.started', flow: 'packing' }] }));
    recorder.committed(turn({ unprompted: true, facts: [{ type: 'flow.finished', flow: 'packing' }] }));
    recorder.committed(turn({ unprompted: true }));
    await recorder.flush();
    expect(await counts()).toEqual([
      ['country.current', 'MY', 1],
      ['country.origin', 'NP', 1],
      ['flow.finished', 'packing', 1],
      ['flow.started', 'packing', 2],
      ['language.used', 'ne', 1],
    ]);
  });

  it('counts a person again the same day after “delete my data”', async () => {
    const { recorder, counts } = made();
    recorder.committed(turn());
    await recorder.forget('telegram', '424242');
    recorder.committed(turn());
    await recorder.flush();
    expect((await counts()).find(([m]) => m === 'language.used')).toEqual(['language.used', 'ne', 2]);
  });

  it('writes what is left on close, and ignores what comes after', async () => {
    const { recorder, counts } = made();
    recorder.committed(turn({ facts: [{ type: 'sos' }] }));
    await recorder.close();
    recorder.committed(turn({ facts: [{ type: 'sos' }] }));
    await recorder.flush();
    expect((await counts()).find(([m]) => m === 'sos.raised')).toEqual(['sos.raised', '', 1]);
  });
});
