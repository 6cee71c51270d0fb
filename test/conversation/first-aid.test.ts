import { testDeps } from '../support/flows';
import { buttonsOf, createTestBot, english, keysOf, type TestBot } from '../support';

/** A newcomer who answered (or skipped) where they are. */
async function placed(here?: string): Promise<TestBot> {
  const bot = createTestBot();
  await bot.send('hi');
  await bot.press(here ? `situation.here:${here}` : 'situation.skip');
  await bot.press('situation.skip');
  return bot;
}

describe('first aid through the engine', () => {
  it('opens from the menu: call for help first, the number where the person is, then the app link', async () => {
    const bot = await placed('KR');
    await bot.press('menu.audience:abroad');
    const replies = await bot.press('topic.open:firstAid');
    expect(keysOf(replies)).toEqual(['firstAid:callFirst', 'common:emergency.split', 'firstAid:app']);
    expect(replies[1]?.text).toContain('Police: 112');
    expect(replies[1]?.text).toContain('Ambulance: 119');
    expect(replies[2]?.links).toEqual([{ label: english('firstAid:appLink'), url: testDeps.links.firstAidApp }]);
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['topic.open:services', 'cmd.menu']);
  });

  it('opens for people preparing to go', async () => {
    const bot = await placed('AU');
    await bot.press('menu.audience:preparing');
    const replies = await bot.press('topic.open:firstAid');
    expect(replies).toContainKey('common:emergency.single', { country: { key: 'countries:AU' }, number: '000' });
  });

  it('writes the link as text on a channel without link buttons', async () => {
    const bot = createTestBot({ capabilities: { linkButtons: false } });
    await bot.send('hi');
    await bot.press('situation.here:NZ');
    await bot.press('situation.skip');
    const replies = await bot.press('flow.start:firstAid');
    expect(replies.at(-1)?.text).toContain(`${english('firstAid:appLink')}: ${testDeps.links.firstAidApp}`);
    expect(replies[1]?.text).toContain('call 111 now');
  });

  it('marks an unverified ambulance number', async () => {
    const bot = await placed('AE');
    const replies = await bot.press('flow.start:firstAid');
    expect(replies[1]?.text).toContain('Ambulance: 998 (please check this number)');
  });

  it('without a country, lists every number first and then offers to say where the person is', async () => {
    const bot = await placed();
    const replies = await bot.press('flow.start:firstAid');
    expect(keysOf(replies)).toEqual(['firstAid:callFirst', 'common:emergency.unknown', 'firstAid:noCountry', 'firstAid:app']);
    expect(replies[1]?.text).toContain('Singapore: 999');
    expect(keysOf(await bot.press('cmd.country'))).toEqual(['situation:where']);
  });

  it('goes on to the services topic', async () => {
    const bot = await placed('MY');
    await bot.press('flow.start:firstAid');
    expect(keysOf(await bot.press('topic.open:services'))[0]).toBe('services:intro');
  });

  it('goes to the menu by button, by word and by back', async () => {
    for (const leave of ['button', 'menu', 'back']) {
      const bot = await placed('JP');
      await bot.press('flow.start:firstAid');
      const replies = leave === 'button' ? await bot.press('cmd.menu') : await bot.send(leave);
      expect(keysOf(replies)).toEqual(['menu:prompt']);
    }
  });

  it('gives the emergency number first on a danger word, then the first aid step again on help', async () => {
    const bot = await placed('TH');
    await bot.press('flow.start:firstAid');
    const replies = await bot.send('emergency');
    expect(keysOf(replies)).toEqual(['common:emergency.split', 'safety:offer']);
    expect(replies[0]?.text).toContain('Ambulance: 1669');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'firstAid:callFirst', 'common:emergency.split', 'firstAid:app']);
  });
});
