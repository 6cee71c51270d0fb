import { createTestBot, english, keysOf, type TestBot } from '../support';

/** A newcomer who told the situation flow where they are. */
async function inCountry(code?: string): Promise<TestBot> {
  const bot = createTestBot();
  await bot.send('hi');
  await bot.press(code ? `situation.here:${code}` : 'situation.skip');
  await bot.press('situation.skip');
  return bot;
}

/**
 * Each destination's numbers as a person there must see them, written out by
 * hand from facts.md §1a so that a mix-up in the directory or the flows shows.
 */
const DESTINATIONS: [code: string, lines: string[]][] = [
  ['AE', ['Police: 999', 'Ambulance: 998 (please check this number)', 'Fire: 997 (please check this number)']],
  ['QA', ['call 999 now (police, ambulance and fire)']],
  ['SG', ['Police: 999', 'Ambulance: 995', 'Fire: 995']],
  ['HK', ['call 999 now (police, ambulance and fire)']],
  ['KR', ['Police: 112', 'Ambulance: 119', 'Fire: 119']],
  ['TH', ['Police: 191', 'Ambulance: 1669', 'Fire: 199']],
  ['KW', ['call 112 now']],
  ['OM', ['call 9999 now']],
  ['TW', ['Police: 110', 'Ambulance: 119']],
  ['AU', ['call 000 now']],
  ['BN', ['Police: 993', 'Ambulance: 991', 'Fire: 995']],
];

describe('country numbers, for people in different countries', () => {
  describe.each(DESTINATIONS)('a person in %s', (code, lines) => {
    it("gets that country's emergency numbers first in contacts", async () => {
      const bot = await inCountry(code);
      const [numbers] = await bot.press('flow.start:contacts');
      expect(numbers?.text.startsWith(`In an emergency in ${english(`countries:${code}`)}`)).toBe(true);
      for (const line of lines) expect(numbers?.text).toContain(line);
    });

    it("gets that country's emergency numbers on SOS, from any screen", async () => {
      const bot = await inCountry(code);
      await bot.press('menu.audience:abroad');
      const [numbers] = await bot.send('sos');
      expect(numbers?.text.startsWith(`In an emergency in ${english(`countries:${code}`)}`)).toBe(true);
      for (const line of lines) expect(numbers?.text).toContain(line);
    });
  });

  it('never shows another country’s numbers', async () => {
    const bot = await inCountry('SG');
    const [numbers] = await bot.press('flow.start:contacts');
    expect(numbers?.text).not.toContain('United Arab Emirates');
    expect(numbers?.text).not.toContain('1669');
  });

  it('shows an unverified number with "please check", in contacts, SOS and first aid', async () => {
    const bot = await inCountry('AE');
    const checked = english('common:checkNumber', { number: '998' });
    expect((await bot.press('flow.start:contacts'))[0]?.text).toContain(`Ambulance: ${checked}`);
    expect((await bot.send('sos'))[0]?.text).toContain(`Ambulance: ${checked}`);
    expect((await bot.press('flow.start:firstAid'))[1]?.text).toContain(`Ambulance: ${checked}`);
  });

  it('gives a person with no country the list of every destination, in contacts and on SOS', async () => {
    const bot = await inCountry();
    const contacts = await bot.press('flow.start:contacts');
    expect(keysOf(contacts)[0]).toBe('common:emergency.unknown');
    for (const [country, number] of [['Qatar', '999'], ['Thailand', '191'], ['Republic of Korea', '112'], ['Australia', '000']]) {
      expect(contacts[0]?.text).toContain(`${country}: ${number}`);
    }
    const sos = await bot.send('help me');
    expect(keysOf(sos)[0]).toBe('common:emergency.unknown');
    expect(sos[0]?.text).toContain('Hong Kong: 999');
  });

  it('follows the person when they say they have moved', async () => {
    const bot = await inCountry('QA');
    await bot.send('country');
    await bot.send('Singapore');
    await bot.press('situation.skip');
    const [numbers] = await bot.press('flow.start:contacts');
    expect(numbers?.text).toContain('Ambulance: 995');
  });
});
