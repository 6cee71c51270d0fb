import { dummyVerify, hashPassword, passwordProblem, verifyPassword } from './passwords';

test('a hash has the documented format, a fresh salt each time, and verifies only its own password', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
  expect(a).not.toBe(b);
  await expect(verifyPassword('correct horse battery', a)).resolves.toBe(true);
  await expect(verifyPassword('correct horse battery', b)).resolves.toBe(true);
  await expect(verifyPassword('correct horse batterY', a)).resolves.toBe(false);
  await expect(verifyPassword('', a)).resolves.toBe(false);
});

test('the cost kept in a hash is the one used to check it, so stronger settings later keep old hashes valid', async () => {
  const hash = await hashPassword('a long enough password');
  const [, , r, p, salt, key] = hash.split('$');
  // Same salt and key, but claiming another N: the derived key differs, so it must not match.
  await expect(verifyPassword('a long enough password', ['scrypt', 16384, r, p, salt, key].join('$'))).resolves.toBe(false);
});

test('malformed or dangerous stored hashes match nothing instead of throwing or eating memory', async () => {
  const good = await hashPassword('a long enough password');
  const [, , , , salt, key] = good.split('$');
  for (const stored of [
    '',
    'plain-text-password',
    `bcrypt$32768$8$1$${salt}$${key}`,
    `scrypt$30000$8$1$${salt}$${key}`, // N not a power of two
    `scrypt$${2 ** 24}$8$1$${salt}$${key}`, // 16 GB of memory
    `scrypt$32768$999$1$${salt}$${key}`,
    `scrypt$32768$8$1$$${key}`,
    `scrypt$32768$8$1$${salt}$`,
    `scrypt$32768$8$${salt}$${key}`,
  ]) {
    await expect(verifyPassword('a long enough password', stored)).resolves.toBe(false);
  }
});

test('the dummy check does the work of a real one and never succeeds', async () => {
  await dummyVerify('warm up the dummy hash');
  const realHash = await hashPassword('some password here');
  const time = async (fn: () => Promise<unknown>) => {
    const start = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const real = await time(() => verifyPassword('some password here', realHash));
  const dummy = await time(() => dummyVerify('some password here'));
  await expect(dummyVerify('')).resolves.toBe(false);
  // Same scrypt cost: within a factor of a few on a busy machine, never a shortcut taking ~0 ms.
  expect(dummy).toBeGreaterThan(real / 5);
});

test('passwords need 12 characters (not bytes) and at most 1024', () => {
  expect(passwordProblem('elevenchars')).toBe('the password must have at least 12 characters');
  expect(passwordProblem('twelve chars')).toBeNull();
  // 11 characters of 3 bytes each: long in bytes, short in characters.
  expect(passwordProblem('पासवर्डपासव')).toMatch(/at least 12/);
  expect(passwordProblem('x'.repeat(1025))).toBe('the password must have at most 1024 characters');
});
