import { buttonsOf, createTestBot, english, keysOf, type TestBot } from '../support';

/** A newcomer who answered (or skipped) where they are and where they are from. */
async function placed(here?: string, from?: string): Promise<TestBot> {
  const bot = createTestBot();
  await bot.send('hi');
  await bot.press(here ? `situation.here:${here}` : 'situation.skip');
  await bot.press(from ? `situation.from:${from}` : 'situation.skip');
  return bot;
}

const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

describe('Red Cross / Red Crescent services through the engine', () => {
  it('opens from the menu for a person abroad, with what the societies offer and their own societies', async () => {
    const bot = await placed('QA', 'NP');
    await bot.press('menu.audience:abroad');
    const replies = await bot.press('topic.open:services');
    expect(keysOf(replies)).toEqual([
      'services:intro',
      'services:notes.QA',
      'services:notes.NP',
      'services:societies',
      'services:next',
    ]);
    expect(text(replies)).toContain('Qatar: Qatar Red Crescent Society (QRCS)');
    expect(text(replies)).toContain('Nepal: Nepal Red Cross Society (NRCS)');
    expect(text(replies)).toContain('Industrial Area, Mesaimeer and Zekreet');
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual([
      'topic.open:rfl',
      'topic.open:wellbeing',
      'topic.open:firstAid',
      'alerts.open',
      'cmd.menu',
    ]);
  });

  it.each([
    ['SG', 'Singapore Red Cross (SRC)', 'travel home'],
    ['KR', 'Korean Red Cross (Republic of Korea National Red Cross)', 'multicultural families'],
    ['HK', 'Hong Kong Red Cross', 'since 1951'],
    ['TH', 'Thai Red Cross Society', undefined],
    ['KW', 'Kuwait Red Crescent Society (KRCS)', undefined],
  ])('names the society of %s to a person there', async (code, name, note) => {
    const bot = await placed(code);
    const replies = await bot.press('flow.start:services');
    expect(text(replies)).toContain(`${english(`countries:${code}`)}: ${name}`);
    if (note) expect(text(replies)).toContain(note);
  });

  it('gives the Philippine Red Cross phone to a person at home in the Philippines, once', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    await bot.press('situation.home');
    await bot.press('situation.from:PH');
    const all = text(await bot.press('flow.start:services'));
    expect(all).toContain('Phone: 143');
    expect(all.split('Philippine Red Cross (PRC)')).toHaveLength(2);
  });

  it('says honestly that Oman has no recognised Red Crescent society', async () => {
    const bot = await placed('OM', 'BD');
    const replies = await bot.press('flow.start:services');
    expect(replies).toContainKey('services:notes.OM', {
      country: { key: 'countries:OM' },
      society: 'Oman Charitable Organization (OCO)',
    });
    expect(text(replies)).toContain('Website: oco.org.om');
  });

  it('without a country, offers to say where the person is, which asks and comes back to the menu', async () => {
    const bot = await placed();
    const replies = await bot.press('flow.start:services');
    expect(keysOf(replies)).toEqual(['services:intro', 'services:noCountry', 'services:next']);
    expect(buttonsOf(replies).map((b) => b.payload)).toContain('cmd.country');
    expect(keysOf(await bot.press('cmd.country'))).toEqual(['situation:where']);
    await bot.press('situation.here:BH');
    await bot.press('situation.skip');
    expect(text(await bot.press('flow.start:services'))).toContain('Bahrain Red Crescent Society (BRCS)');
  });

  it.each(['rfl', 'wellbeing', 'firstAid'])('goes on to %s', async (topic) => {
    const bot = await placed('AE', 'IN');
    await bot.press('flow.start:services');
    const replies = await bot.press(`topic.open:${topic}`);
    expect(keysOf(replies)).not.toContain('common:notUnderstood');
    expect((await bot.record())?.flow?.id).toBe(topic);
  });

  it('goes on to first aid by the label typed as text', async () => {
    const bot = await placed('AE');
    await bot.press('flow.start:services');
    await bot.send(english('menu:topics.firstAid'));
    expect((await bot.record())?.flow?.id).toBe('firstAid');
  });

  it('goes to the menu by button, by word and by back', async () => {
    for (const leave of ['button', 'menu', 'back']) {
      const bot = await placed('MY');
      await bot.press('flow.start:services');
      const replies = leave === 'button' ? await bot.press('cmd.menu') : await bot.send(leave);
      expect(keysOf(replies)).toEqual(['menu:prompt']);
    }
  });

  it('gives the emergency number first on a danger word, then says the services again on help', async () => {
    const bot = await placed('QA');
    await bot.press('flow.start:services');
    const replies = await bot.send('help me');
    expect(keysOf(replies)).toEqual(['common:emergency.single', 'safety:offer']);
    expect(replies[0]?.text).toContain('call 999 now');
    expect(keysOf(await bot.send('help'))).toEqual([
      'common:help',
      'services:intro',
      'services:notes.QA',
      'services:societies',
      'services:next',
    ]);
    await bot.press('topic.open:rfl');
    expect((await bot.record())?.flow?.id).toBe('rfl');
  });
});
