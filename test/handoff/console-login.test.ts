import { hashSessionId } from '../../src/handoff/inbox/sessions';
import { emailTag } from '../../src/handoff/inbox/login';
import type { Organisation } from '../../src/handoff/types';
import { startApp, tempDatabase, useRunningApp } from '../support/server';
import { ConsoleClient, PASSWORD, addOrganisation, addUser } from './console-support';

const HOUR = 3_600_000;

describe('console login, sessions and logout over HTTP', () => {
  const clock = { now: Date.now() };
  const running = useRunningApp({ env: { CONSOLE_SESSION_HOURS: '2' }, app: { clock: () => clock.now } });
  let org: Organisation;

  beforeAll(async () => {
    org = await addOrganisation(running.app, 'Malaysian Red Crescent', ['MY']);
    await addUser(running.app, org, 'ana@example.org');
  });

  test('the right password gives a session cookie with the documented attributes, and /me knows the user', async () => {
    const client = new ConsoleClient(running.url);
    const res = await client.login('  Ana@Example.ORG ');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: expect.any(String), email: 'ana@example.org', name: 'Name of ana@example.org', role: 'caseworker', organisationId: org.id },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^vv_console=[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict$/);
    expect(res.headers.get('cache-control')).toBe('no-store');

    // Only the hash of the cookie's id is in the store.
    const id = client.cookie!.slice('vv_console='.length);
    expect(await running.app.handoffStore.getSession(id)).toBeNull();
    expect((await running.app.handoffStore.getSession(hashSessionId(id)))?.csrfToken).toBe(client.csrf);

    const me = await client.get('/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: (res.body as { user: unknown }).user,
      organisation: { id: org.id, name: 'Malaysian Red Crescent', languages: ['en'], countries: ['MY'], expectedResponseMinutes: 30 },
      csrfToken: client.csrf,
    });
  });

  test('logging in again from the same browser ends the session it replaces', async () => {
    const client = new ConsoleClient(running.url);
    await client.login('ana@example.org');
    const first = client.cookie!;
    await client.login('ana@example.org');
    expect(client.cookie).not.toBe(first);
    const stale = new ConsoleClient(running.url);
    stale.cookie = first;
    expect((await stale.get('/me')).status).toBe(401);
    expect((await client.get('/me')).status).toBe(200);
  });

  test('a wrong password and an unknown email get the same answer, and both are audited without the password', async () => {
    const wrong = await new ConsoleClient(running.url).login('ana@example.org', 'not the password at all');
    const unknown = await new ConsoleClient(running.url).login('nobody@example.org', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'wrong email or password' });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const entries = await running.app.handoffStore.listAudit(10);
    const failed = entries.filter((e) => e.action === 'login.failed');
    const ana = await running.app.handoffStore.findUserByEmail('ana@example.org');
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ userId: ana!.id, detail: { reason: 'password' } }),
        expect.objectContaining({ userId: null, detail: { reason: 'unknown email', email: emailTag('nobody@example.org') } }),
      ]),
    );
    const log = JSON.stringify(entries);
    expect(log).not.toContain('not the password at all');
    expect(log).not.toContain('nobody@example.org');
  });

  test('without a session every endpoint but login answers 401', async () => {
    const anonymous = new ConsoleClient(running.url);
    for (const [method, path] of [
      ['GET', '/me'],
      ['GET', '/cases'],
      ['GET', '/cases/abc'],
      ['GET', '/events'],
      ['GET', '/organisations'],
      ['GET', '/admin/users'],
      ['POST', '/logout'],
      ['POST', '/cases/abc/claim'],
    ] as const) {
      const res = await anonymous.send(method, path);
      expect([method, path, res.status, res.body]).toEqual([method, path, 401, { error: 'not signed in' }]);
    }
    anonymous.cookie = 'vv_console=' + 'A'.repeat(43);
    const forged = await anonymous.get('/me');
    expect(forged.status).toBe(401);
    // The unknown cookie is cleared.
    expect(forged.headers.get('set-cookie')).toMatch(/^vv_console=; Path=\/console; Max-Age=0; HttpOnly; SameSite=Strict$/);
  });

  test('a login posted from another site is refused; the page itself and tools without Origin are not', async () => {
    const foreign = await new ConsoleClient(running.url).login('ana@example.org', PASSWORD, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body).toEqual({ error: 'a login from another site is refused' });
    const crossSite = await new ConsoleClient(running.url).login('ana@example.org', PASSWORD, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await new ConsoleClient(running.url).login('ana@example.org', PASSWORD, { origin: running.url });
    expect(sameOrigin.status).toBe(200);
  });

  test('logout deletes the session and clears the cookie; the old cookie no longer works', async () => {
    const client = new ConsoleClient(running.url);
    await client.login('ana@example.org');
    const cookie = client.cookie;
    const noToken = await client.post('/logout', undefined, { csrf: null });
    expect(noToken.status).toBe(403);
    expect((await client.get('/me')).status).toBe(200);

    const out = await client.post('/logout');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toBe('vv_console=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict');
    client.cookie = cookie;
    expect((await client.get('/me')).status).toBe(401);
    const actions = (await running.app.handoffStore.listAudit(5)).map((e) => e.action);
    expect(actions).toContain('logout');
  });

  test('a session lasts CONSOLE_SESSION_HOURS without use, and each use extends it', async () => {
    const client = new ConsoleClient(running.url);
    await client.login('ana@example.org');
    clock.now += 1.5 * HOUR;
    expect((await client.get('/me')).status).toBe(200);
    clock.now += 1.5 * HOUR; // 3 h after login, 1.5 h after the last use
    expect((await client.get('/me')).status).toBe(200);
    clock.now += 2 * HOUR + 1000;
    expect((await client.get('/me')).status).toBe(401);
  });

  test('disabling a user ends their sessions at once, and a disabled user cannot log in', async () => {
    const bo = await addUser(running.app, org, 'bo@example.org');
    const client = new ConsoleClient(running.url);
    await client.login('bo@example.org');
    expect((await client.get('/me')).status).toBe(200);
    await running.app.handoffStore.saveUser({ ...bo, disabled: true });
    expect((await client.get('/me')).status).toBe(401);
    const again = await new ConsoleClient(running.url).login('bo@example.org');
    expect(again.status).toBe(403);
    expect(again.body).toEqual({ error: 'this account is disabled' });
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  test('bad login bodies are 400 with the field at fault', async () => {
    const client = new ConsoleClient(running.url);
    const cases: [unknown, string][] = [
      [{ email: 'ana@example.org' }, 'password'],
      [{ email: 42, password: PASSWORD }, 'email: must be text'],
      [{ email: 'ana@example.org', password: PASSWORD, extra: 1 }, 'extra'],
      [{ email: 'x'.repeat(300), password: PASSWORD }, 'email: at most 254 characters'],
      [{ email: 'ana@example.org', password: 'p'.repeat(2000) }, 'password: at most 1024 characters'],
      [[], 'the body'],
    ];
    for (const [body, issue] of cases) {
      const res = await client.send('POST', '/login', body, { csrf: null });
      expect(res.status).toBe(400);
      expect((res.body as { error: string }).error).toContain(issue);
    }
    const notJson = await client.send('POST', '/login', '{"email":', { csrf: null });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toEqual({ error: 'the body is not valid JSON' });
  });
});

describe('console login rate limits', () => {
  const clock = { now: Date.now() };
  const running = useRunningApp({ app: { clock: () => clock.now } });

  beforeAll(async () => {
    const org = await addOrganisation(running.app, 'Nepal Red Cross Society', ['NP']);
    await addUser(running.app, org, 'cam@example.org');
  });

  test('after 5 failures for an email, even the right password gets 429 with Retry-After until the window moves on', async () => {
    const client = new ConsoleClient(running.url);
    for (let i = 0; i < 5; i++) expect((await client.login('cam@example.org', `wrong password ${i}`)).status).toBe(401);
    const limited = await client.login('cam@example.org');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(15 * 60);
    expect((limited.body as { error: string }).error).toMatch(/^too many failed attempts: try again in \d+ minutes$/);
    expect(limited.headers.get('set-cookie')).toBeNull();
    // The email's case does not differ.
    expect((await client.login('CAM@example.org')).status).toBe(429);

    clock.now += 15 * 60_000 + 1000;
    expect((await client.login('cam@example.org')).status).toBe(200);
  });

  test('one address guessing many emails is stopped after 20 failures', async () => {
    const client = new ConsoleClient(running.url);
    for (let i = 0; i < 20; i++) expect((await client.login(`guess${i}@example.org`, 'some wrong password')).status).toBe(401);
    const limited = await client.login('another@example.org', 'some wrong password');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.now += 15 * 60_000 + 1000;
    expect((await client.login('cam@example.org')).status).toBe(200);
  });
});

describe('the Secure cookie attribute', () => {
  test('is set when PUBLIC_URL is https, and in production', async () => {
    const settings: Record<string, string>[] = [{ PUBLIC_URL: 'https://bot.example.org' }, { NODE_ENV: 'production' }];
    for (const env of settings) {
      const db = tempDatabase();
      const running = await startApp(db.path, { env });
      try {
        const org = await addOrganisation(running.app, 'Philippine Red Cross', ['PH']);
        await addUser(running.app, org, 'dee@example.org');
        const res = await new ConsoleClient(running.url).login('dee@example.org');
        expect(res.headers.get('set-cookie')).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
        // Behind a TLS proxy the browser's Origin is PUBLIC_URL's: accepted.
        if ('PUBLIC_URL' in env) {
          const proxied = await new ConsoleClient(running.url).login('dee@example.org', PASSWORD, { origin: 'https://bot.example.org' });
          expect(proxied.status).toBe(200);
        }
      } finally {
        await running.close();
        db.remove();
      }
    }
  });
});
