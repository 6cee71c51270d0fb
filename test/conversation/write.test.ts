import { ConversationGoneError } from '../../src/conversation/engine';
import type { PollingOutbox } from '../../src/conversation/delivery/polling';
import type { OutboxEntry } from '../../src/store/store';
import { createTestBot, keysOf, type TestBot } from '../support';

/** A conversation that has started (so there is something to write to), with nothing delivered yet. */
async function started(): Promise<TestBot> {
  const bot = createTestBot();
  await bot.send('hi');
  bot.channel.deliveries.length = 0;
  return bot;
}

const T0 = 1_700_000_000_000;
const sayHelp = (turn: { say: (o: { key: string }) => void }) => turn.say({ key: 'common:help' });

describe('engine.write', () => {
  it('says something to a conversation unprompted, through the outbox, and delivers it', async () => {
    const bot = await started();
    const result = await bot.engine.write(bot.ref, 'case:1:reply:a', sayHelp);
    expect(result).toMatchObject({ status: 'processed', delivered: true });
    expect(keysOf(bot.channel.messages)).toEqual(['common:help']);
    // Written, then deleted at delivery (the platform keeps the chat): handled, with nothing left to show.
    expect(await bot.store.repliesTo(bot.key, 'case:1:reply:a')).toEqual([]);
    expect((await bot.store.outboxSince(bot.key, 0, 100)).filter((e) => e.messageId === 'case:1:reply:a')).toEqual([]);
  });

  it('writes once however often the same source id comes', async () => {
    const bot = await started();
    const rev = await bot.rev();
    await bot.engine.write(bot.ref, 'case:1:reply:a', sayHelp);
    const again = await bot.engine.write(bot.ref, 'case:1:reply:a', sayHelp);
    expect(again).toMatchObject({ status: 'duplicate', delivered: true });
    // Delivered replies are not kept on this channel, so a duplicate has none to give back.
    expect(again.replies).toEqual([]);
    expect(bot.channel.messages).toHaveLength(1);
    expect(await bot.rev()).toBe(rev + 1);
  });

  it('saves what the act changes in the record, in the same commit', async () => {
    const bot = await started();
    await bot.engine.write(bot.ref, 'w1', (turn) => {
      turn.record.caseId = 'case-7';
    });
    expect((await bot.record())?.caseId).toBe('case-7');
    expect(bot.channel.messages).toEqual([]);
  });

  it('writes nothing when the act throws', async () => {
    const bot = await started();
    const rev = await bot.rev();
    await expect(
      bot.engine.write(bot.ref, 'w1', (turn) => {
        turn.say({ key: 'common:help' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await bot.rev()).toBe(rev);
    expect(bot.channel.messages).toEqual([]);
    // The source id was not used up.
    expect(await bot.engine.write(bot.ref, 'w1', sayHelp)).toMatchObject({ status: 'processed' });
  });

  it('refuses a conversation that is gone, writing nothing', async () => {
    const bot = await started();
    await bot.send('delete my data');
    await bot.press('data.erase.confirm');
    await expect(bot.engine.write(bot.ref, 'w1', sayHelp)).rejects.toBeInstanceOf(ConversationGoneError);
    expect(await bot.record()).toBeNull();
    expect(await bot.store.repliesTo(bot.key, 'w1')).toBeNull();
  });

  it('refuses a channel this instance does not serve', async () => {
    const bot = await started();
    await expect(bot.engine.write({ ...bot.ref, channel: 'fax' }, 'w1', sayHelp)).rejects.toThrow(/not served/);
  });

  it('reports a failed delivery and leaves the replies in the outbox', async () => {
    const bot = await started();
    const reports: [string[], { ok: boolean; error?: string }][] = [];
    bot.engine.onDelivery((entries, outcome) => reports.push([entries.map((e) => e.messageId), outcome]));
    jest.spyOn(bot.channel, 'send').mockRejectedValueOnce(new Error('network down'));
    const result = await bot.engine.write(bot.ref, 'w1', sayHelp);
    expect(result).toMatchObject({ status: 'processed', delivered: false, error: 'network down' });
    expect(reports).toEqual([[['w1'], { ok: false, error: 'network down' }]]);
    expect((await bot.store.pendingOutbox(10)).map((e) => e.messageId)).toEqual(['w1']);
    // Asked again, the write says what it did and that it is not delivered yet.
    expect(await bot.engine.write(bot.ref, 'w1', sayHelp)).toMatchObject({ status: 'duplicate', delivered: false });
  });
});

describe('the outbox after a failed write', () => {
  /** A started conversation on a clock the test moves, and one round of the polling worker. */
  async function startedAt(now: { t: number }): Promise<TestBot & { poll: () => Promise<number> }> {
    const bot = createTestBot({ clock: () => now.t });
    await bot.send('hi');
    bot.channel.deliveries.length = 0;
    return { ...bot, poll: () => (bot.engine.outbox as PollingOutbox).poll() };
  }

  it('sends what failed once it is due, oldest first, and a later write waits behind it', async () => {
    const now = { t: T0 };
    const bot = await startedAt(now);
    jest.spyOn(bot.channel, 'send').mockRejectedValueOnce(new Error('down'));
    const reports: [string[], boolean][] = [];
    bot.engine.onDelivery((entries, outcome) => reports.push([entries.map((e) => e.messageId), outcome.ok]));

    expect(await bot.engine.write(bot.ref, 'w1', sayHelp)).toMatchObject({ delivered: false, error: 'down' });
    // Not tried: an earlier reply of the conversation is waiting, and nothing overtakes it.
    expect(await bot.engine.write(bot.ref, 'w2', (turn) => turn.say({ key: 'common:stopped' }))).toMatchObject({
      delivered: false,
      queued: true,
    });
    expect(await bot.poll()).toBe(0);

    now.t += 1_000;
    expect(await bot.poll()).toBe(2);
    expect(keysOf(bot.channel.messages)).toEqual(['common:help', 'common:stopped']);
    expect(reports).toEqual([
      [['w1'], false],
      [['w1'], true],
      [['w2'], true],
    ]);
    expect(await bot.store.pendingOutbox(10)).toEqual([]);
    expect(await bot.poll()).toBe(0);
  });

  it('backs off longer after each failure, and delivers once the channel takes it', async () => {
    const now = { t: T0 };
    const bot = await startedAt(now);
    const send = jest.spyOn(bot.channel, 'send');
    send.mockRejectedValueOnce(new Error('down'));
    await bot.engine.write(bot.ref, 'w1', sayHelp);
    send.mockRejectedValueOnce(new Error('still down'));
    now.t += 1_000;
    await bot.poll();

    const [row] = await bot.store.pendingOutbox(10);
    expect(row).toMatchObject({ messageId: 'w1', attempts: 2, lastError: 'still down', nextAttemptAt: now.t + 2_000 });
    now.t += 1_999;
    expect(await bot.poll()).toBe(0);
    now.t += 1;
    expect(await bot.poll()).toBe(1);
    expect(keysOf(bot.channel.messages)).toEqual(['common:help']);
  });

  it('never sends twice what was delivered, even when a stale list names it again', async () => {
    const now = { t: T0 };
    const bot = await startedAt(now);
    jest.spyOn(bot.channel, 'send').mockRejectedValueOnce(new Error('down'));
    await bot.engine.write(bot.ref, 'w1', sayHelp);
    now.t += 1_000;
    const stale: OutboxEntry[] = await bot.store.dueOutbox(now.t, ['test'], 10);
    expect(await bot.poll()).toBe(1);
    // As if the list had been read just before another worker delivered the same row.
    jest.spyOn(bot.store, 'dueOutbox').mockResolvedValueOnce(stale);
    expect(await bot.poll()).toBe(0);
    expect(bot.channel.messages).toHaveLength(1);
  });

  it('has nothing to send for a conversation erased since', async () => {
    const now = { t: T0 };
    const bot = await startedAt(now);
    jest.spyOn(bot.channel, 'send').mockRejectedValueOnce(new Error('down'));
    await bot.engine.write(bot.ref, 'w1', sayHelp);
    await bot.send('delete my data');
    await bot.press('data.erase.confirm');
    bot.channel.deliveries.length = 0;
    now.t += 60_000;
    expect(await bot.poll()).toBe(0);
    expect(bot.channel.messages).toEqual([]);
  });
});
