import { AUDIENCE_TOPICS, AUDIENCES } from '../../flows/menu/topics';
import { buttonsOf, createTestBot, english, keysOf, numberOf, type TestBot, type TestBotOptions } from '../support';

const rootLabels = [
  english('menu:topics.danger'),
  ...AUDIENCES.map((a) => english(`menu:audience.${a}`)),
  english('common:choice.person'),
  english('common:choice.clear'),
];

/** A newcomer who has skipped the questions about where they are, and sees the menu. */
async function atMenu(options?: TestBotOptions): Promise<TestBot> {
  const bot = createTestBot(options);
  await bot.send('hi');
  await bot.press('situation.skip');
  await bot.press('situation.skip');
  return bot;
}

describe('menu through the engine', () => {
  it('greets a newcomer with the welcome and the language line, then asks where they are', async () => {
    const bot = createTestBot();
    const replies = await bot.send('hi');
    expect(keysOf(replies)).toEqual(['common:welcome', 'situation:where']);
    expect(replies).toContainKey('common:welcome', { language: 'English' });
    expect(replies[0]?.buttons).toEqual([{ label: english('common:choice.language'), payload: 'cmd.language' }]);
    expect(bot.channel.messages).toEqual(replies);
  });

  it('greets a newcomer first even when the first message is a button from elsewhere', async () => {
    const bot = createTestBot();
    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['common:welcome', 'situation:where']);
  });

  it('shows the menu once the questions are answered or skipped: danger first, then who the person is', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    await bot.press('situation.skip');
    const replies = await bot.press('situation.skip');
    expect(keysOf(replies)).toEqual(['situation:saved.none', 'menu:prompt']);
    expect(replies[1]?.buttons?.map((b) => b.label)).toEqual(rootLabels);
    expect(replies[1]?.buttons?.[0]?.payload).toBe('topic.open:danger');
  });

  it('opens the danger topic in one tap', async () => {
    const bot = await atMenu();
    const replies = await bot.press('topic.open:danger');
    expect(keysOf(replies)).not.toContain('common:notUnderstood');
    expect((await bot.record())?.flow?.id).toBe('danger');
  });

  it.each(AUDIENCES)('shows the %s topics with Back, and goes back to the first screen', async (audience) => {
    const bot = await atMenu();
    const replies = await bot.press(`menu.audience:${audience}`);
    expect(keysOf(replies)).toEqual([`menu:topicsFor.${audience}`]);
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual([
      ...AUDIENCE_TOPICS[audience].map((t) => `topic.open:${t}`),
      'nav.back',
    ]);
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it.each(AUDIENCES.flatMap((a) => AUDIENCE_TOPICS[a].map((t) => [t, a] as const)))(
    'reaches %s in two taps as "%s"',
    async (topic, audience) => {
      const bot = await atMenu();
      await bot.press(`menu.audience:${audience}`);
      const replies = await bot.press(`topic.open:${topic}`);
      expect(keysOf(replies).filter((k) => k.startsWith('?') || k === 'common:notUnderstood' || k === 'common:error')).toEqual([]);
      expect((await bot.record())?.flow?.id).toBe(topic);
    },
  );

  it('opens an audience and a topic by their labels typed as text', async () => {
    const bot = await atMenu();
    expect(keysOf(await bot.send(english('menu:audience.preparing')))).toEqual(['menu:topicsFor.preparing']);
    expect(keysOf(await bot.send('  before you go  what to pack! '))).toEqual(['packing:intro']);
  });

  it('opens an audience and a topic by the numbers shown in the list', async () => {
    const bot = await atMenu({ capabilities: { buttons: false } });
    const [menu] = await bot.send('menu');
    expect(menu?.buttons).toBeUndefined();
    expect(menu?.text).toBe(`${english('menu:prompt')}\n\n${rootLabels.map((l, i) => `${i + 1}. ${l}`).join('\n')}`);
    const family = await bot.send(numberOf([menu!], 'menu:audience.family')!);
    expect(keysOf(family)).toEqual(['menu:topicsFor.family']);
    expect(numberOf(family, 'common:choice.back')).toBe(String(AUDIENCE_TOPICS.family.length + 1));
    await bot.send(numberOf(family, 'menu:topics.services')!);
    expect((await bot.record())?.flow?.id).toBe('services');
  });

  it('still opens a topic pressed on an earlier menu message', async () => {
    const bot = await atMenu();
    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['packing:intro']);
  });

  it('says the audience screen again after help', async () => {
    const bot = await atMenu();
    await bot.press('menu.audience:abroad');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'menu:topicsFor.abroad']);
  });

  it('shows the menu again after a topic that does not exist', async () => {
    const bot = await atMenu();
    expect(keysOf(await bot.press('topic.open:lottery'))).toEqual(['common:notUnderstood', 'menu:prompt']);
  });

  it('answers back at the first screen with the menu', async () => {
    const bot = await atMenu();
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
  });

  it('comes back to the first screen when a topic ends', async () => {
    const bot = await atMenu();
    await bot.press('menu.audience:preparing');
    await bot.press('topic.open:packing');
    expect(keysOf(await bot.send('menu'))).toEqual(['menu:prompt']);
  });

  it('gives emergency numbers first when a danger word is typed at the menu, then the menu again on help', async () => {
    const bot = await atMenu();
    await bot.press('menu.audience:family');
    const replies = await bot.send('help me');
    expect(keysOf(replies)[0]).toBe('common:emergency.unknown');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'menu:topicsFor.family']);
  });

  it('after stop, answers any message with the menu', async () => {
    const bot = await atMenu();
    expect(keysOf(await bot.send('stop'))).toEqual(['common:stopped']);
    expect((await bot.record())?.flow).toBeNull();
    expect(keysOf(await bot.send('thank you'))).toEqual(['menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it('offers the main menu after three misunderstood messages in a row', async () => {
    const bot = await atMenu();
    expect(keysOf(await bot.send('blah'))).toEqual(['common:notUnderstood', 'menu:prompt']);
    expect(keysOf(await bot.send('blah blah'))).toEqual(['common:notUnderstood', 'menu:prompt']);
    const third = await bot.send('what');
    expect(keysOf(third)).toEqual(['common:stillNotUnderstood']);
    expect(buttonsOf(third).map((b) => b.payload)).toEqual(['cmd.menu', 'handoff.offer:other', 'cmd.help']);
    expect(keysOf(await bot.press('cmd.menu'))).toEqual(['menu:prompt']);
    expect((await bot.record())?.misses).toBe(0);
  });

  it('counts only misunderstood messages in a row', async () => {
    const bot = await atMenu();
    await bot.send('blah');
    await bot.send('blah');
    await bot.press('menu.audience:abroad');
    expect(keysOf(await bot.send('blah'))).toEqual(['common:notUnderstood', 'menu:topicsFor.abroad']);
  });
});
