import { buttonsOf, createTestBot, english, keysOf, type TestBot, type TestBotOptions } from '../support';
import { createHandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

const button = (label: string, payload: string) => ({ label: english(label), payload });
const onward = (known: boolean) => [
  button('familyEmergency:choice.rfl', 'flow.start:rfl'),
  button('common:choice.person', 'handoff.offer:familyEmergency'),
  ...(known ? [] : [button('common:choice.country', 'cmd.country')]),
  button('common:choice.back', 'nav.back'),
  button('common:choice.menu', 'cmd.menu'),
];

/** A person placed in these countries, at the first question of the topic. */
async function inFamilyEmergency(country?: string, origin?: string, options?: TestBotOptions): Promise<TestBot> {
  const bot = createHandoffBot(options);
  await placeIn(bot, country, origin);
  await bot.press('flow.start:familyEmergency');
  return bot;
}

const text = (replies: { text: string }[]) => replies.map((r) => r.text).join('\n');

describe('family emergency flow through the engine', () => {
  it('opens from the main menu and asks which side the person is on, with buttons that fit', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'SA', 'PH');
    await bot.send('menu');
    const replies = await bot.press('topic.open:familyEmergency');
    expect(keysOf(replies)).toEqual(['familyEmergency:who']);
    expect(buttonsOf(replies)).toEqual([
      button('familyEmergency:choice.abroad', 'family.abroad'),
      button('familyEmergency:choice.home', 'family.home'),
      button('common:choice.menu', 'cmd.menu'),
    ]);
  });

  it('shows a worker abroad from the Philippines who can help at home, then the way on', async () => {
    const bot = await inFamilyEmergency('SA', 'PH');
    const replies = await bot.press('family.abroad');
    expect(keysOf(replies)).toEqual([
      'familyEmergency:abroad.intro',
      'familyEmergency:societyPhone',
      'familyEmergency:agency',
      'familyEmergency:abroad.more',
    ]);
    expect(replies[0]?.text).toContain('Home country: Philippines');
    expect(replies[1]?.text).toBe('Red Cross / Red Crescent: Philippine Red Cross (PRC)\nPhone: 143');
    expect(replies[2]?.text).toContain('DMW hotline (24/7): 1348');
    // The Red Cross hotline is shown once, with the Red Cross.
    expect(replies[2]?.text).not.toContain('143');
    expect(replies[3]?.text).toContain('talk to your employer about leave. That is your choice.');
    expect(buttonsOf(replies)).toEqual(onward(true));
  });

  it.each([
    ['ID', 'QA', ['Palang Merah Indonesia (PMI)', '+62 21 2924 4800', '0811-8080-141']],
    ['LK', 'KW', ['Sri Lanka Red Cross Society (SLRCS)', 'SLBFE hotline (24 hours): 1989']],
    ['NP', 'MY', ['Nepal Red Cross Society (NRCS)', 'Foreign Employment Board toll-free line: 1141 (please check this number)']],
    ['BD', 'AE', ['Bangladesh Red Crescent Society (BDRCS)', '09654333333 (please check this number)']],
    ['PK', 'SA', ['Pakistan Red Crescent Society (PRCS)', 'Phone: 1030']],
  ])('gives a worker from %s (in %s) that country’s contacts', async (origin, country, expected) => {
    const bot = await inFamilyEmergency(country, origin);
    const replies = await bot.press('family.abroad');
    for (const line of expected) expect(text(replies)).toContain(line);
    expect(text(replies)).not.toContain('1348');
  });

  it('gives general advice and offers to say where the person is from when it does not know', async () => {
    const bot = await inFamilyEmergency('QA');
    const replies = await bot.press('family.abroad');
    expect(keysOf(replies)).toEqual(['familyEmergency:abroad.unknown', 'familyEmergency:abroad.more']);
    expect(buttonsOf(replies)).toEqual(onward(false));
    await bot.press('cmd.country');
    expect((await bot.record())?.flow?.id).toBe('situation');
  });

  it.each([
    ['PH', undefined, 'DMW hotline (24/7): 1348', 'Phone: 143'],
    [undefined, 'ID', 'KP2MI hotline (from inside Indonesia): 0-800-1000', 'Palang Merah Indonesia (PMI)'],
    ['KH', undefined, 'MLVT hotline: 1297', 'Cambodian Red Cross (CRC)'],
  ])('shows a family at home (in %s, from %s) the office for workers abroad, then the Red Cross', async (country, origin, line, society) => {
    const bot = await inFamilyEmergency(country, origin);
    const replies = await bot.press('family.home');
    expect(keysOf(replies)).toEqual([
      'familyEmergency:home.intro',
      'familyEmergency:agency',
      expect.stringMatching(/^familyEmergency:society/),
      'familyEmergency:home.more',
    ]);
    expect(replies[1]?.text).toContain(line);
    expect(replies[2]?.text).toContain(society);
    expect(buttonsOf(replies)).toEqual(onward(true));
  });

  it('gives a family at home general advice when it does not know their country', async () => {
    const bot = createTestBot();
    await bot.send('hi');
    await bot.press('flow.start:familyEmergency');
    const replies = await bot.press('family.home');
    expect(keysOf(replies)).toEqual(['familyEmergency:home.unknown', 'familyEmergency:home.more']);
    expect(buttonsOf(replies)).toEqual(onward(false));
  });

  it('leads into Restoring Family Links and to a person', async () => {
    const toRfl = await inFamilyEmergency('SA', 'PH');
    await toRfl.press('family.abroad');
    expect(keysOf(await toRfl.press('flow.start:rfl'))).toEqual(['rfl:intro']);
    expect((await toRfl.record())?.flow?.id).toBe('rfl');

    const toPerson = await inFamilyEmergency('SA', 'PH');
    await toPerson.press('family.home');
    expect(keysOf(await toPerson.press('handoff.offer:familyEmergency'))).toEqual(['handoff:consent.explain']);
  });

  it('opens Restoring Family Links when its label is typed', async () => {
    const bot = await inFamilyEmergency('SA', 'PH');
    await bot.press('family.abroad');
    expect(keysOf(await bot.send(english('familyEmergency:choice.rfl')))).toEqual(['rfl:intro']);
  });

  it('goes back to the question, and from the question to the menu', async () => {
    const bot = await inFamilyEmergency('SA', 'PH');
    await bot.send(english('familyEmergency:choice.home'));
    expect(keysOf(await bot.send('back'))).toEqual(['familyEmergency:who']);
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
  });

  it('goes to the menu from inside, and stops', async () => {
    const toMenu = await inFamilyEmergency('SA', 'PH');
    await toMenu.press('family.abroad');
    expect(keysOf(await toMenu.send('menu'))).toEqual(['menu:prompt']);

    const stopped = await inFamilyEmergency('SA', 'PH');
    await stopped.press('family.abroad');
    expect(keysOf(await stopped.send('stop'))).toEqual(['common:stopped']);
    expect((await stopped.record())?.flow).toBeNull();
  });

  it('gives emergency numbers first when the person signals danger, then carries on where it was', async () => {
    const bot = await inFamilyEmergency('SA', 'PH');
    const shown = await bot.press('family.abroad');
    const sos = await bot.send('help me');
    expect(keysOf(sos)[0]).toBe('common:emergency.split');
    expect(sos[0]?.text).toContain('Police: 911');
    const again = await bot.send('help');
    expect(keysOf(again)).toEqual(['common:help', ...keysOf(shown)]);
    expect(keysOf(await bot.press('nav.back'))).toEqual(['familyEmergency:who']);
  });

  it('writes the choices as a numbered list on a channel without buttons, and takes their numbers', async () => {
    const bot = await inFamilyEmergency('SA', 'PH', { capabilities: { buttons: false } });
    expect(keysOf(await bot.send('2'))[0]).toBe('familyEmergency:home.intro');
    const replies = await bot.send('back');
    expect(replies[0]?.text.endsWith(`\n\n1. ${english('familyEmergency:choice.abroad')}\n2. ${english('familyEmergency:choice.home')}\n3. ${english('common:choice.menu')}`)).toBe(true);
  });
});
