import { MemoryRateLimiter } from '../../src/conversation/rate-limit';
import { createTestBot, keysOf, type TestBot } from '../support';
import { translator } from '../support/english';
import { createHandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

/** 4 messages at once, then one every 2.5 s. */
const RULE = { burst: 4, perWindow: 4, windowMs: 10_000 };

function limitedBot(options: { conversationId?: string; handoff?: boolean } = {}) {
  let now = 1_700_000_000_000;
  const limiter = new MemoryRateLimiter(RULE);
  const make = options.handoff ? createHandoffBot : createTestBot;
  const bot = make({ rateLimiter: limiter, clock: () => now, conversationId: options.conversationId });
  return {
    bot,
    limiter,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Sends `menu` until `sent` plus these make the whole burst. */
async function spendBurst(bot: TestBot, sent: number): Promise<void> {
  for (let i = sent; i < RULE.burst; i++) await bot.send('menu');
}

describe('the per-conversation message limit', () => {
  it('tells the person once, in their language, with the emergency number, then drops the rest quietly', async () => {
    const { bot } = limitedBot();
    await bot.send('hi');
    await bot.send('नेपाली');
    await placeIn(bot, 'MY');
    await spendBurst(bot, 2);

    const told = await bot.send('menu');
    expect(told).toHaveLength(1);
    expect(told[0]!.locale).toBe('ne');
    const emergency = translator.t('common:emergency.single', 'ne', {
      country: { key: 'countries:MY' },
      number: '999',
    });
    expect(told[0]!.text).toBe(translator.t('common:slowDown', 'ne', { emergency }));

    for (let i = 0; i < 5; i++) expect(await bot.send('menu')).toEqual([]);
  });

  it('marks a dropped message processed, so that the channel’s retry of it is a duplicate', async () => {
    const { bot } = limitedBot();
    await bot.send('hi');
    await spendBurst(bot, 1);
    await bot.send('menu');
    const revBefore = await bot.rev();
    const dropped = await bot.handle({ text: 'menu', messageId: 'dropped-1' });
    expect(dropped).toEqual({ status: 'processed', replies: [] });
    expect(await bot.rev()).toBe(revBefore + 1);
    expect(await bot.store.isProcessed(bot.key, 'dropped-1')).toBe(true);
    expect(await bot.handle({ text: 'menu', messageId: 'dropped-1' })).toEqual({ status: 'duplicate', replies: [] });
  });

  it('leaves what the person was doing as it was', async () => {
    const { bot } = limitedBot();
    await bot.send('hi');
    await bot.press('flow.start:packing');
    await spendBurst(bot, 2);
    const before = await bot.record();
    await bot.send('menu');
    await bot.send('back');
    const after = await bot.record();
    expect(after?.flow).toEqual(before?.flow);
    expect(after?.choices).toEqual(before?.choices);
  });

  it('still gives the emergency number to a danger word, however fast the person writes', async () => {
    const { bot } = limitedBot();
    await placeIn(bot, 'QA');
    await spendBurst(bot, 1);
    await bot.send('menu');
    for (const word of ['sos', 'help me', 'I am in danger please']) {
      const replies = await bot.send(word);
      expect(keysOf(replies)[0]).toBe('common:emergency.single');
      expect(replies[0]!.text).toContain('999');
    }
    expect(keysOf(await bot.press('cmd.sos'))[0]).toBe('common:emergency.single');
  });

  it('during a case, a danger word still reaches the caseworker and makes the case urgent', async () => {
    const { bot } = limitedBot({ handoff: true });
    const handoffBot = bot as ReturnType<typeof createHandoffBot>;
    await placeIn(bot, 'QA');
    await bot.press('handoff.offer:other');
    await bot.press('handoff.consent.yes:other');
    await bot.send('are you there');
    const told = await bot.send('hello?');
    expect(keysOf(told)).toEqual(['common:slowDown']);

    const replies = await bot.send('help me');
    expect(keysOf(replies)).toEqual(['common:emergency.single', 'handoff:escalated']);
    const c = await handoffBot.currentCase();
    expect(c?.priority).toBe('urgent');
    const lines = await handoffBot.handoffStore.listMessages(c!.id);
    expect(lines.filter((l) => l.author === 'person').map((l) => l.text)).toEqual(['are you there', 'help me']);
  });

  it('answers again once the bucket refills, and tells again on the next flood', async () => {
    const { bot, advance } = limitedBot();
    await bot.send('hi');
    await spendBurst(bot, 1);
    expect(keysOf(await bot.send('menu'))).toEqual(['common:slowDown']);
    expect(await bot.send('menu')).toEqual([]);

    advance(2500);
    expect(keysOf(await bot.send('menu'))).toEqual(['menu:prompt']);
    expect(await bot.send('menu')).toEqual([]);

    advance(RULE.windowMs);
    await spendBurst(bot, 0);
    expect(keysOf(await bot.send('menu'))).toEqual(['common:slowDown']);
  });

  it('slows only the conversation that floods', async () => {
    const { bot, limiter } = limitedBot({ conversationId: 'flood' });
    const calm = createTestBot({ rateLimiter: limiter, conversationId: 'calm' });
    await bot.send('hi');
    for (let i = 0; i < 10; i++) await bot.send('menu');
    await calm.send('hi');
    for (let i = 1; i < RULE.burst; i++) expect(keysOf(await calm.send('menu'))).toEqual(['menu:prompt']);
  });

  it('forgets the conversation’s count with its data', async () => {
    const { bot, limiter } = limitedBot();
    await bot.send('hi');
    expect(limiter.size).toBe(1);
    await bot.send('delete my data');
    await bot.press('data.erase.confirm');
    expect(limiter.size).toBe(0);
  });
});
