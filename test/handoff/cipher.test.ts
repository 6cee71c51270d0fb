import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config/env';
import { AesGcmCipher, CipherError, PlaintextCipher, parseKey } from '../../src/handoff/cipher';

/** A sentence in the script of every language the bot speaks, and what else people type. */
const SAMPLES: Record<string, string> = {
  bn: 'আমার পাসপোর্ট নিয়ে নিয়েছে, আমি সাহায্য চাই',
  en: 'My employer kept my passport',
  fil: 'Kinuha ng amo ko ang pasaporte ko, tulungan n’yo po ako',
  hi: 'मेरे मालिक ने मेरा पासपोर्ट रख लिया है',
  id: 'Majikan saya menahan paspor saya',
  km: 'និយោជករបស់ខ្ញុំបានយកលិខិតឆ្លងដែនរបស់ខ្ញុំ',
  my: 'ကျွန်မရဲ့ အလုပ်ရှင်က ပတ်စ်ပို့ကို သိမ်းထားတယ်',
  ne: 'मेरो मालिकले मेरो राहदानी राखेको छ',
  si: 'මගේ සේවා යෝජකයා මගේ ගමන් බලපත්‍රය තබාගෙන ඇත',
  ta: 'என் முதலாளி என் கடவுச்சீட்டை வைத்திருக்கிறார்',
  ur: 'میرے مالک نے میرا پاسپورٹ رکھ لیا ہے',
  vi: 'Chủ của tôi giữ hộ chiếu của tôi',
  emoji: '👩‍👩‍👧 🇰🇭 🆘 and a cut pair \ud83d',
  empty: '',
  controls: 'quotes " \\ new\nline\ttab \u0000 nul',
  long: 'ក'.repeat(100_000),
};

describe('AesGcmCipher', () => {
  const key = randomBytes(32);
  const cipher = new AesGcmCipher(key);

  it.each(Object.entries(SAMPLES))('gives back %s text exactly', (_lang, text) => {
    const stored = cipher.encrypt(text);

    expect(stored).toMatch(/^gcm1:[A-Za-z0-9+/]+=*$/);
    // A lone surrogate cannot be UTF-8 encoded: it comes back as U+FFFD, as it would from any UTF-8 store.
    expect(cipher.decrypt(stored)).toBe(Buffer.from(text, 'utf8').toString('utf8'));
    expect(new AesGcmCipher(Buffer.from(key)).decrypt(stored)).toBe(cipher.decrypt(stored));
  });

  it('keeps every language sample exact, with no replacement characters', () => {
    for (const lang of ['bn', 'fil', 'hi', 'km', 'my', 'ne', 'si', 'ta', 'ur', 'vi']) {
      expect(cipher.decrypt(cipher.encrypt(SAMPLES[lang]!))).toBe(SAMPLES[lang]);
    }
  });

  it('uses a fresh nonce each time: the same text never looks the same twice', () => {
    const stored = Array.from({ length: 50 }, () => cipher.encrypt('the same words'));

    expect(new Set(stored).size).toBe(50);
    expect(new Set(stored.map((s) => Buffer.from(s.slice(5), 'base64').subarray(0, 12).toString('hex'))).size).toBe(50);
    expect(stored.every((s) => cipher.decrypt(s) === 'the same words')).toBe(true);
  });

  it('does not show the text, or its length beyond the fixed overhead', () => {
    const stored = cipher.encrypt(SAMPLES.en!);

    expect(stored).not.toContain('passport');
    expect(Buffer.from(stored.slice(5), 'base64')).toHaveLength(12 + 16 + Buffer.byteLength(SAMPLES.en!));
  });

  it('detects any altered byte: nonce, tag or text', () => {
    const raw = Buffer.from(cipher.encrypt('send help to the dormitory').slice(5), 'base64');

    for (const at of [0, 11, 12, 27, 28, raw.length - 1]) {
      const altered = Buffer.from(raw);
      altered[at]! ^= 0x01;
      expect(() => cipher.decrypt(`gcm1:${altered.toString('base64')}`)).toThrow(CipherError);
    }
    expect(() => cipher.decrypt(`gcm1:${raw.subarray(0, raw.length - 1).toString('base64')}`)).toThrow(CipherError);
    expect(() => cipher.decrypt(`gcm1:${raw.subarray(0, 27).toString('base64')}`)).toThrow(/too short/);
  });

  it('refuses a value written with another key', () => {
    const stored = new AesGcmCipher(randomBytes(32)).encrypt('hello');

    expect(() => cipher.decrypt(stored)).toThrow(CipherError);
    expect(() => cipher.decrypt(stored)).toThrow(/wrong key, or altered/);
  });

  it('refuses what is not an encrypted value, and reads values stored before a key was set', () => {
    expect(() => cipher.decrypt('hello')).toThrow(/not an encrypted value/);
    expect(() => cipher.decrypt('')).toThrow(CipherError);
    expect(cipher.decrypt('plain:written in development')).toBe('written in development');
  });

  it('needs a 32-byte key', () => {
    expect(() => new AesGcmCipher(randomBytes(16))).toThrow(CipherError);
    expect(() => new AesGcmCipher(randomBytes(33))).toThrow(CipherError);
  });
});

describe('parseKey', () => {
  const bytes = randomBytes(32);

  it('accepts 64 hex digits, in either case', () => {
    expect(parseKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseKey(bytes.toString('hex').toUpperCase())).toEqual(bytes);
  });

  it('accepts base64 of 32 bytes, as `openssl rand -base64 32` prints it', () => {
    const b64 = bytes.toString('base64');

    expect(b64).toHaveLength(44);
    expect(parseKey(b64)).toEqual(bytes);
  });

  it('gives a key that decrypts what the same key given the other way encrypted', () => {
    const stored = new AesGcmCipher(parseKey(bytes.toString('hex'))).encrypt('same key');

    expect(new AesGcmCipher(parseKey(bytes.toString('base64'))).decrypt(stored)).toBe('same key');
  });

  it.each([
    ['empty', ''],
    ['63 hex digits', bytes.toString('hex').slice(1)],
    ['65 hex digits', `${bytes.toString('hex')}0`],
    ['hex of 16 bytes', randomBytes(16).toString('hex')],
    ['base64 of 31 bytes', randomBytes(31).toString('base64')],
    ['base64 of 33 bytes', randomBytes(33).toString('base64')],
    ['base64 of 64 bytes', randomBytes(64).toString('base64')],
    ['a passphrase', 'correct horse battery staple'],
    ['base64 with a stray character', `${bytes.toString('base64').slice(0, 20)}!${bytes.toString('base64').slice(20)}`],
    ['base64 with spaces', ` ${bytes.toString('base64')} `],
    ['64 characters that are not all hex', `${bytes.toString('hex').slice(0, 63)}g`],
  ])('refuses %s', (_what, value) => {
    expect(() => parseKey(value)).toThrow(CipherError);
  });
});

describe('PlaintextCipher', () => {
  const plain = new PlaintextCipher();

  it('stores values marked plain: and reads them back', () => {
    for (const text of Object.values(SAMPLES)) {
      const stored = plain.encrypt(text);
      expect(stored).toBe(`plain:${text}`);
      expect(plain.decrypt(stored)).toBe(text);
    }
  });

  it('refuses encrypted values, and anything unmarked, rather than show them as text', () => {
    const stored = new AesGcmCipher(randomBytes(32)).encrypt('secret');

    expect(() => plain.decrypt(stored)).toThrow(CipherError);
    expect(() => plain.decrypt(stored)).toThrow(/no DATA_ENCRYPTION_KEY/);
    expect(() => plain.decrypt('unmarked')).toThrow(CipherError);
  });
});

describe('DATA_ENCRYPTION_KEY in the settings', () => {
  it('is checked as the cipher checks it, so a mistyped key is a settings error naming the variable', () => {
    const key = randomBytes(32).toString('base64');

    expect(loadConfig({ DATA_ENCRYPTION_KEY: key }).DATA_ENCRYPTION_KEY).toBe(key);
    expect(() => loadConfig({ DATA_ENCRYPTION_KEY: `${key.slice(0, 10)}!${key.slice(11)}` })).toThrow(
      new ConfigError(['DATA_ENCRYPTION_KEY: must be 32 bytes, as 64 hex digits or 44 base64 characters']),
    );
  });
});
