import type { DeliveryOutcome } from '../../src/conversation/engine';
import { createTestBot } from '../support/bot';

/** A channel whose person reads the replies from the outbox itself, as the web chat's page does. */
function pageBot() {
  const bot = createTestBot({ keepsHistory: true, deliveredWhenSaved: true });
  const heard: { seq: number; outcome: DeliveryOutcome }[] = [];
  bot.engine.onDelivery((entries, outcome) => heard.push(...entries.map((e) => ({ seq: e.seq, outcome }))));
  return { bot, heard };
}

describe('a channel whose replies are delivered when saved (ChannelPort.deliveredWhenSaved)', () => {
  it('has a turn\'s replies saved delivered at the commit, sends nothing, and tells the delivery listeners', async () => {
    const { bot, heard } = pageBot();
    const send = jest.spyOn(bot.channel, 'send');

    const result = await bot.handle({ text: 'hi' });

    expect(send).not.toHaveBeenCalled();
    const rows = await bot.store.outboxSince(bot.key, 0, 10);
    expect(rows.map((r) => r.seq)).toEqual(result.seqs);
    expect(rows.every((r) => r.deliveredAt !== null && r.attempts === 0)).toBe(true);
    expect(await bot.store.pendingOutbox(10)).toEqual([]);
    expect(heard).toEqual(result.seqs!.map((seq) => ({ seq, outcome: { ok: true } })));
  });

  it("has an unprompted write (a caseworker's) saved delivered too, and says so", async () => {
    const { bot, heard } = pageBot();
    await bot.send('hi');
    heard.length = 0;

    const written = await bot.engine.write(bot.ref, 'case-reply-1', (turn) => turn.say({ key: 'common:error' }));

    expect(written).toMatchObject({ status: 'processed', delivered: true });
    expect(bot.channel.messages).toEqual([]);
    const rows = (await bot.store.repliesTo(bot.key, 'case-reply-1')) ?? [];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.deliveredAt).not.toBeNull();
    expect(heard).toEqual([{ seq: rows[0]!.seq, outcome: { ok: true } }]);
  });

  it('is refused without keepsHistory: a row saved delivered would never be deleted', () => {
    expect(() => createTestBot({ deliveredWhenSaved: true })).toThrow(/deliveredWhenSaved needs keepsHistory/);
  });
});
