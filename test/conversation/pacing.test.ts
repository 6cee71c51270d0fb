import { Deliverer } from '../../src/conversation/delivery/deliverer';
import { MemoryPacer, type Pace, type Pacer } from '../../src/conversation/delivery/pacer';
import { PollingOutbox } from '../../src/conversation/delivery/polling';
import { silentLogger } from '../../src/conversation/logger';
import { MemoryStore } from '../../src/store/memory';
import { ScriptedChannel, commitReplies } from '../support/outbox';

const T0 = 1_700_000_000_000;

/** The most sends that fall in any window of `ms` (sends are times). */
function busiestWindow(times: readonly number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Books `n` sends at once and gives back the time of each slot. */
async function slots(pacer: Pacer, key: string, pace: Pace, n: number, now = T0): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(now + (await pacer.reserve(key, pace, now)));
  return times;
}

describe('pacing', () => {
  it('keeps a channel to its rate in every second, however many sends come at once', async () => {
    const times = await slots(new MemoryPacer(), 'telegram', { perSecond: 30, burst: 1 }, 300);
    expect(busiestWindow(times, 1_000)).toBe(30);
    // Evenly: one slot every 1/30 s, none lost.
    expect(times.at(-1)! - T0).toBe(Math.ceil((299 * 1000) / 30));
  });

  it('lets a quiet chat have a burst, then one a second', async () => {
    const times = await slots(new MemoryPacer(), 'telegram:chat', { perSecond: 1, burst: 3 }, 6);
    expect(times.map((t) => t - T0)).toEqual([0, 0, 0, 1_000, 2_000, 3_000]);
    // After a quiet spell the burst is there again.
    const later = await slots(new MemoryPacer(), 'k', { perSecond: 1, burst: 3 }, 3, T0 + 60_000);
    expect(later).toEqual([T0 + 60_000, T0 + 60_000, T0 + 60_000]);
  });

  it('keeps keys apart', async () => {
    const pacer = new MemoryPacer();
    const pace = { perSecond: 1, burst: 1 };
    expect(await pacer.reserve('a', pace, T0)).toBe(0);
    expect(await pacer.reserve('a', pace, T0)).toBe(1_000);
    expect(await pacer.reserve('b', pace, T0)).toBe(0);
  });

  it('forgets keys whose slots are all in the past, so memory stays bounded', async () => {
    const pacer = new MemoryPacer();
    for (let i = 0; i < 20_000; i++) await pacer.reserve(`chat-${i}`, { perSecond: 1, burst: 1 }, T0 + i * 10);
    expect(pacer.size).toBeLessThanOrEqual(10_001);
  });

  it('refuses a pace that means nothing', async () => {
    await expect(new MemoryPacer().reserve('k', { perSecond: 0, burst: 1 }, T0)).rejects.toThrow(RangeError);
    await expect(new MemoryPacer().reserve('k', { perSecond: 1, burst: 0.5 }, T0)).rejects.toThrow(RangeError);
  });
});

describe('the deliverer within rate limits', () => {
  let now: number;
  const clock = () => now;
  // The wait passes on the test's clock, at once.
  const sleep = async (ms: number) => {
    now += ms;
  };

  beforeEach(() => {
    now = T0;
  });

  it('sends no more than the overall rate in any second, across conversations', async () => {
    const store = new MemoryStore();
    const channel = new ScriptedChannel('chat', clock);
    const deliverer = new Deliverer({
      store,
      channels: [channel],
      log: silentLogger,
      clock,
      sleep,
      pacing: { chat: { overall: { perSecond: 10, burst: 1 } } },
    });
    const outbox = new PollingOutbox(deliverer, { log: silentLogger });
    for (let i = 0; i < 40; i++) await outbox.dispatch(await commitReplies(store, 'chat', `c${i}`, [`to ${i}`], now));

    expect(channel.sent).toHaveLength(40);
    expect(busiestWindow(channel.sent.map((s) => s.at), 1_000)).toBe(10);
  });

  it("spaces one chat's replies after its burst, holding each for its slot", async () => {
    const store = new MemoryStore();
    const channel = new ScriptedChannel('chat', clock);
    const deliverer = new Deliverer({
      store,
      channels: [channel],
      log: silentLogger,
      clock,
      sleep,
      pacing: { chat: { perConversation: { perSecond: 1, burst: 3 } } },
    });
    const outbox = new PollingOutbox(deliverer, { log: silentLogger });
    await outbox.dispatch(await commitReplies(store, 'chat', 'c1', ['1', '2', '3', '4', '5', '6'], now));
    await outbox.dispatch(await commitReplies(store, 'chat', 'c2', ['other'], now));

    expect(channel.sent.filter((s) => s.conversationId === 'c1').map((s) => s.at - T0)).toEqual([0, 0, 0, 1_000, 2_000, 3_000]);
    // Another chat has its own slots.
    expect(channel.sent.find((s) => s.conversationId === 'c2')?.at).toBe(T0 + 3_000);
    expect(await deliverer.store.pendingOutbox(10)).toEqual([]);
  });

  it('hands a reply back until its slot when the wait is long, and sends it then without booking again', async () => {
    const store = new MemoryStore();
    const channel = new ScriptedChannel('chat', clock);
    const booked: string[] = [];
    const pacer = new MemoryPacer();
    const counting: Pacer = {
      reserve: (key, pace, at) => {
        booked.push(key);
        return pacer.reserve(key, pace, at);
      },
    };
    const deliverer = new Deliverer({
      store,
      channels: [channel],
      log: silentLogger,
      clock,
      sleep,
      pacer: counting,
      maxInlineWaitMs: 500,
      pacing: { chat: { overall: { perSecond: 1, burst: 1 } } },
    });
    const [first] = await commitReplies(store, 'chat', 'c1', ['now'], now);
    const [second] = await commitReplies(store, 'chat', 'c2', ['later'], now);

    expect(await deliverer.attempt(first!.seq)).toMatchObject({ outcome: 'delivered' });
    expect(await deliverer.attempt(second!.seq)).toMatchObject({ outcome: 'paced', at: T0 + 1_000, booked: true });
    expect((await store.pendingOutbox(1))[0]).toMatchObject({ nextAttemptAt: T0 + 1_000, attempts: 0 });
    expect(await deliverer.attempt(second!.seq, true)).toEqual({ outcome: 'skipped' });

    now = T0 + 1_000;
    expect(await deliverer.attempt(second!.seq, true)).toMatchObject({ outcome: 'delivered' });
    expect(booked).toEqual(['chat', 'chat']);
    expect(channel.sent.map((s) => [s.text, s.at - T0])).toEqual([
      ['now', 0],
      ['later', 1_000],
    ]);
  });

  it('holds a reply back a moment, and books again, when the pacer cannot be asked', async () => {
    const store = new MemoryStore();
    const channel = new ScriptedChannel('chat', clock);
    const deliverer = new Deliverer({
      store,
      channels: [channel],
      log: silentLogger,
      clock,
      pacer: { reserve: () => Promise.reject(new Error('Redis is away')) },
      pacing: { chat: { overall: { perSecond: 1, burst: 1 } } },
    });
    const [row] = await commitReplies(store, 'chat', 'c1', ['wait'], now);

    expect(await deliverer.attempt(row!.seq)).toMatchObject({ outcome: 'paced', at: T0 + 1_000, booked: false });
    expect(channel.sent).toEqual([]);
    expect((await store.pendingOutbox(1))[0]).toMatchObject({ nextAttemptAt: T0 + 1_000, attempts: 0, lastError: null });
  });
});
