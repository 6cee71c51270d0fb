import { localeFromPhone, resolveLocale } from './locale';
import { languagesOfScript } from './scripts';

const SUPPORTED = ['en', 'fil', 'id', 'ne', 'bn', 'hi', 'ur', 'si', 'ta', 'vi', 'km', 'my'];

describe('resolveLocale', () => {
  it.each([
    ['en', 'en'],
    ['en-GB', 'en'],
    ['EN_us', 'en'],
    ['tl', 'fil'],
    ['tl-PH', 'fil'],
    ['fil', 'fil'],
    ['in', 'id'],
    ['id-ID', 'id'],
    ['ne-NP', 'ne'],
    ['bn-BD', 'bn'],
    ['ur-PK', 'ur'],
    ['vi', 'vi'],
    ['km-KH', 'km'],
    ['my-MM', 'my'],
  ])('maps %s to %s', (hint, expected) => {
    expect(resolveLocale(hint, SUPPORTED)).toBe(expected);
  });

  it.each([['zh-TW'], ['ar'], [''], [undefined]])('gives nothing for %s, so English is the fallback', (hint) => {
    expect(resolveLocale(hint, SUPPORTED)).toBeUndefined();
  });

  it('only offers languages that are installed', () => {
    expect(resolveLocale('fil', ['en'])).toBeUndefined();
  });
});

describe('localeFromPhone', () => {
  it.each([
    ['+639171234567', 'fil'],
    ['6281234567890', 'id'],
    ['+977 980 1234567', 'ne'],
    ['00880 1711 123456', 'bn'],
    ['+94 77 123 4567', 'si'],
    ['+84 90 123 4567', 'vi'],
    ['+855 12 345 678', 'km'],
    ['+95 9 123 456 789', 'my'],
    ['+92 300 1234567', 'ur'],
  ])('guesses %s as %s', (phone, expected) => {
    expect(localeFromPhone(phone)).toBe(expected);
  });

  it('has no guess for a number from elsewhere', () => {
    expect(localeFromPhone('+971 50 123 4567')).toBeUndefined();
    expect(localeFromPhone('+44 20 7946 0000')).toBeUndefined();
  });
});

describe('languagesOfScript', () => {
  it.each([
    ['আমি সাহায্য চাই', ['bn']],
    ['मुझे मदद चाहिए', ['ne', 'hi']],
    ['මට උදව් ඕනේ', ['si']],
    ['எனக்கு உதவி வேண்டும்', ['ta']],
    ['ខ្ញុំត្រូវការជំនួយ', ['km']],
    ['ကျွန်တော် အကူအညီ လိုပါတယ်', ['my']],
    ['مجھے مدد چاہیے', ['ur']],
  ])('finds the script of %s', (text, expected) => {
    expect(languagesOfScript(text)).toEqual(expected);
  });

  it('stays out of Latin text, numbers and single letters', () => {
    expect(languagesOfScript('Tôi cần giúp đỡ')).toEqual([]);
    expect(languagesOfScript('hello')).toEqual([]);
    expect(languagesOfScript('12345')).toEqual([]);
    expect(languagesOfScript('ক')).toEqual([]);
  });

  it('goes by most of the letters, not one stray character', () => {
    expect(languagesOfScript('my name is Rahim রহিম and I work in Dubai')).toEqual([]);
  });
});
