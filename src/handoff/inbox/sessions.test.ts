import { MemoryHandoffStore } from '../../store/handoff-memory';
import { PlaintextCipher } from '../cipher';
import type { StaffUser } from '../types';
import { ConsoleSessions, hashSessionId, sameSecret } from './sessions';

const HOUR = 3_600_000;

function setup() {
  const store = new MemoryHandoffStore(new PlaintextCipher());
  const clock = { now: 1_700_000_000_000 };
  const sessions = new ConsoleSessions(store, { hours: 2, clock: () => clock.now });
  const user: StaffUser = {
    id: 'u1',
    email: 'a@example.org',
    name: 'A',
    role: 'caseworker',
    organisationId: 'o1',
    passwordHash: 'x',
    disabled: false,
    createdAt: 0,
  };
  return { store, clock, sessions, user };
}

test('the cookie id is random and only its SHA-256 hash is stored', async () => {
  const { store, sessions, user } = setup();
  await store.saveUser(user);
  const a = await sessions.start(user.id);
  const b = await sessions.start(user.id);
  expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(a.id).not.toBe(b.id);
  expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
  expect(a.session.idHash).toBe(hashSessionId(a.id));
  expect(await store.getSession(a.id)).toBeNull();
  expect(await store.getSession(a.session.idHash)).toEqual(a.session);
  expect((await sessions.resolve(a.id))?.user.id).toBe(user.id);
});

test('expiry slides with use, and a session unused for the whole period is gone', async () => {
  const { store, clock, sessions, user } = setup();
  await store.saveUser(user);
  const { id, session } = await sessions.start(user.id);
  clock.now += 1.5 * HOUR;
  const used = await sessions.resolve(id);
  expect(used?.session.expiresAt).toBe(clock.now + 2 * HOUR);
  expect((await store.getSession(session.idHash))?.expiresAt).toBe(clock.now + 2 * HOUR);
  clock.now += 1.9 * HOUR;
  expect(await sessions.resolve(id)).not.toBeNull();
  clock.now += 2 * HOUR;
  expect(await sessions.resolve(id)).toBeNull();
  expect(await store.getSession(session.idHash)).toBeNull();
});

test('a burst of parallel requests never finds its session missing while it is refreshed', async () => {
  const { store, clock, sessions, user } = setup();
  await store.saveUser(user);
  const { id } = await sessions.start(user.id);
  clock.now += HOUR;
  // Requests arriving one microtask apart land at every point of the first one's refresh.
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    pending.push(sessions.resolve(id));
    await Promise.resolve();
  }
  const results = (await Promise.all(pending)) as Awaited<ReturnType<typeof sessions.resolve>>[];
  expect(results.map((r) => r?.user.id ?? null)).toEqual(Array(20).fill(user.id));
});

test('check does not move the expiry', async () => {
  const { store, clock, sessions, user } = setup();
  await store.saveUser(user);
  const { session } = await sessions.start(user.id);
  clock.now += HOUR;
  expect((await sessions.check(session.idHash))?.id).toBe(user.id);
  expect((await store.getSession(session.idHash))?.expiresAt).toBe(session.expiresAt);
  clock.now += HOUR;
  expect(await sessions.check(session.idHash)).toBeNull();
});

test('a disabled or removed user has no session, and a disabled one loses all of them', async () => {
  const { store, sessions, user } = setup();
  await store.saveUser(user);
  const one = await sessions.start(user.id);
  const two = await sessions.start(user.id);
  await store.saveUser({ ...user, disabled: true });
  expect(await sessions.resolve(one.id)).toBeNull();
  expect(await store.getSession(two.session.idHash)).toBeNull();
  expect(await sessions.check(two.session.idHash)).toBeNull();
});

test('malformed ids are refused without a lookup; end removes the session', async () => {
  const { store, sessions, user } = setup();
  await store.saveUser(user);
  const spy = jest.spyOn(store, 'getSession');
  for (const bad of [null, '', 'short', 'x'.repeat(43) + '=', '../'.repeat(15)]) expect(await sessions.resolve(bad)).toBeNull();
  expect(spy).not.toHaveBeenCalled();
  const { id, session } = await sessions.start(user.id);
  await sessions.end(id);
  expect(await store.getSession(session.idHash)).toBeNull();
});

test('sameSecret compares whole secrets', () => {
  expect(sameSecret('abc', 'abc')).toBe(true);
  expect(sameSecret('abd', 'abc')).toBe(false);
  expect(sameSecret('ab', 'abc')).toBe(false);
  expect(sameSecret('', 'abc')).toBe(false);
});
