import { silentLogger } from '../../src/conversation/logger';
import { Deliverer, type DelivererOptions, type DeliveryOutcome } from '../../src/conversation/delivery/deliverer';
import { PollingOutbox } from '../../src/conversation/delivery/polling';
import { DEFAULT_RETRY, nextAttemptAt } from '../../src/conversation/delivery/retry';
import { MemoryStore } from '../../src/store/memory';
import type { OutboxEntry, Store } from '../../src/store/store';
import { parseRef } from '../../src/conversation/record';
import { ScriptedChannel, commitReplies, eventually } from '../support/outbox';

const T0 = 1_700_000_000_000;

/** One worker process: a deliverer and its polling outbox, on a store and clock it may share with others. */
function worker(store: Store, channel: ScriptedChannel, clock: () => number, over: Partial<DelivererOptions> = {}) {
  const deliverer = new Deliverer({ store, channels: [channel], log: silentLogger, clock, ...over });
  const reports: { seq: number; outcome: DeliveryOutcome }[] = [];
  deliverer.onDelivery((entries, outcome) => reports.push(...entries.map((e) => ({ seq: e.seq, outcome }))));
  return { deliverer, outbox: new PollingOutbox(deliverer, { log: silentLogger }), reports };
}

// Twice: replies handed over alone (a poll, another worker) and as the run the committing worker delivers with the address it has.
describe.each([
  ['reply by reply', false],
  ['as one run', true],
])('the outbox, %s', (_mode, asRun) => {
  let now: number;
  let store: MemoryStore;
  let channel: ScriptedChannel;
  const clock = () => now;

  const dispatch = async (outbox: PollingOutbox, rows: OutboxEntry[]): Promise<void> => {
    const stored = asRun && rows[0] ? await store.getConversation(rows[0].conversationKey) : null;
    return outbox.dispatch(rows, stored ? parseRef(stored.data) : undefined);
  };

  beforeEach(() => {
    now = T0;
    store = new MemoryStore();
    channel = new ScriptedChannel('chat', clock);
  });

  it('settles the replies delivered before a failure, and the retry sends only the rest', async () => {
    const { outbox } = worker(store, channel, clock);
    channel.failures.set('b', 1);
    const rows = await commitReplies(store, 'chat', 'c1', ['a', 'b', 'c'], now);

    await dispatch(outbox, rows);

    expect(channel.textsTo('c1')).toEqual(['a']);
    // `a` went out, and left the outbox (the platform keeps the chat); `b` and `c` wait.
    const [b, c, ...none] = await store.outboxSince(rows[0]!.conversationKey, 0, 10);
    expect(b).toMatchObject({ seq: rows[1]!.seq, deliveredAt: null, attempts: 1, lastError: 'refused b', nextAttemptAt: T0 + 1_000 });
    expect(c).toMatchObject({ seq: rows[2]!.seq, deliveredAt: null, attempts: 0 });
    expect(none).toEqual([]);

    now += 1_000;
    expect(await outbox.poll()).toBe(2);
    expect(channel.textsTo('c1')).toEqual(['a', 'b', 'c']);
    expect(await store.pendingOutbox(10)).toEqual([]);
    expect(await outbox.poll()).toBe(0);
    expect(channel.calls).toBe(4);
  });

  it('keeps delivered replies only on a channel that serves its history from the outbox, like the web chat', async () => {
    const history = new ScriptedChannel('page', clock);
    history.keepsHistory = true;
    const { outbox } = worker(store, channel, clock, { channels: [channel, history] });
    history.failures.set('p2', 1);
    const chat = await commitReplies(store, 'chat', 'c1', ['c1', 'c2'], now);
    const page = await commitReplies(store, 'page', 'p', ['p1', 'p2'], now);

    await dispatch(outbox, chat);
    await dispatch(outbox, page);
    now += 1_000;
    expect(await outbox.poll()).toBe(1);

    expect([channel.textsTo('c1'), history.textsTo('p')]).toEqual([
      ['c1', 'c2'],
      ['p1', 'p2'],
    ]);
    // Deleted at delivery: nothing of what was said is kept, and the message still counts as handled.
    expect(await store.outboxSince(chat[0]!.conversationKey, 0, 10)).toEqual([]);
    expect(await store.repliesTo(chat[0]!.conversationKey, chat[0]!.messageId)).toEqual([]);
    // Kept, delivered, for the page to read back: the first at once, the second after its retry.
    expect((await store.outboxSince(page[0]!.conversationKey, 0, 10)).map((e) => [e.seq, e.deliveredAt, e.attempts])).toEqual([
      [page[0]!.seq, T0, 0],
      [page[1]!.seq, T0 + 1_000, 1],
    ]);
    expect(await store.pendingOutbox(10)).toEqual([]);
  });

  it("keeps each conversation's order under retries, while other conversations go on", async () => {
    const { outbox } = worker(store, channel, clock);
    channel.failures.set('x1', 2);
    await dispatch(outbox, await commitReplies(store, 'chat', 'x', ['x1', 'x2'], now));
    await dispatch(outbox, await commitReplies(store, 'chat', 'y', ['y1'], now));
    // A later turn of x waits behind its first reply too.
    await dispatch(outbox, await commitReplies(store, 'chat', 'x', ['x3'], now));
    expect(channel.sent.map((s) => s.text)).toEqual(['y1']);

    now += 1_000;
    await outbox.poll();
    expect(channel.textsTo('x')).toEqual([]);
    now += 1_999;
    expect(await outbox.poll()).toBe(0);
    now += 1;
    expect(await outbox.poll()).toBe(3);
    expect(channel.textsTo('x')).toEqual(['x1', 'x2', 'x3']);
  });

  it('backs off twice as long after each failure up to the cap, gives up after the last attempt, then the next reply goes', async () => {
    const retry = { baseMs: 1_000, maxMs: 4_000, maxAttempts: 5 };
    const { outbox, reports } = worker(store, channel, clock, { retry });
    channel.failures.set('never', Infinity);
    const rows = await commitReplies(store, 'chat', 'c1', ['never', 'after'], now);

    await dispatch(outbox, rows);
    const waits: number[] = [];
    for (;;) {
      const [head] = await store.pendingOutbox(1);
      if (head?.seq !== rows[0]!.seq) break;
      waits.push(head.nextAttemptAt - now);
      now = head.nextAttemptAt;
      await outbox.poll();
    }

    expect(waits).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect((await store.outboxSince(rows[0]!.conversationKey, 0, 1))[0]).toMatchObject({
      attempts: 5,
      failedAt: now,
      lastError: 'refused never',
      deliveredAt: null,
    });
    expect(channel.textsTo('c1')).toEqual(['after']);
    expect(reports.map((r) => [r.seq, r.outcome])).toEqual([
      ...Array.from({ length: 4 }, () => [rows[0]!.seq, { ok: false, error: 'refused never' }]),
      [rows[0]!.seq, { ok: false, error: 'refused never', gaveUp: true }],
      [rows[1]!.seq, { ok: true }],
    ]);
  });

  it('waits 1 s, 2 s, 4 s … 5 minutes by default, about an hour in all, before giving up', () => {
    const waits: number[] = [];
    for (let failed = 1; ; failed++) {
      const at = nextAttemptAt(DEFAULT_RETRY, failed, 0);
      if (at === null) break;
      waits.push(at);
    }
    expect(waits.slice(0, 10)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300].map((s) => s * 1000));
    expect(waits).toHaveLength(DEFAULT_RETRY.maxAttempts - 1);
    expect(waits.reduce((a, b) => a + b, 0) / 60_000).toBeCloseTo(58.5, 1);
  });

  it('lets a reply held by a worker that died wait only until its lease runs out, then another sends it once', async () => {
    const rows = await commitReplies(store, 'chat', 'c1', ['a', 'b'], now);
    // The first worker leased the row, then its process died before sending.
    expect(await store.claimOutbox(rows[0]!.seq, { owner: 'dead', now, until: now + 30_000 })).not.toBeNull();
    const { outbox } = worker(store, channel, clock, { leaseMs: 30_000 });

    expect(await outbox.poll()).toBe(0);
    now += 29_999;
    expect(await outbox.poll()).toBe(0);
    now += 1;
    expect(await outbox.poll()).toBe(2);
    expect(channel.textsTo('c1')).toEqual(['a', 'b']);
  });

  it('sends every reply once and in order when two workers race over the same store', async () => {
    const slow = new ScriptedChannel('chat', clock);
    // Every send yields, so that the two workers' steps interleave.
    const send = slow.send.bind(slow);
    slow.send = async (ref, messages) => {
      await new Promise((resolve) => setImmediate(resolve));
      await send(ref, messages);
    };
    const one = worker(store, slow, clock);
    const two = worker(store, slow, clock);
    const conversations = Array.from({ length: 30 }, (_, i) => `c${i}`);
    for (const id of conversations) await commitReplies(store, 'chat', id, [`${id}-1`, `${id}-2`, `${id}-3`], now);
    for (const id of conversations.slice(0, 10)) await commitReplies(store, 'chat', id, [`${id}-4`], now);

    await Promise.all([one.outbox.poll(), two.outbox.poll(), one.outbox.poll(), two.outbox.poll()]);

    expect(slow.sent).toHaveLength(100);
    for (const [i, id] of conversations.entries()) {
      expect(slow.textsTo(id)).toEqual([1, 2, 3, ...(i < 10 ? [4] : [])].map((n) => `${id}-${n}`));
    }
    expect(await store.pendingOutbox(10)).toEqual([]);
  });

  it('keeps the lease of a slow send alive, so no other worker sends it too', async () => {
    const real = new ScriptedChannel('chat');
    const release = real.hold();
    const rows = await commitReplies(store, 'chat', 'c1', ['slow'], Date.now());
    const first = worker(store, real, Date.now, { leaseMs: 300 });
    const second = worker(store, real, Date.now, { leaseMs: 300 });

    const sending = dispatch(first.outbox, rows);
    await eventually(() => real.calls === 1);
    // Several leases long: the holder renews every 100 ms, so the other worker finds nothing to take.
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      expect(await second.outbox.poll()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    release();
    await sending;

    expect(real.calls).toBe(1);
    expect(real.textsTo('c1')).toEqual(['slow']);
  });

  it('when stopped, finishes the send in flight, starts no other, and hands its leases back', async () => {
    const { outbox, deliverer } = worker(store, channel, clock);
    const release = channel.hold();
    const rows = await commitReplies(store, 'chat', 'c1', ['first', 'second'], now);
    const sending = dispatch(outbox, rows);
    await eventually(() => channel.calls === 1);

    const stopped = outbox.stop();
    release();
    await Promise.all([sending, stopped]);

    expect(channel.textsTo('c1')).toEqual(['first']);
    // The second reply is free for the next worker: due, and leased by no one.
    expect((await store.dueOutbox(now, ['chat'], 10)).map((e) => e.seq)).toEqual([rows[1]!.seq]);
    expect(await store.releaseOutbox(deliverer.owner)).toBe(0);
    await dispatch(outbox, await commitReplies(store, 'chat', 'c2', ['after stop'], now));
    expect(channel.textsTo('c2')).toEqual([]);
  });

  it('has nothing to send for a conversation erased while its reply waited', async () => {
    const { outbox } = worker(store, channel, clock);
    channel.failures.set('a', 1);
    await dispatch(outbox, await commitReplies(store, 'chat', 'c1', ['a'], now));
    await store.deleteUser('chat', 'user-c1');

    now += 60_000;
    expect(await outbox.poll()).toBe(0);
    expect(channel.sent).toEqual([]);
  });
});
