import { createTestBot, english, keysOf, numberOf, type TestBot, type TestBotOptions } from '../support';

/** A newcomer who has been greeted and asked where they are. */
async function asked(options?: TestBotOptions): Promise<TestBot> {
  const bot = createTestBot(options);
  await bot.send('hi');
  return bot;
}

const country = async (bot: TestBot) => (await bot.record())?.country;

describe('where the person is, through the engine', () => {
  it('is asked right after the welcome on first contact, with the destinations, home and skip', async () => {
    const bot = createTestBot();
    const replies = await bot.send('hello');
    expect(keysOf(replies)).toEqual(['common:welcome', 'situation:where']);
    expect(replies).toContainKey('situation:where');
    // Seventeen destinations do not fit as buttons: the question comes as a numbered list.
    expect(replies[1]?.text).toContain(english('countries:AE'));
    expect(replies[1]?.text).toContain(english('situation:choice.home'));
    expect(replies[1]?.text).toContain(english('situation:choice.skip'));
  });

  it('remembers where the person is and where they are from, confirms, and shows the menu', async () => {
    const bot = await asked();
    expect(keysOf(await bot.press('situation.here:AE'))).toEqual(['situation:from']);
    expect(await country(bot)).toEqual({ current: 'AE' });
    const replies = await bot.press('situation.from:PH');
    expect(keysOf(replies)).toEqual(['situation:saved.both', 'menu:prompt']);
    expect(replies).toContainKey('situation:saved.both', {
      country: { key: 'countries:AE' },
      origin: { key: 'countries:PH' },
    });
    expect(await country(bot)).toEqual({ current: 'AE', origin: 'PH' });
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it('takes typed country and city names, and typed labels', async () => {
    const bot = await asked();
    expect(keysOf(await bot.send('I am in Dubai'))).toEqual(['situation:from']);
    expect(keysOf(await bot.send('Pinas'))).toEqual(['situation:saved.both', 'menu:prompt']);
    expect(await country(bot)).toEqual({ current: 'AE', origin: 'PH' });

    const byLabel = await asked();
    await byLabel.send('Qatar');
    await byLabel.send('nepal');
    expect(await country(byLabel)).toEqual({ current: 'QA', origin: 'NP' });
  });

  it('takes the numbers of the list on a channel without buttons', async () => {
    const bot = createTestBot({ capabilities: { buttons: false } });
    const welcome = await bot.send('hi');
    const qatar = numberOf(welcome, 'countries:QA');
    expect(qatar).toBeDefined();
    const from = await bot.send(qatar!);
    expect(keysOf(from)).toEqual(['situation:from']);
    await bot.send(numberOf(from, 'countries:BD')!);
    expect(await country(bot)).toEqual({ current: 'QA', origin: 'BD' });
  });

  it('says briefly that it could not find a country, and asks again, at either question', async () => {
    const bot = await asked();
    expect(keysOf(await bot.send('Narnia'))).toEqual(['situation:notFound', 'situation:where']);
    await bot.press('situation.here:SG');
    expect(keysOf(await bot.send('Atlantis'))).toEqual(['situation:notFound', 'situation:from']);
    expect(await country(bot)).toEqual({ current: 'SG' });
  });

  it('for a person at home, asks which country and remembers it as both', async () => {
    const bot = await asked();
    expect(keysOf(await bot.press('situation.home'))).toEqual(['situation:fromHome']);
    const replies = await bot.press('situation.from:ID');
    expect(keysOf(replies)).toEqual(['situation:saved.home', 'menu:prompt']);
    expect(await country(bot)).toEqual({ current: 'ID', origin: 'ID' });
  });

  it('keeps the first answer when the second is skipped, and asks nothing again', async () => {
    const bot = await asked();
    await bot.press('situation.here:HK');
    expect(keysOf(await bot.press('situation.skip'))).toEqual(['situation:saved.here', 'menu:prompt']);
    expect(await country(bot)).toEqual({ current: 'HK' });
    expect(keysOf(await bot.send('hi'))).toEqual(['menu:prompt']);
  });

  it('can skip both questions', async () => {
    const bot = await asked();
    expect(keysOf(await bot.send('skip'))).toEqual(['situation:from']);
    expect(keysOf(await bot.send('skip'))).toEqual(['situation:saved.none', 'menu:prompt']);
    expect(await country(bot)).toEqual({});
  });

  it('goes back from the second question to the first, and from the first to the menu', async () => {
    const bot = await asked();
    await bot.press('situation.here:KR');
    expect(keysOf(await bot.send('back'))).toEqual(['situation:where']);
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
    expect(await country(bot)).toEqual({ current: 'KR' });
  });

  it('goes to the menu from inside, keeping what was said', async () => {
    const bot = await asked();
    await bot.press('situation.here:TH');
    expect(keysOf(await bot.send('menu'))).toEqual(['menu:prompt']);
    expect(await country(bot)).toEqual({ current: 'TH' });
  });

  it('is asked again with the country command, from anywhere, and replaces the answers', async () => {
    const bot = await asked();
    await bot.press('situation.here:AE');
    await bot.press('situation.from:IN');
    await bot.press('menu.audience:preparing');
    await bot.press('topic.open:packing');
    expect(keysOf(await bot.send('country'))).toEqual(['situation:where']);
    await bot.press('situation.here:SA');
    await bot.press('situation.from:PK');
    expect(await country(bot)).toEqual({ current: 'SA', origin: 'PK' });
    expect(keysOf(await bot.press('cmd.country'))).toEqual(['situation:where']);
  });

  it('says the question again after help', async () => {
    const bot = await asked();
    await bot.press('situation.here:MY');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'situation:from']);
  });

  it('gives the emergency number first on a danger word inside, then carries on with the question', async () => {
    const bot = await asked();
    await bot.press('situation.here:AE');
    const replies = await bot.send('help me');
    expect(keysOf(replies)).toEqual(['common:emergency.split', 'safety:offer']);
    expect(replies[0]?.text).toContain('Police: 999');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'situation:from']);
    expect(keysOf(await bot.press('situation.from:VN'))).toEqual(['situation:saved.both', 'menu:prompt']);
  });

  it('gives every number on a danger word before the person said where they are', async () => {
    const bot = await asked();
    const replies = await bot.send('sos');
    expect(keysOf(replies)[0]).toBe('common:emergency.unknown');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'situation:where']);
  });
});
