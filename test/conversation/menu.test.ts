import { TOPICS } from '../../flows/menu/topics';
import { buttonsOf, createTestBot, english, keysOf, numberOf } from '../support';

const topicLabels = TOPICS.map((t) => english(`menu:topics.${t.id}`));

describe('menu through the engine', () => {
  it('greets a newcomer with the welcome, the language line and the menu', async () => {
    const bot = createTestBot();
    const replies = await bot.send('hi');
    expect(keysOf(replies)).toEqual(['common:welcome', 'menu:prompt']);
    expect(replies).toContainKey('common:welcome', { language: 'English' });
    expect(replies[0]?.text).toContain('Language: English.');
    expect(replies[0]?.buttons).toEqual([{ label: english('common:choice.language'), payload: 'cmd.language' }]);
    expect(replies[1]?.buttons?.map((b) => b.label)).toEqual(topicLabels);
    expect(bot.channel.messages).toEqual(replies);
  });

  it('greets a newcomer first even when the first message is a button from elsewhere', async () => {
    const bot = createTestBot();
    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['common:welcome', 'menu:prompt']);
  });

  it('opens the packing topic by its button', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['packing:intro']);
    expect((await bot.record())?.flow?.id).toBe('packing');
  });

  it('opens the packing topic by the number shown in the list', async () => {
    const bot = createTestBot({ capabilities: { buttons: false } });
    const welcome = await bot.send('hello');
    expect(buttonsOf(welcome)).toEqual([]);
    const number = numberOf(welcome, 'menu:topics.packing');
    expect(number).toBeDefined();
    expect(keysOf(await bot.send(number!))).toEqual(['packing:intro']);
  });

  it('opens the packing topic by its label typed as text, in any case and punctuation', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    expect(keysOf(await bot.send(english('menu:topics.packing')))).toEqual(['packing:intro']);

    await bot.send('menu');
    expect(keysOf(await bot.send('  before you go  what to pack! '))).toEqual(['packing:intro']);
  });

  it('answers a topic that is not built yet with coming soon and the menu, and does not repeat the aside', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    const replies = await bot.press('topic.open:wellbeing');
    expect(keysOf(replies)).toEqual(['menu:comingSoon', 'menu:prompt']);
    expect(replies[1]?.buttons?.map((b) => b.label)).toEqual(topicLabels);

    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'menu:prompt']);
  });

  it('shows the menu again after a topic that does not exist', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    expect(keysOf(await bot.press('topic.open:lottery'))).toEqual(['common:notUnderstood', 'menu:prompt']);
  });

  it('answers back at the menu with the menu', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
  });

  it('after stop, answers any message with the menu', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    expect(keysOf(await bot.send('stop'))).toEqual(['common:stopped']);
    expect((await bot.record())?.flow).toBeNull();
    expect(keysOf(await bot.send('thank you'))).toEqual(['menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it('offers the main menu after three misunderstood messages in a row', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    expect(keysOf(await bot.send('blah'))).toEqual(['common:notUnderstood', 'menu:prompt']);
    expect(keysOf(await bot.send('blah blah'))).toEqual(['common:notUnderstood', 'menu:prompt']);
    const third = await bot.send('what');
    expect(keysOf(third)).toEqual(['common:stillNotUnderstood']);
    expect(buttonsOf(third)).toEqual([
      { label: english('common:choice.menu'), payload: 'cmd.menu' },
      { label: english('common:choice.help'), payload: 'cmd.help' },
    ]);

    expect(keysOf(await bot.press('cmd.menu'))).toEqual(['menu:prompt']);
    expect((await bot.record())?.misses).toBe(0);
  });

  it('counts only misunderstood messages in a row', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    await bot.send('blah');
    await bot.send('blah');
    await bot.press('topic.open:wellbeing');
    expect(keysOf(await bot.send('blah'))).toEqual(['common:notUnderstood', 'menu:prompt']);
  });

  it('writes the menu as a numbered list on a channel without buttons', async () => {
    const bot = createTestBot({ capabilities: { buttons: false } });
    await bot.send('hi');
    const [menu] = await bot.send('menu');
    expect(menu?.buttons).toBeUndefined();
    expect(menu?.text).toBe(`${english('menu:prompt')}\n\n${topicLabels.map((l, i) => `${i + 1}. ${l}`).join('\n')}`);
  });
});
