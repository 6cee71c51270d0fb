import { createTestBot, keysOf } from '../support';
import { statusTranslator } from '../support/english';
import { placeIn } from '../support/situation';

const FSI = '\u2068';
const PDI = '\u2069';

describe('choosing the language', () => {
  it('follows the channel’s hint on first contact, regional variants included', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    const replies = await bot.handle({ text: 'hi', locale: 'tl-PH' });
    expect((await bot.record())?.locale).toBe('fil');
    expect((await bot.record())?.localeSource).toBe('detected');
    expect(replies.replies[0]?.locale).toBe('fil');
    // The first message names the language in use and offers one tap to change it.
    expect(replies.replies[0]?.text).toContain('Filipino');
    expect(replies.replies[0]?.buttons?.map((b) => b.payload)).toEqual(['cmd.language']);
  });

  it('falls back to English for a language it does not have', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await bot.handle({ text: 'hi', locale: 'zh-TW' });
    expect((await bot.record())?.locale).toBe('en');
  });

  it('lists every language by its own name', async () => {
    const bot = createTestBot({ tr: statusTranslator, capabilities: { maxButtons: 12 } });
    await bot.send('hi');
    const [ask] = await bot.send('language');
    expect(ask?.buttons?.map((b) => b.label)).toEqual(
      expect.arrayContaining(['English', 'नेपाली', 'বাংলা', 'اردو', 'සිංහල', 'தமிழ்', 'Tiếng Việt', 'ខ្មែរ', 'မြန်မာ']),
    );
    expect(ask?.buttons).toHaveLength(12);
  });

  it('keeps a chosen language over later hints', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await bot.handle({ text: 'hi', locale: 'id' });
    await bot.press('lang.set:vi');
    await bot.handle({ text: 'menu', locale: 'id' });
    expect((await bot.record())?.locale).toBe('vi');
    expect((await bot.record())?.localeSource).toBe('chosen');
  });

  it('says once, in the draft language and in English, that the translation is new', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await bot.send('hi');
    const first = await bot.press('lang.set:ne');
    expect(first.map((m) => m.locale).slice(0, 3)).toEqual(['ne', 'ne', 'en']);
    expect(first[2]?.text).toContain('Type en for English');
    await bot.press('lang.set:en');
    const again = await bot.press('lang.set:ne');
    expect(again.some((m) => m.locale === 'en')).toBe(false);
  });

  it('switches back to English when the person types en', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await bot.handle({ text: 'hi', locale: 'km' });
    await bot.send('en');
    expect((await bot.record())?.locale).toBe('en');
  });

  it('switches by the language’s own name typed, and keeps the person at the same step', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await placeIn(bot, 'MY', 'ID');
    await bot.press('flow.start:packing');
    await bot.press('answer.yes');
    await bot.press('nav.next');
    const before = (await bot.record())?.flow;
    const replies = await bot.send('Bahasa Indonesia');
    expect((await bot.record())?.locale).toBe('id');
    expect((await bot.record())?.flow).toEqual(before);
    // The step is said again, in Indonesian.
    expect(replies.at(-1)?.locale).toBe('id');
    expect(replies.at(-1)?.text).toContain('2/8');
  });

  it('offers to switch when a message is written in another supported script', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await bot.send('hi');
    await bot.press('cmd.menu');
    const replies = await bot.send('আমার পাসপোর্ট নিয়ে গেছে');
    expect(keysOf(replies)).toEqual(['common:switchOffer']);
    expect(replies[0]?.buttons?.map((b) => b.payload)).toEqual(['lang.set:bn', 'lang.set:en']);
    await bot.press('lang.set:bn');
    expect((await bot.record())?.locale).toBe('bn');
  });

  it('offers both languages of a shared script', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await bot.send('hi');
    await bot.press('cmd.menu');
    const [offer] = await bot.send('मेरा पासपोर्ट ले लिया');
    expect(offer?.buttons?.map((b) => b.payload)).toEqual(['lang.set:ne', 'lang.set:hi', 'lang.set:en']);
  });

  it('recognises commands and SOS words in every language', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await placeIn(bot, 'QA');
    expect(keysOf(await bot.send('bachao'))[0]).toBe('common:emergency.single');
    expect(keysOf(await bot.send('tulong'))[0]).toBe('common:emergency.single');
  });
});

describe('right-to-left text', () => {
  it('isolates numbers so chat apps do not reorder them, and marks messages rtl', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await placeIn(bot, 'SA', 'PK');
    await bot.press('lang.set:ur');
    const [numbers] = await bot.send('sos');
    expect(numbers?.dir).toBe('rtl');
    expect(numbers?.text).toContain(`${FSI}911${PDI}`);
  });
});

describe('scripts typed in their own ways', () => {
  it('finds a Burmese danger phrase inside words written without spaces', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await placeIn(bot, 'TH', 'MM');
    expect(keysOf(await bot.send('ကျွန်မကိုကယ်ပါရှင့်'))[0]).toMatch(/^common:emergency\./);
  });

  it('reads Urdu typed with Arabic letter forms', async () => {
    const bot = createTestBot({ tr: statusTranslator });
    await placeIn(bot, 'AE', 'PK');
    // "مينو" with Arabic yeh is the Urdu "مینو" (menu).
    await bot.press('lang.set:ur');
    const replies = await bot.send('مينو');
    expect((await bot.record())?.flow?.id).toBe('menu');
    expect(replies.at(-1)?.dir).toBe('rtl');
  });
});

describe('country names in the person’s language', () => {
  it.each([
    ['my', 'SG'],
    ['hi', 'QA'],
    ['bn', 'SA'],
  ])('are found when typed in %s', async (lang, code) => {
    const bot = createTestBot({ tr: statusTranslator });
    await bot.send('hi');
    await bot.press(`lang.set:${lang}`);
    await bot.press('cmd.country');
    const name = statusTranslator.t(`countries:${code}`, lang);
    await bot.send(name);
    expect((await bot.record())?.country.current).toBe(code);
  });
});
