import { createTestBot, keysOf } from '../support';
import { placeIn } from '../support/situation';

describe('delete my data', () => {
  it('explains what is kept and asks before erasing', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'HK', 'PH');
    const replies = await bot.send('delete my data');
    expect(keysOf(replies)).toEqual(['privacy:explain']);
    expect(replies[0]!.buttons?.map((b) => b.payload)).toEqual(['data.erase.confirm', 'data.erase.cancel']);
    expect(await bot.record()).not.toBeNull();
  });

  it('keeps everything when the person says no', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'HK', 'PH');
    await bot.send('delete my data');
    const replies = await bot.press('data.erase.cancel');
    expect(keysOf(replies)[0]).toBe('privacy:kept');
    expect((await bot.record())!.country).toEqual({ current: 'HK', origin: 'PH' });
  });

  it('erases every conversation, mark and reply of the person, and says so', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'HK', 'PH');
    await bot.send('delete my data');
    const replies = await bot.press('data.erase.confirm');
    expect(keysOf(replies)).toEqual(['privacy:erased']);
    expect(await bot.record()).toBeNull();
    expect(await bot.store.outboxSince(bot.key, 0, 100)).toEqual([]);
    expect(await bot.store.isProcessed(bot.key, 'm1')).toBe(false);
    // The goodbye still reached the person, straight from the engine.
    expect(bot.channel.deliveries.at(-1)?.messages.map((m) => m.text).join()).toContain('deleted');
  });

  it('starts fresh afterwards', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'HK');
    await bot.send('delete my data');
    await bot.press('data.erase.confirm');
    const replies = await bot.send('hi');
    expect(keysOf(replies)[0]).toBe('common:welcome');
  });
});
