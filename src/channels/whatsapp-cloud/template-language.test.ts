import { loadConfig } from '../../config/env';
import { templateLanguage } from './template-language';

test('a mapped locale gets its code; its base language serves a regional variant; the rest the fallback', () => {
  const pick = templateLanguage({ en: 'en_US', fil: 'fil' }, 'en_GB');
  expect(pick('en')).toBe('en_US');
  expect(pick('fil')).toBe('fil');
  expect(pick('en-AU')).toBe('en_US');
  expect(pick('ne')).toBe('en_GB');
});

test('with the default settings every locale of the bot gets a code, its own where WhatsApp has one', () => {
  const config = loadConfig({});
  const pick = templateLanguage(config.WHATSAPP_CLOUD_TEMPLATE_LANGUAGES, config.WHATSAPP_CLOUD_TEMPLATE_FALLBACK_LANGUAGE);
  const codes = Object.fromEntries(['bn', 'en', 'fil', 'hi', 'id', 'km', 'my', 'ne', 'si', 'ta', 'ur', 'vi'].map((l) => [l, pick(l)]));
  expect(codes).toEqual({
    bn: 'bn',
    en: 'en',
    fil: 'fil',
    hi: 'hi',
    id: 'id',
    km: 'en',
    my: 'en',
    ne: 'en',
    si: 'en',
    ta: 'ta',
    ur: 'ur',
    vi: 'vi',
  });
});
