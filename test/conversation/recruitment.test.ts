import { buttonsOf, createTestBot, english, keysOf, type TestBot } from '../support';
import { createHandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

const INTRO_CHOICES = ['recruitment.check', 'recruitment.contract', 'recruitment.report', 'handoff.offer:recruitment', 'cmd.menu'];
const REPORT = ['recruitment:report.origin', 'recruitment:lines.labour', 'recruitment:lines.yourChoice'];
const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

/** A greeted person, placed in a country (or not), inside the recruitment flow. */
async function inRecruitment(country?: string, origin?: string): Promise<TestBot> {
  const bot = createHandoffBot();
  await placeIn(bot, country, origin);
  await bot.press('flow.start:recruitment');
  return bot;
}

describe('recruitment flow through the engine', () => {
  it.each([['abroad'], ['preparing']])('opens from the menu for people %s', async (audience) => {
    const bot = createTestBot();
    await placeIn(bot, 'QA', 'PH');
    await bot.send('menu');
    await bot.press(`menu.audience:${audience}`);
    const replies = await bot.press('topic.open:recruitment');
    expect(keysOf(replies)).toEqual(['recruitment:intro']);
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(INTRO_CHOICES);
  });

  it('tells how to recognise a recruiter that is not allowed, then where to check', async () => {
    const bot = await inRecruitment('AE', 'LK');
    const check = await bot.press('recruitment.check');
    expect(keysOf(check)).toEqual(['recruitment:check']);
    expect(keysOf(await bot.press('recruitment.report'))).toEqual(REPORT);
  });

  it('explains a job not as promised, then where to complain', async () => {
    const bot = await inRecruitment('AE', 'LK');
    expect(keysOf(await bot.send(english('recruitment:choice.contract')))).toEqual(['recruitment:contract']);
    expect(keysOf(await bot.press('recruitment.report'))).toEqual(REPORT);
  });

  it.each([
    ['PH', 'QA', ['Department of Migrant Workers (DMW)', 'DMW hotline (24/7): 1348', 'In Qatar', 'Ministry of Labour hotline: 16008']],
    ['LK', 'AE', ['Sri Lanka Bureau of Foreign Employment (SLBFE)', 'SLBFE hotline (24 hours): 1989', 'MoHRE call centre (toll-free, 24/7): 80060']],
    ['ID', 'HK', ['KP2MI hotline (from abroad): +62 21 2924 4800', 'Hotline for foreign domestic helpers (24 hours): 2157 9537']],
    ['NP', 'MY', ['Foreign Employment Board toll-free line: 1141 (please check this number)', 'JTKSM labour complaints: 03-8000 8000']],
    ['BD', 'SA', ['Probashbondhu Call Centre (24 hours): 09654333333 (please check this number)', 'MHRSD labour call centre: 19911']],
  ])('for someone from %s working in %s, gives that agency and that labour office', async (origin, country, expected) => {
    const bot = await inRecruitment(country, origin);
    const replies = await bot.press('recruitment.report');
    expect(keysOf(replies)).toEqual(REPORT);
    for (const line of expected) expect(text(replies)).toContain(line);
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['handoff.offer:recruitment', 'flow.start:passport', 'nav.back', 'cmd.menu']);
  });

  it('gives different numbers to people in different countries', async () => {
    const inQatar = text(await (await inRecruitment('QA', 'PH')).press('recruitment.report'));
    const inTaiwan = text(await (await inRecruitment('TW', 'VN')).press('recruitment.report'));
    expect(inQatar).toContain('16008');
    expect(inQatar).not.toContain('1955');
    expect(inTaiwan).toContain('1955');
    expect(inTaiwan).toContain('024 3824 9517');
    expect(inTaiwan).not.toContain('16008');
  });

  it('without countries, gives general advice and the offer to say where the person is, then the numbers', async () => {
    const bot = await inRecruitment();
    const replies = await bot.press('recruitment.report');
    expect(keysOf(replies)).toEqual([
      'recruitment:report.originUnknown',
      'recruitment:lines.labourUnknown',
      'recruitment:lines.yourChoice',
    ]);
    expect(text(replies)).not.toMatch(/\d{4}/);
    expect(replies[1]!.buttons).toEqual([{ label: english('common:choice.country'), payload: 'cmd.country' }]);

    await bot.press('cmd.country');
    await bot.press('situation.here:KW');
    await bot.press('situation.from:IN');
    await bot.press('flow.start:recruitment');
    const known = await bot.press('recruitment.report');
    expect(keysOf(known)).toEqual(REPORT);
    expect(text(known)).toContain('24937600');
    expect(text(known)).toContain('1800-11-3090 (please check this number)');
  });

  it('says so when the directory has no labour line where the person works', async () => {
    const bot = await inRecruitment('JP', 'VN');
    expect(keysOf(await bot.press('recruitment.report'))).toEqual([
      'recruitment:report.origin',
      'recruitment:lines.labourNone',
      'recruitment:lines.yourChoice',
    ]);
  });

  it('goes back to the start from each part, and from the start to the menu', async () => {
    const bot = await inRecruitment('QA', 'PH');
    for (const part of ['recruitment.check', 'recruitment.contract', 'recruitment.report']) {
      await bot.press(part);
      expect(keysOf(await bot.send('back'))).toEqual(['recruitment:intro']);
    }
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it('goes to the menu from inside by word and by button', async () => {
    const byWord = await inRecruitment('QA', 'PH');
    await byWord.press('recruitment.contract');
    expect(keysOf(await byWord.send('menu'))).toEqual(['menu:prompt']);

    const byButton = await inRecruitment('QA', 'PH');
    await byButton.press('recruitment.report');
    expect(keysOf(await byButton.press('cmd.menu'))).toEqual(['menu:prompt']);
  });

  it('leads on to the passport topic and to a person', async () => {
    const toPassport = await inRecruitment('QA', 'PH');
    await toPassport.press('recruitment.contract');
    expect(keysOf(await toPassport.press('flow.start:passport'))).toEqual(['passport:law.forbiddenBy', 'passport:prompt']);

    const toPerson = await inRecruitment('QA', 'PH');
    await toPerson.press('recruitment.report');
    expect(keysOf(await toPerson.press('handoff.offer:recruitment'))).toEqual(['handoff:consent.explain']);
  });

  it('gives the emergency number first on a danger word inside, then carries on where it was', async () => {
    const bot = await inRecruitment('SG', 'MM');
    await bot.press('recruitment.contract');
    const sos = await bot.send('please help');
    expect(keysOf(sos)).toEqual(['common:emergency.split', 'safety:offer']);
    expect(sos[0]!.text).toContain('Police: 999');
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'recruitment:contract']);
    expect(keysOf(await bot.press('recruitment.report'))).toEqual(REPORT);
  });

  it('says the whole report again after help, numbers and all', async () => {
    const bot = await inRecruitment('TH', 'KH');
    const report = await bot.press('recruitment.report');
    const again = await bot.send('help');
    expect(keysOf(again)).toEqual(['common:help', ...REPORT]);
    expect(text(again.slice(1))).toBe(text(report));
  });
});
