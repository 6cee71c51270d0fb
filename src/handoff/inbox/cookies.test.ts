import { readCookie, serializeCookie } from './cookies';

describe('readCookie', () => {
  test('finds the named cookie among others, trimmed and decoded', () => {
    expect(readCookie('a=1; vv_console=abc%2Fdef; b=2', 'vv_console')).toBe('abc/def');
    expect(readCookie('vv_console=first;vv_console=second', 'vv_console')).toBe('first');
    expect(readCookie('  vv_console = "quoted" ', 'vv_console')).toBe('quoted');
    expect(readCookie('x=a=b', 'x')).toBe('a=b');
  });

  test('a missing header, name or value is null, and junk never throws', () => {
    expect(readCookie(undefined, 'vv_console')).toBeNull();
    expect(readCookie('', 'vv_console')).toBeNull();
    expect(readCookie('other=1', 'vv_console')).toBeNull();
    expect(readCookie('vv_console', 'vv_console')).toBeNull();
    expect(readCookie('my_vv_console=1', 'vv_console')).toBeNull();
    expect(readCookie('vv_console=%E0%A4%A', 'vv_console')).toBeNull();
    expect(readCookie(';;;=;', 'vv_console')).toBeNull();
  });
});

describe('serializeCookie', () => {
  test('writes the attributes asked for', () => {
    expect(serializeCookie('vv_console', 'a b', { path: '/console', httpOnly: true, secure: true, sameSite: 'Strict' })).toBe(
      'vv_console=a%20b; Path=/console; HttpOnly; Secure; SameSite=Strict',
    );
    expect(serializeCookie('vv_console', '', { path: '/console', httpOnly: true, secure: false, sameSite: 'Strict', maxAge: 0 })).toBe(
      'vv_console=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict',
    );
  });

  test('refuses names and paths that would inject attributes', () => {
    const opts = { path: '/console', httpOnly: true, secure: false, sameSite: 'Strict' as const };
    expect(() => serializeCookie('a;b', 'x', opts)).toThrow('invalid cookie name');
    expect(() => serializeCookie('a', 'x', { ...opts, path: '/console; Domain=evil' })).toThrow('invalid cookie path');
    // A value is always percent-encoded, so it cannot end the pair.
    expect(serializeCookie('a', 'x; Domain=evil', opts)).toMatch(/^a=x%3B%20Domain%3Devil; /);
  });

  test('what is written reads back', () => {
    const value = 'Zm9v_YmFy-123';
    const header = serializeCookie('vv_console', value, { path: '/console', httpOnly: true, secure: false, sameSite: 'Strict' });
    expect(readCookie(header.split(';')[0], 'vv_console')).toBe(value);
  });
});
