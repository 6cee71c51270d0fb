import { SIGN_GROUPS } from '../../flows/danger/signs';
import { buttonsOf, createTestBot, english, keysOf, type TestBot } from '../support';
import { createHandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

const TOTAL = SIGN_GROUPS.length;
const signKeys = SIGN_GROUPS.map((g) => `danger:signs.${g}`);
const START_CHOICES = ['danger.plan', 'danger.signs', 'handoff.offer:danger', 'flow.start:passport', 'cmd.menu'];

/** A greeted person, placed in a country (or not), inside the danger flow. */
async function inDanger(country?: string, origin?: string): Promise<TestBot> {
  const bot = createHandoffBot();
  await placeIn(bot, country, origin);
  await bot.press('flow.start:danger');
  return bot;
}

describe('danger flow through the engine', () => {
  it('opens from the first menu screen with the emergency number first, then what to do now', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'QA', 'PH');
    await bot.send('menu');
    const replies = await bot.press('topic.open:danger');
    expect(keysOf(replies)).toEqual(['common:emergency.single', 'danger:now']);
    expect(replies[0]!.text).toContain('call 999 now');
    expect(replies).toContainKey('danger:now');
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(START_CHOICES);
  });

  it.each([
    ['AE', ['Police: 999', 'Ambulance: 998 (please check this number)', 'Fire: 997 (please check this number)']],
    ['TH', ['Police: 191', 'Ambulance: 1669', 'Fire: 199']],
    ['TW', ['Police: 110', 'Ambulance: 119']],
    ['SG', ['Police: 999', 'Ambulance: 995']],
    ['KW', ['call 112 now']],
    ['AU', ['call 000 now']],
  ])('in %s, gives that country’s numbers', async (country, numbers) => {
    const bot = await inDanger(country);
    const [first] = await bot.press('flow.start:danger');
    for (const n of numbers) expect(first!.text).toContain(n);
    expect(first!.buttons).toBeUndefined();
  });

  it('without a country, lists every number, offers to say where the person is, and then gives that country’s', async () => {
    const bot = await inDanger();
    const replies = await bot.press('flow.start:danger');
    expect(keysOf(replies)).toEqual(['common:emergency.unknown', 'danger:now']);
    expect(replies[0]!.text).toContain('Qatar: 999');
    expect(replies[0]!.text).toContain('Thailand: 191');
    expect(replies[0]!.buttons).toEqual([{ label: english('common:choice.country'), payload: 'cmd.country' }]);

    expect(keysOf(await bot.press('cmd.country'))[0]).toBe('situation:where');
    await bot.press('situation.here:TH');
    await bot.press('situation.skip');
    const again = await bot.press('flow.start:danger');
    expect(keysOf(again)).toEqual(['common:emergency.split', 'danger:now']);
    expect(again[0]!.text).toContain('Police: 191');
  });

  it('shows the safety plan, then the signs, and goes back from the plan to the numbers', async () => {
    const bot = await inDanger('MY');
    const plan = await bot.press('danger.plan');
    expect(keysOf(plan)).toEqual(['danger:plan']);
    expect(buttonsOf(plan).map((b) => b.payload)).toEqual(['danger.signs', 'handoff.offer:danger', 'nav.back', 'cmd.menu']);
    expect(keysOf(await bot.send('back'))).toEqual(['common:emergency.single', 'danger:now']);
    await bot.press('danger.plan');
    expect(keysOf(await bot.press('danger.signs'))).toEqual([signKeys[0]]);
  });

  it('walks the three groups of signs, by button and by typed word, and back again', async () => {
    const bot = await inDanger('SA');
    let replies = await bot.press('danger.signs');
    for (const [i, key] of signKeys.entries()) {
      expect(keysOf(replies)).toEqual([key]);
      expect(replies).toContainKey(key, { step: i + 1, total: TOTAL });
      if (i < TOTAL - 1) replies = i === 0 ? await bot.press('nav.next') : await bot.send('next');
    }
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual([
      'handoff.offer:danger',
      'flow.start:passport',
      'danger.plan',
      'nav.back',
      'cmd.menu',
    ]);
    expect(keysOf(await bot.send('back'))).toEqual([signKeys[1]]);
    expect(keysOf(await bot.press('nav.back'))).toEqual([signKeys[0]]);
    expect(keysOf(await bot.send('back'))).toEqual(['common:emergency.split', 'danger:now']);
  });

  it('goes from the last sign to the safety plan', async () => {
    const bot = await inDanger('BH');
    await bot.press('danger.signs');
    await bot.press('nav.next');
    await bot.press('nav.next');
    expect(keysOf(await bot.press('danger.plan'))).toEqual(['danger:plan']);
  });

  it('goes back from the start to the menu, and to the menu from inside by word and by button', async () => {
    const atStart = await inDanger('QA');
    expect(keysOf(await atStart.send('back'))).toEqual(['menu:prompt']);
    expect((await atStart.record())?.flow?.id).toBe('menu');

    const byWord = await inDanger('QA');
    await byWord.press('danger.signs');
    expect(keysOf(await byWord.send('menu'))).toEqual(['menu:prompt']);

    const byButton = await inDanger('QA');
    await byButton.press('danger.plan');
    expect(keysOf(await byButton.press('cmd.menu'))).toEqual(['menu:prompt']);
  });

  it('offers a caseworker, consent first, from the start and from the signs', async () => {
    const fromStart = await inDanger('HK', 'ID');
    expect(keysOf(await fromStart.press('handoff.offer:danger'))).toEqual(['handoff:consent.explain']);

    const fromSigns = await inDanger('HK', 'ID');
    await fromSigns.press('danger.signs');
    await fromSigns.press('nav.next');
    await fromSigns.press('nav.next');
    const typed = await fromSigns.send(english('common:choice.person'));
    expect(keysOf(typed)).toEqual(['handoff:consent.explain']);
    // The danger flow stays where it was until the person says yes.
    expect((await fromSigns.record())?.flow?.id).toBe('danger');
  });

  it('leads to the passport topic, with the law of the country', async () => {
    const bot = await inDanger('AE');
    const replies = await bot.press('flow.start:passport');
    expect(keysOf(replies)).toEqual(['passport:law.forbiddenBy', 'passport:prompt']);
    expect((await bot.record())?.flow?.id).toBe('passport');
  });

  it('gives the emergency number first on a danger word inside, then carries on where it was', async () => {
    const bot = await inDanger('OM');
    await bot.press('danger.signs');
    await bot.press('nav.next');
    const sos = await bot.send('help me');
    expect(keysOf(sos)).toEqual(['common:emergency.single', 'safety:offer']);
    expect(sos[0]!.text).toContain('9999');
    expect((await bot.record())?.flow?.id).toBe('danger');

    expect(keysOf(await bot.send('help'))).toEqual(['common:help', signKeys[1]]);
    expect(keysOf(await bot.press('nav.next'))).toEqual([signKeys[2]]);
  });

  it('says the numbers again with the step after help, and after a message it does not understand', async () => {
    const bot = await inDanger('JP');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'common:emergency.split', 'danger:now']);
    // It asks nothing: what the person writes is not read as an answer.
    expect(keysOf(await bot.send('my boss took my phone'))).toEqual([
      'common:notUnderstood',
      'common:emergency.split',
      'danger:now',
    ]);
  });

  it('takes the choices by number on a channel without buttons', async () => {
    const bot = createTestBot({ capabilities: { buttons: false } });
    await placeIn(bot, 'QA');
    const [numbers, now] = await bot.press('flow.start:danger');
    expect(numbers!.buttons).toBeUndefined();
    expect(now!.text).toContain(`1. ${english('danger:choice.plan')}`);
    expect(keysOf(await bot.send('2'))).toEqual([signKeys[0]]);
  });
});
