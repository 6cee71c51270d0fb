import { createHmac, hkdfSync } from 'node:crypto';
import { ConfigError, loadConfig } from '../config/env';
import { INSIGHT_HKDF_LABEL, insightSecret, pseudonymiser } from './pseudonym';

const DATA_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const SECRET = 'an-insight-secret-of-at-least-32-characters';

describe('INSIGHT_SECRET', () => {
  it('is optional, and at least 32 printable characters when set', () => {
    expect(loadConfig({}).INSIGHT_SECRET).toBeUndefined();
    expect(loadConfig({ INSIGHT_SECRET: SECRET }).INSIGHT_SECRET).toBe(SECRET);
    for (const bad of ['too-short-a-secret', `${SECRET} with spaces`]) {
      expect(() => loadConfig({ INSIGHT_SECRET: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ INSIGHT_SECRET: bad })).toThrow(/INSIGHT_SECRET/);
    }
  });
});

describe('insightSecret', () => {
  it('uses INSIGHT_SECRET when set, before the data key', () => {
    const secret = insightSecret({ INSIGHT_SECRET: SECRET, DATA_ENCRYPTION_KEY: DATA_KEY });
    expect(secret).toEqual({ key: Buffer.from(SECRET, 'utf8'), source: 'INSIGHT_SECRET' });
  });

  it('derives one from DATA_ENCRYPTION_KEY with HKDF, never the key itself', () => {
    const secret = insightSecret({ DATA_ENCRYPTION_KEY: DATA_KEY });
    const expected = Buffer.from(hkdfSync('sha256', Buffer.from(DATA_KEY, 'hex'), Buffer.alloc(0), INSIGHT_HKDF_LABEL, 32));
    expect(secret.source).toBe('DATA_ENCRYPTION_KEY');
    expect(secret.key.equals(expected)).toBe(true);
    expect(secret.key.equals(Buffer.from(DATA_KEY, 'hex'))).toBe(false);
    // The same key in base64 is the same key, so the same pseudonyms.
    expect(insightSecret({ DATA_ENCRYPTION_KEY: Buffer.from(DATA_KEY, 'hex').toString('base64') }).key.equals(expected)).toBe(true);
  });

  it('is random, and different at each start, with neither', () => {
    const first = insightSecret({});
    const second = insightSecret({});
    expect(first.source).toBe('random');
    expect(first.key).toHaveLength(32);
    expect(first.key.equals(second.key)).toBe(false);
  });
});

describe('pseudonymiser', () => {
  const pseudonym = pseudonymiser(Buffer.from(SECRET, 'utf8'));

  it('is the HMAC-SHA256 of channel:userId, in base64url', () => {
    const expected = createHmac('sha256', SECRET).update('telegram:424242').digest('base64url');
    expect(pseudonym('telegram', '424242')).toBe(expected);
    expect(pseudonym('telegram', '424242')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is stable for a person, and differs between people, channels and secrets', () => {
    expect(pseudonym('whatsapp-cloud', '6591234567')).toBe(pseudonym('whatsapp-cloud', '6591234567'));
    expect(pseudonym('whatsapp-cloud', '6591234567')).not.toBe(pseudonym('whatsapp-cloud', '6591234568'));
    expect(pseudonym('webchat', '6591234567')).not.toBe(pseudonym('whatsapp-cloud', '6591234567'));
    expect(pseudonymiser(Buffer.from(`${SECRET}!`, 'utf8'))('webchat', '6591234567')).not.toBe(pseudonym('webchat', '6591234567'));
  });

  it('does not contain the user id, nor its plain hash', () => {
    const id = '6591234567';
    const value = pseudonym('whatsapp-cloud', id);
    expect(value).not.toContain(id);
    expect(value).not.toBe(createHmac('sha256', '').update(`whatsapp-cloud:${id}`).digest('base64url'));
  });
});
