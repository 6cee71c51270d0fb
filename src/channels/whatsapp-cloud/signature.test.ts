import { createHmac } from 'node:crypto';
import { sameSecret, sign, validSignature } from './signature';

const SECRET = 'b3f1c0ffee5e1f2a9d8c7b6a5f4e3d2c';
const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}', 'utf8');
/** Computed independently of sign(), as Meta documents it. */
const metaSignature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

test('sign() writes what Meta sends: sha256= and the lowercase hex HMAC-SHA256', () => {
  expect(sign(body, SECRET)).toBe(metaSignature);
  expect(metaSignature).toMatch(/^sha256=[0-9a-f]{64}$/);
});

test('the right signature of the exact bytes is valid, in either case of hex', () => {
  expect(validSignature(body, metaSignature, SECRET)).toBe(true);
  expect(validSignature(body, metaSignature.toUpperCase().replace('SHA256=', 'sha256='), SECRET)).toBe(true);
});

test.each<[string, unknown]>([
  ['missing', undefined],
  ['empty', ''],
  ['an array of headers', [metaSignature]],
  ['without the sha256= prefix', metaSignature.slice('sha256='.length)],
  ['another algorithm', metaSignature.replace('sha256=', 'sha1=')],
  ['too short', metaSignature.slice(0, -2)],
  ['too long', `${metaSignature}00`],
  ['not hex', `sha256=${'z'.repeat(64)}`],
  ['one digit changed', metaSignature.slice(0, -1) + (metaSignature.endsWith('0') ? '1' : '0')],
  ['signed with another secret', sign(body, 'another-secret')],
])('a signature that is %s is refused', (_name, header) => {
  expect(validSignature(body, header, SECRET)).toBe(false);
});

test('the signature covers every byte: the same JSON re-spaced no longer matches', () => {
  const respaced = Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 1), 'utf8');
  expect(validSignature(respaced, metaSignature, SECRET)).toBe(false);
});

test('sameSecret compares whole values only', () => {
  expect(sameSecret('verify-me', 'verify-me')).toBe(true);
  expect(sameSecret('verify-m', 'verify-me')).toBe(false);
  expect(sameSecret('verify-mE', 'verify-me')).toBe(false);
  expect(sameSecret(undefined, 'verify-me')).toBe(false);
  expect(sameSecret(['verify-me'], 'verify-me')).toBe(false);
});
