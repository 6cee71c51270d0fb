import { createTestBot, english, keysOf } from '../support';
import { placeIn } from '../support/situation';

describe('SOS from anywhere', () => {
  it('answers a danger word on the very first message with emergency numbers first', async () => {
    const bot = createTestBot();
    const replies = await bot.send('help me');
    expect(keysOf(replies)[0]).toBe('common:emergency.unknown');
    // Without a country, every destination's number is listed rather than a question asked first.
    expect(replies[0]!.text).toContain('Qatar: 999');
    expect(replies[0]!.text).toContain('Hong Kong: 999');
  });

  it.each([
    ['AE', 'Police: 999', 'Ambulance: 998 (please check this number)'],
    ['QA', 'call 999 now', undefined],
    ['SG', 'Police: 999', 'Ambulance: 995'],
    ['TW', 'Police: 110', 'Ambulance: 119'],
    ['KR', 'Police: 112', 'Fire: 119'],
    ['KW', 'call 112 now', undefined],
  ])('in %s names that country’s numbers', async (code, first, second) => {
    const bot = createTestBot();
    await placeIn(bot, code);
    const [numbers] = await bot.send('SOS');
    expect(numbers!.text).toContain(first);
    if (second) expect(numbers!.text).toContain(second);
  });

  it('interrupts a flow without losing its place', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'MY', 'ID');
    await bot.press('flow.start:packing');
    await bot.press('answer.yes');
    const before = (await bot.record())!.flow;
    const replies = await bot.send('I am in danger please');
    expect(keysOf(replies)).toEqual(['common:emergency.single', 'safety:offer']);
    expect((await bot.record())!.flow).toEqual(before);
    const next = await bot.press('nav.next');
    expect(keysOf(next)[0]).toMatch(/^packing:/);
  });

  it('offers the danger topic, which then opens', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'SA');
    const replies = await bot.send('emergency!!');
    expect(replies[1]!.buttons?.map((b) => b.payload)).toContain('flow.start:danger');
    const danger = await bot.press('flow.start:danger');
    expect(keysOf(danger)[0]).toMatch(/^common:emergency\./);
  });

  it('treats the label of an offered choice as that choice, not as an alarm', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'AE');
    await bot.send('sos');
    // The offer's own label contains "danger"; typing it picks the offer.
    const typed = await bot.send(english('safety:choice.danger'));
    expect((await bot.record())!.flow?.id).toBe('danger');
    expect(keysOf(typed)).not.toContain('safety:offer');
  });
});
