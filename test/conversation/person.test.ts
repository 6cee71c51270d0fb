import { buttonsOf, createTestBot, english, keysOf, type TestBot } from '../support';
import { createHandoffBot } from '../support/handoff';

/** A newcomer who answered (or skipped) where they are and where they are from. */
async function placed(here?: string, from?: string): Promise<TestBot> {
  const bot = createTestBot();
  await bot.send('hi');
  await bot.press(here ? `situation.here:${here}` : 'situation.skip');
  await bot.press(from ? `situation.from:${from}` : 'situation.skip');
  return bot;
}

const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

describe('other ways to get help (people to call or write to), through the engine', () => {
  it('says it is a program, and how to reach people where the person is and at home', async () => {
    const bot = await placed('HK', 'PH');
    const replies = await bot.press('flow.start:person');
    expect(keysOf(replies)).toEqual([
      'person:intro',
      'person:societies',
      'contacts:labour.lines',
      'contacts:agency.lines',
      'person:yourChoice',
    ]);
    const all = text(replies);
    expect(all).toContain('Hong Kong: Hong Kong Red Cross');
    expect(all).toContain('Philippines: Philippine Red Cross (PRC)');
    expect(all).toContain('Phone: 143');
    expect(all).toContain('2157 9537');
    expect(all).toContain('DMW hotline (24/7): 1348');
    expect(replies.at(-1)?.text).toContain('police, immigration or your employer');
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['topic.open:services', 'cmd.menu']);
  });

  it('is offered with the consent to a caseworker, as other ways to get help, and opens from there', async () => {
    const bot = createHandoffBot();
    await bot.send('hi');
    await bot.press('situation.here:TW');
    await bot.press('situation.from:VN');
    await bot.send('blah');
    await bot.send('blah');
    await bot.send('blah');
    const consent = await bot.press('handoff.offer:other');
    expect(buttonsOf(consent).map((b) => b.payload)).toContain('flow.start:person');
    const replies = await bot.press('flow.start:person');
    expect(keysOf(replies)[0]).toBe('person:intro');
    expect(text(replies)).toContain('1955');
    expect(text(replies)).toContain('DOLAB');
  });

  it('names the Red Cross or Red Crescent where the person is and where they are from', async () => {
    const bot = await placed('SG', 'BD');
    const replies = await bot.press('flow.start:person');
    expect(text(replies)).toContain('Singapore Red Cross (SRC)');
    expect(text(replies)).toContain('Bangladesh Red Crescent Society (BDRCS)');
  });

  it.each([
    ['AE', '80060'],
    ['QA', '16008'],
    ['TH', '1506'],
    ['KR', '1577-0071'],
  ])("gives a person in %s that country's work line %s", async (code, number) => {
    const bot = await placed(code);
    expect(text(await bot.press('flow.start:person'))).toContain(`: ${number}`);
  });

  it('without a country, offers to say where the person is', async () => {
    const bot = await placed();
    const replies = await bot.press('flow.start:person');
    expect(keysOf(replies)).toEqual(['person:intro', 'person:noCountry', 'person:yourChoice']);
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['cmd.country', 'topic.open:services', 'cmd.menu']);
    expect(keysOf(await bot.press('cmd.country'))).toEqual(['situation:where']);
  });

  it('goes on to the services topic by button and by its label', async () => {
    const bot = await placed('KW');
    await bot.press('flow.start:person');
    expect(keysOf(await bot.press('topic.open:services'))[0]).toBe('services:intro');

    const typed = await placed('KW');
    await typed.press('flow.start:person');
    await typed.send(english('menu:topics.services'));
    expect((await typed.record())?.flow?.id).toBe('services');
  });

  it('goes to the menu by button, by word and by back', async () => {
    for (const leave of ['button', 'menu', 'back']) {
      const bot = await placed('BH');
      await bot.press('flow.start:person');
      const replies = leave === 'button' ? await bot.press('cmd.menu') : await bot.send(leave);
      expect(keysOf(replies)).toEqual(['menu:prompt']);
    }
  });

  it('gives the emergency number first on a danger word, then the same answer again on help', async () => {
    const bot = await placed('BH', 'IN');
    await bot.press('flow.start:person');
    const replies = await bot.send('help me');
    expect(keysOf(replies)).toEqual(['common:emergency.single', 'safety:offer']);
    expect(replies[0]?.text).toContain('call 999 now');
    expect(keysOf(await bot.send('help'))).toEqual([
      'common:help',
      'person:intro',
      'person:societies',
      'contacts:labour.lines',
      'contacts:agency.lines',
      'person:yourChoice',
    ]);
  });
});
