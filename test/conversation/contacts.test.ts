import { buttonsOf, english, keysOf, type TestBot } from '../support';
import { createHandoffBot } from '../support/handoff';

/** A newcomer who answered (or skipped) where they are and where they are from. */
async function placed(here?: string, from?: string): Promise<TestBot> {
  const bot = createHandoffBot();
  await bot.send('hi');
  await bot.press(here ? `situation.here:${here}` : 'situation.skip');
  await bot.press(from ? `situation.from:${from}` : 'situation.skip');
  return bot;
}

const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');
const FULL = ['common:emergency.split', 'contacts:society', 'contacts:labour.lines', 'contacts:agency.lines', 'contacts:paper'];

describe('contacts abroad through the engine', () => {
  it('opens from the menu with the numbers where the person is, then from their home country', async () => {
    const bot = await placed('AE', 'PH');
    await bot.press('menu.audience:abroad');
    const replies = await bot.press('topic.open:contacts');
    expect(keysOf(replies)).toEqual(FULL);
    const all = text(replies);
    expect(all).toContain('Police: 999');
    expect(all).toContain('Ambulance: 998 (please check this number)');
    expect(all).toContain('United Arab Emirates: Emirates Red Crescent (ERC)');
    expect(all).toContain('MoHRE call centre (toll-free, 24/7), Ministry of Human Resources & Emiratisation (MoHRE): 80060');
    expect(all).toContain('Department of Migrant Workers (DMW)');
    expect(all).toContain('DMW hotline (24/7): 1348');
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['handoff.offer:other', 'topic.open:services', 'cmd.menu']);
  });

  it('opens for people preparing to go and for families too', async () => {
    for (const audience of ['preparing', 'family']) {
      const bot = await placed('SG', 'MM');
      await bot.press(`menu.audience:${audience}`);
      const replies = await bot.press('topic.open:contacts');
      expect(keysOf(replies)[0]).toBe('common:emergency.split');
      expect(text(replies)).toContain("Migrant Workers' Centre helpline (24 hours), Migrant Workers' Centre (MWC): 6536 2692");
    }
  });

  it.each([
    ['TH', '1694'],
    ['TW', '1955'],
    ['HK', '2157 9537'],
    ['KR', '1577-0071'],
    ['QA', '16008'],
  ])('gives a person in %s its work line %s', async (code, number) => {
    const bot = await placed(code);
    const all = text(await bot.press('flow.start:contacts'));
    expect(all).toContain(`: ${number}`);
    expect(all).toContain(english('contacts:labour.lines', { country: { key: `countries:${code}` }, lines: [] }).split('\n')[0]);
  });

  it('says when it has no work line for the country', async () => {
    const bot = await placed('OM');
    const replies = await bot.press('flow.start:contacts');
    expect(replies).toContainKey('contacts:labour.none', { country: { key: 'countries:OM' } });
  });

  it('marks an unverified line of the home country', async () => {
    const bot = await placed('KW', 'NP');
    const all = text(await bot.press('flow.start:contacts'));
    expect(all).toContain('Foreign Employment Board toll-free line: 1141 (please check this number)');
  });

  it('without a country, lists every emergency number, gives general advice and offers to say where the person is', async () => {
    const bot = await placed();
    const replies = await bot.press('flow.start:contacts');
    expect(keysOf(replies)).toEqual(['common:emergency.unknown', 'contacts:noCountry', 'contacts:noOrigin', 'contacts:paper']);
    expect(replies[0]?.text).toContain('Qatar: 999');
    expect(buttonsOf(replies).map((b) => b.payload)).toEqual(['cmd.country', 'handoff.offer:other', 'topic.open:services', 'cmd.menu']);
    expect(keysOf(await bot.press('cmd.country'))).toEqual(['situation:where']);
    await bot.press('situation.here:JP');
    await bot.press('situation.skip');
    expect(text(await bot.press('flow.start:contacts'))).toContain('Police: 110');
  });

  it('goes on to a caseworker, consent first, or to the services topic', async () => {
    const bot = await placed('SA', 'LK');
    await bot.press('flow.start:contacts');
    expect(keysOf(await bot.press('handoff.offer:other'))).toEqual(['handoff:consent.explain']);
    expect((await bot.record())?.flow?.id).toBe('contacts');
    expect(keysOf(await bot.press('topic.open:services'))[0]).toBe('services:intro');
  });

  it('goes to the menu by button, by word and by back', async () => {
    for (const leave of ['button', 'menu', 'back']) {
      const bot = await placed('BN');
      await bot.press('flow.start:contacts');
      const replies = leave === 'button' ? await bot.press('cmd.menu') : await bot.send(leave);
      expect(keysOf(replies)).toEqual(['menu:prompt']);
    }
  });

  it('gives the emergency number first on a danger word, then the contacts again on help', async () => {
    const bot = await placed('AE', 'PH');
    await bot.press('flow.start:contacts');
    const replies = await bot.send('please help');
    expect(keysOf(replies)).toEqual(['common:emergency.split', 'safety:offer']);
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', ...FULL]);
    expect(keysOf(await bot.press('topic.open:services'))[0]).toBe('services:intro');
  });
});
