import { buttonsOf, createTestBot, english, keysOf, type TestBot } from '../support';
import { createHandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

const PROMPT_CHOICES = ['passport.steps', 'passport.help', 'flow.start:danger', 'handoff.offer:passport', 'cmd.menu'];
const HELP = ['recruitment:lines.labour', 'passport:help.origin', 'passport:help.society', 'recruitment:lines.yourChoice'];
const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

/** A greeted person, placed in a country (or not), inside the passport flow. */
async function inPassport(country?: string, origin?: string): Promise<TestBot> {
  const bot = createHandoffBot();
  await placeIn(bot, country, origin);
  await bot.press('flow.start:passport');
  return bot;
}

describe('passport flow through the engine', () => {
  it('opens from the menu with the law where the person is', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'QA', 'PH');
    await bot.send('menu');
    await bot.press('menu.audience:abroad');
    const replies = await bot.press('topic.open:passport');
    expect(keysOf(replies)).toEqual(['passport:law.forbiddenBy', 'passport:prompt']);
    expect(replies[0]!.text).toContain('In Qatar, the law does not allow an employer to keep your passport');
    expect(replies[0]!.text).toContain('Law No. 21 of 2015');
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(PROMPT_CHOICES);
  });

  it.each([
    ['AE', 'passport:law.forbiddenBy', 'Federal Decree-Law No. 33 of 2021'],
    ['MY', 'passport:law.forbiddenBy', 'Passports Act 1966'],
    ['NZ', 'passport:law.forbiddenBy', 'Immigration Act 2009'],
    ['SG', 'passport:law.forbidden', 'In Singapore, the law does not allow'],
    ['KR', 'passport:law.unknownIn', 'may look at your passport but may not keep it'],
  ])('in %s, says what the law there says', async (country, key, words) => {
    const bot = await inPassport(country);
    const replies = await bot.press('flow.start:passport');
    expect(keysOf(replies)).toEqual([key, 'passport:prompt']);
    expect(replies[0]!.text).toContain(words);
  });

  it('without a country, gives the general rule and the offer to say where the person is, then the law there', async () => {
    const bot = await inPassport();
    const replies = await bot.press('flow.start:passport');
    expect(keysOf(replies)).toEqual(['passport:law.unknown', 'passport:prompt']);
    expect(replies[0]!.buttons).toEqual([{ label: english('common:choice.country'), payload: 'cmd.country' }]);

    await bot.press('cmd.country');
    await bot.press('situation.here:TW');
    await bot.press('situation.from:VN');
    const known = await bot.press('flow.start:passport');
    expect(keysOf(known)).toEqual(['passport:law.forbiddenBy', 'passport:prompt']);
    expect(known[0]!.text).toContain('Employment Service Act');
  });

  it('tells what the person can do, then where to get help', async () => {
    const bot = await inPassport('AE', 'IN');
    const steps = await bot.press('passport.steps');
    expect(keysOf(steps)).toEqual(['passport:steps']);
    expect(steps[0]!.text).toContain(english('passport:choice.help'));
    expect(keysOf(await bot.send(english('passport:choice.help')))).toEqual(HELP);
  });

  it.each([
    ['QA', 'PH', ['Ministry of Labour hotline: 16008', 'DMW hotline (24/7): 1348', 'Qatar Red Crescent Society (QRCS)']],
    ['AE', 'LK', ['MoHRE call centre (toll-free, 24/7): 80060', 'SLBFE hotline (24 hours): 1989', 'Emirates Red Crescent (ERC)']],
    ['HK', 'ID', ['2157 9537', 'KP2MI WhatsApp: 0811-8080-141', 'Hong Kong Red Cross']],
    ['TH', 'MM', ['1694', 'Ministry of Labour, Department of Labour (Migrant Workers Division)', 'Thai Red Cross Society']],
  ])('in %s for someone from %s, gives the labour lines, the agency at home and the National Society', async (country, origin, expected) => {
    const bot = await inPassport(country, origin);
    const replies = await bot.press('passport.help');
    expect(keysOf(replies)).toEqual(HELP);
    for (const line of expected) expect(text(replies)).toContain(line);
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['handoff.offer:passport', 'flow.start:danger', 'nav.back', 'cmd.menu']);
  });

  it('without countries, names the places to ask and offers to say where the person is', async () => {
    const bot = await inPassport();
    const replies = await bot.press('passport.help');
    expect(keysOf(replies)).toEqual(['recruitment:lines.labourUnknown', 'passport:help.originUnknown', 'recruitment:lines.yourChoice']);
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['cmd.country', 'handoff.offer:passport', 'flow.start:danger', 'nav.back', 'cmd.menu']);
  });

  it('never makes the police the way to get help', async () => {
    const bot = await inPassport('SA', 'PK');
    const all = [...(await bot.press('passport.steps')), ...(await bot.press('passport.help'))];
    for (const reply of all.filter((r) => /police/i.test(r.text))) {
      expect(reply.text).toContain('whether or not you go to the police');
    }
  });

  it('goes back to the law from each part, and from the law to the menu', async () => {
    const bot = await inPassport('KW', 'BD');
    for (const part of ['passport.steps', 'passport.help']) {
      await bot.press(part);
      expect(keysOf(await bot.send('back'))).toEqual(['passport:law.forbiddenBy', 'passport:prompt']);
    }
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
  });

  it('goes to the menu from inside by word and by button', async () => {
    const byWord = await inPassport('KW', 'BD');
    await byWord.press('passport.steps');
    expect(keysOf(await byWord.send('menu'))).toEqual(['menu:prompt']);

    const byButton = await inPassport('KW', 'BD');
    await byButton.press('passport.help');
    expect(keysOf(await byButton.press('cmd.menu'))).toEqual(['menu:prompt']);
  });

  it('leads to the danger topic, with the emergency number first, and to a person', async () => {
    const toDanger = await inPassport('BN');
    await toDanger.press('passport.help');
    const danger = await toDanger.press('flow.start:danger');
    expect(keysOf(danger)).toEqual(['common:emergency.split', 'danger:now']);
    expect(danger[0]!.text).toContain('Police: 993');

    const toPerson = await inPassport('BN');
    expect(keysOf(await toPerson.press('handoff.offer:passport'))).toEqual(['handoff:consent.explain']);
  });

  it('gives the emergency number first on a danger word inside, then carries on where it was', async () => {
    const bot = await inPassport('MV', 'BD');
    await bot.press('passport.steps');
    const sos = await bot.send('save me');
    expect(keysOf(sos)[0]).toMatch(/^common:emergency\./);
    expect(keysOf(sos)[1]).toBe('safety:offer');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'passport:steps']);
    expect(keysOf(await bot.press('passport.help'))[0]).toBe('recruitment:lines.labourNone');
  });
});
