import { createTestBot, keysOf } from '../support';
import { placeIn } from '../support/situation';

describe('clear (discreet mode)', () => {
  it('says one neutral message that asks the channel to clear the chat first', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'HK', 'PH');
    const replies = await bot.send('clear');
    expect(keysOf(replies)).toEqual(['common:cleared']);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.clearBefore).toBe(true);
    expect(replies[0]!.buttons).toBeUndefined();
    // Nothing of the conversation is left to be said again.
    const record = await bot.record();
    expect(record!.flow).toBeNull();
    expect(record!.prompt).toEqual([]);
  });

  it('is the cmd.clear payload, /clear, and a word in other languages', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    for (const reply of [await bot.press('cmd.clear'), await bot.send('/clear'), await bot.send('chat saaf karo')]) {
      expect(keysOf(reply)).toEqual(['common:cleared']);
      expect(reply[0]!.clearBefore).toBe(true);
    }
  });

  it('marks no other reply', async () => {
    const bot = createTestBot();
    const replies = [...(await bot.send('hi')), ...(await bot.send('help'))];
    expect(replies.every((r) => r.clearBefore === undefined)).toBe(true);
  });
});
