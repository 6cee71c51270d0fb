import { WELLBEING_TOPICS } from '../../flows/wellbeing/topics';
import { buttonsOf, createTestBot, english, keysOf, type TestBot, type TestBotOptions } from '../support';
import { createHandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

const button = (label: string, payload: string) => ({ label: english(label), payload });
const stepButtons = [button('common:choice.next', 'nav.next'), button('common:choice.back', 'nav.back'), button('common:choice.menu', 'cmd.menu')];
const lastStepButtons = [
  button('wellbeing:choice.topics', 'wellbeing.topics'),
  button('common:choice.person', 'handoff.offer:wellbeing'),
  button('common:choice.back', 'nav.back'),
  button('common:choice.menu', 'cmd.menu'),
];
const stepKeys = (topic: keyof typeof WELLBEING_TOPICS) => WELLBEING_TOPICS[topic].map((s) => `wellbeing:${topic}.${s}`);

async function inWellbeing(country?: string, options?: TestBotOptions): Promise<TestBot> {
  const bot = createHandoffBot(options);
  if (country) await placeIn(bot, country);
  else await bot.send('hi');
  await bot.press('flow.start:wellbeing');
  return bot;
}

describe('wellbeing flow through the engine', () => {
  it('opens from the main menu with its topics, a person and the menu', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'HK', 'PH');
    await bot.send('menu');
    const replies = await bot.press('topic.open:wellbeing');
    expect(keysOf(replies)).toEqual(['wellbeing:intro']);
    expect(buttonsOf(replies)).toEqual([
      button('wellbeing:choice.stress', 'wellbeing.stress'),
      button('wellbeing:choice.homesick', 'wellbeing.homesick'),
      button('wellbeing:choice.breathe', 'wellbeing.breathe'),
      button('wellbeing:choice.moreHelp', 'wellbeing.moreHelp'),
      button('common:choice.person', 'handoff.offer:wellbeing'),
      button('common:choice.menu', 'cmd.menu'),
    ]);
  });

  it.each([['stress'], ['homesick'], ['breathe']] as const)('walks the %s steps with Next, then back to the topics', async (topic) => {
    const bot = await inWellbeing('HK');
    let replies = await bot.press(`wellbeing.${topic}`);
    const keys = stepKeys(topic);
    for (const [i, key] of keys.entries()) {
      expect(keysOf(replies)).toEqual([key]);
      expect(replies).toContainKey(key, { step: i + 1, total: keys.length });
      const last = i === keys.length - 1;
      expect(buttonsOf(replies)).toEqual(last ? lastStepButtons : stepButtons);
      if (!last) replies = await bot.press('nav.next');
    }
    expect(keysOf(await bot.press('wellbeing.topics'))).toEqual(['wellbeing:intro']);
  });

  it('guides the breathing exercise in three short messages, by typing Next', async () => {
    const bot = await inWellbeing();
    expect(keysOf(await bot.send(english('wellbeing:choice.breathe')))).toEqual(['wellbeing:breathe.settle']);
    expect(keysOf(await bot.send('next'))).toEqual(['wellbeing:breathe.breathe']);
    const last = await bot.send('next');
    expect(keysOf(last)).toEqual(['wellbeing:breathe.ground']);
    expect(last[0]?.text).toContain('one thing you can see and one thing you can hear');
  });

  it('goes back step by step, then to the topics, then to the menu', async () => {
    const bot = await inWellbeing();
    await bot.press('wellbeing.homesick');
    await bot.press('nav.next');
    await bot.press('nav.next');
    expect(keysOf(await bot.send('back'))).toEqual(['wellbeing:homesick.connect']);
    expect(keysOf(await bot.send('go back'))).toEqual(['wellbeing:homesick.feelings']);
    expect(keysOf(await bot.send('back'))).toEqual(['wellbeing:intro']);
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
  });

  it.each([
    ['QA', 'common:emergency.single', ['call 999 now']],
    ['AE', 'common:emergency.split', ['Police: 999', 'Ambulance: 998 (please check this number)']],
    ['TW', 'common:emergency.split', ['Police: 110', 'Ambulance: 119']],
    ['MY', 'common:emergency.single', ['call 999 now']],
  ])('says when to get more help, with the emergency number in %s, and a person to talk to', async (country, key, numbers) => {
    const bot = await inWellbeing(country);
    const replies = await bot.press('wellbeing.moreHelp');
    expect(keysOf(replies)).toEqual(['wellbeing:moreHelp', key, 'wellbeing:talk']);
    for (const n of numbers) expect(replies[1]?.text).toContain(n);
    expect(replies[0]?.text).toContain('you think about harming yourself');
    expect(buttonsOf(replies)).toEqual([
      button('common:choice.person', 'handoff.offer:wellbeing'),
      button('wellbeing:choice.topics', 'wellbeing.topics'),
      button('common:choice.back', 'nav.back'),
      button('common:choice.menu', 'cmd.menu'),
    ]);
    expect(keysOf(await bot.press('handoff.offer:wellbeing'))).toEqual(['handoff:consent.explain']);
  });

  it('lists the emergency numbers of every country and offers to say where the person is, when it does not know', async () => {
    const bot = await inWellbeing();
    const replies = await bot.press('wellbeing.moreHelp');
    expect(keysOf(replies)).toEqual(['wellbeing:moreHelp', 'common:emergency.unknown', 'wellbeing:talk']);
    expect(replies[1]?.text).toContain('Qatar: 999');
    expect(buttonsOf(replies)).toContainEqual(button('common:choice.country', 'cmd.country'));
    expect(keysOf(await bot.send('back'))).toEqual(['wellbeing:intro']);
  });

  it('opens another topic from an earlier message, in the middle of one', async () => {
    const bot = await inWellbeing('HK');
    await bot.press('wellbeing.stress');
    await bot.press('nav.next');
    expect(keysOf(await bot.press('wellbeing.breathe'))).toEqual(['wellbeing:breathe.settle']);
  });

  it('goes to the menu from inside, and stops', async () => {
    const toMenu = await inWellbeing('HK');
    await toMenu.press('wellbeing.stress');
    expect(keysOf(await toMenu.press('cmd.menu'))).toEqual(['menu:prompt']);

    const stopped = await inWellbeing('HK');
    await stopped.press('wellbeing.stress');
    expect(keysOf(await stopped.send('stop'))).toEqual(['common:stopped']);
    expect((await stopped.record())?.flow).toBeNull();
  });

  it('gives emergency numbers first when the person signals danger, then carries on with the step', async () => {
    const bot = await inWellbeing('SG');
    await bot.press('wellbeing.stress');
    await bot.press('nav.next');
    const sos = await bot.send('help me');
    expect(keysOf(sos)[0]).toBe('common:emergency.split');
    expect(sos[0]?.text).toContain('Police: 999');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'wellbeing:stress.body']);
    expect(keysOf(await bot.press('nav.next'))).toEqual(['wellbeing:stress.routine']);
  });

  it('answers free text with not understood and the step again', async () => {
    const bot = await inWellbeing();
    await bot.press('wellbeing.stress');
    expect(keysOf(await bot.send('I feel tired'))).toEqual(['common:notUnderstood', 'wellbeing:stress.normal']);
  });

  it('writes the topics as a numbered list on a channel without buttons, and takes their numbers', async () => {
    const bot = createTestBot({ capabilities: { buttons: false } });
    await bot.send('hi');
    const [intro] = await bot.press('flow.start:wellbeing');
    expect(intro?.text).toContain(`\n\n1. ${english('wellbeing:choice.stress')}\n2. ${english('wellbeing:choice.homesick')}`);
    expect(keysOf(await bot.send('3'))).toEqual(['wellbeing:breathe.settle']);
  });
});
