import type { Organisation, StaffUser } from '../../src/handoff/types';
import { useRunningApp } from '../support/server';
import { ConsoleClient, EventStream, PASSWORD, addOrganisation, addUser, loggedIn } from './console-support';

interface UserView {
  id: string;
  email: string;
  role: string;
  disabled: boolean;
  organisationId: string;
}

describe('console admin endpoints over HTTP', () => {
  const running = useRunningApp();
  let org: Organisation;
  let caseworker: StaffUser;
  let adminUser: StaffUser;
  let admin: ConsoleClient;
  let worker: ConsoleClient;

  beforeAll(async () => {
    org = await addOrganisation(running.app, 'Philippine Red Cross', ['PH']);
    adminUser = await addUser(running.app, org, 'admin@example.org', 'admin');
    caseworker = await addUser(running.app, org, 'worker@example.org');
    admin = await loggedIn(running.url, 'admin@example.org');
    worker = await loggedIn(running.url, 'worker@example.org');
  });

  test('a caseworker gets 403 from every admin endpoint, and changes nothing', async () => {
    const users = JSON.stringify(await running.app.handoffStore.listUsers());
    for (const [method, path, body] of [
      ['GET', '/admin/users', undefined],
      ['POST', '/admin/users', { email: 'x@example.org', name: 'X', password: PASSWORD, role: 'admin', organisationId: org.id }],
      ['PATCH', `/admin/users/${caseworker.id}`, { role: 'admin' }],
      ['GET', '/admin/organisations', undefined],
      ['POST', '/admin/organisations', { name: 'Mine', languages: [], countries: [], expectedResponseMinutes: 5, alertTarget: null }],
      ['PATCH', `/admin/organisations/${org.id}`, { name: 'Mine' }],
      ['GET', '/admin/audit', undefined],
    ] as const) {
      const res = await worker.send(method, path, body);
      expect([method, path, res.status, res.body]).toEqual([method, path, 403, { error: 'only an admin can do this' }]);
    }
    expect(JSON.stringify(await running.app.handoffStore.listUsers())).toBe(users);
    expect((await running.app.handoffStore.getOrganisation(org.id))?.name).toBe('Philippine Red Cross');
  });

  test('an admin creates an organisation and a caseworker, who can then log in; hashes never leave the server', async () => {
    const created = await admin.post<{ organisation: Organisation }>('/admin/organisations', {
      name: '  Singapore Red Cross ',
      languages: ['en', 'ta', 'en'],
      countries: ['sg'],
      expectedResponseMinutes: 20,
      alertTarget: { kind: 'webhook', url: 'https://alerts.example.org/hook' },
    });
    expect(created.status).toBe(200);
    expect(created.body.organisation).toEqual({
      id: expect.any(String),
      name: 'Singapore Red Cross',
      languages: ['en', 'ta'],
      countries: ['SG'],
      expectedResponseMinutes: 20,
      alertTarget: { kind: 'webhook', url: 'https://alerts.example.org/hook' },
      createdAt: expect.any(Number),
    });
    const sg = created.body.organisation;
    const duplicate = await admin.post('/admin/organisations', { ...sg, id: undefined, createdAt: undefined, name: 'singapore red cross' });
    expect(duplicate.status).toBe(409);

    const user = await admin.post<{ user: UserView }>('/admin/users', {
      email: 'Siti@Example.org',
      name: 'Siti',
      password: 'twelve chars!',
      role: 'caseworker',
      organisationId: sg.id,
    });
    expect(user.status).toBe(200);
    expect(user.body.user).toEqual({
      id: expect.any(String),
      email: 'siti@example.org',
      name: 'Siti',
      role: 'caseworker',
      organisationId: sg.id,
      disabled: false,
      createdAt: expect.any(Number),
    });
    expect((await admin.post('/admin/users', { email: 'siti@example.org', name: 'Again', password: 'twelve chars!', role: 'caseworker', organisationId: sg.id })).status).toBe(409);

    const list = await admin.get<{ users: UserView[] }>('/admin/users');
    expect(list.body.users.map((u) => u.email)).toEqual(expect.arrayContaining(['admin@example.org', 'siti@example.org', 'worker@example.org']));
    expect(JSON.stringify(list.body)).not.toContain('scrypt');
    const ofSg = await admin.get<{ users: UserView[] }>(`/admin/users?organisationId=${sg.id}`);
    expect(ofSg.body.users.map((u) => u.email)).toEqual(['siti@example.org']);

    const siti = new ConsoleClient(running.url);
    expect((await siti.login('siti@example.org', 'twelve chars!')).status).toBe(200);
    expect((await siti.get<{ organisation: { id: string } }>('/me')).body.organisation.id).toBe(sg.id);

    const orgs = await admin.get<{ organisations: Organisation[] }>('/admin/organisations');
    expect(orgs.body.organisations.map((o) => o.name)).toEqual(expect.arrayContaining(['Philippine Red Cross', 'Singapore Red Cross']));
  });

  test('changing a password or disabling a user ends their sessions and live streams at once', async () => {
    const dana = await addUser(running.app, org, 'dana@example.org');
    const client = new ConsoleClient(running.url);
    await client.login('dana@example.org');
    const stream = await EventStream.open(client);
    expect(stream.status).toBe(200);

    const renamed = await admin.patch<{ user: UserView }>(`/admin/users/${dana.id}`, { name: 'Dana R.' });
    expect(renamed.status).toBe(200);
    expect((await client.get('/me')).status).toBe(200);

    const disabled = await admin.patch<{ user: UserView }>(`/admin/users/${dana.id}`, { disabled: true });
    expect(disabled.body.user.disabled).toBe(true);
    await stream.ended;
    expect((await client.get('/me')).status).toBe(401);
    expect((await new ConsoleClient(running.url).login('dana@example.org')).status).toBe(403);

    await admin.patch(`/admin/users/${dana.id}`, { disabled: false, password: 'a brand new password' });
    expect((await new ConsoleClient(running.url).login('dana@example.org')).status).toBe(401);
    const again = new ConsoleClient(running.url);
    expect((await again.login('dana@example.org', 'a brand new password')).status).toBe(200);
    await admin.patch(`/admin/users/${dana.id}`, { password: 'and yet another one' });
    expect((await again.get('/me')).status).toBe(401);
  });

  test('the last enabled admin cannot be disabled or demoted', async () => {
    for (const patch of [{ disabled: true }, { role: 'caseworker' }]) {
      const res = await admin.patch(`/admin/users/${adminUser.id}`, patch);
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ error: 'this is the last enabled admin: make another admin first' });
    }
    expect((await admin.get('/me')).status).toBe(200);
  });

  test('bad input is a 400 naming each field, and changes nothing', async () => {
    const users = JSON.stringify(await running.app.handoffStore.listUsers());
    const orgs = JSON.stringify(await running.app.handoffStore.listOrganisations());
    const good = { email: 'new@example.org', name: 'New', password: 'long enough pass', role: 'caseworker', organisationId: org.id };
    const badUsers: [unknown, string][] = [
      [{ ...good, email: 'not an email' }, 'email: must be an email address'],
      [{ ...good, password: 'short' }, 'password: must have at least 12 characters'],
      [{ ...good, role: 'root' }, "role: must be 'caseworker' or 'admin'"],
      [{ ...good, organisationId: 'nope' }, 'organisationId: no such organisation'],
      [{ ...good, name: 'n'.repeat(121) }, 'name: at most 120 characters'],
      [{ ...good, name: 'New\u0000' }, 'name: must not contain control characters'],
      [{ ...good, passwordHash: 'scrypt$1$1$1$a$b' }, 'passwordHash'],
      [{ email: 'new@example.org' }, 'name'],
      [{ ...good, email: 7 }, 'email: must be text'],
    ];
    for (const [body, issue] of badUsers) {
      const res = await admin.post('/admin/users', body);
      expect([res.status, (res.body as { error: string }).error]).toEqual([400, expect.stringContaining(issue)]);
    }
    const badPatches: [string, unknown, string][] = [
      [`/admin/users/${caseworker.id}`, {}, 'give at least one field to change'],
      [`/admin/users/${caseworker.id}`, { disabled: 'yes' }, 'disabled: must be true or false'],
      [`/admin/users/${caseworker.id}`, { email: 'x@example.org' }, 'email'],
      [`/admin/organisations/${org.id}`, { countries: ['Malaysia'] }, 'countries.0: each must be a two-letter ISO country code'],
      [`/admin/organisations/${org.id}`, { languages: ['xx'] }, 'languages.0: each must be one of'],
      [`/admin/organisations/${org.id}`, { expectedResponseMinutes: 1.5 }, 'expectedResponseMinutes: must be whole minutes'],
      [`/admin/organisations/${org.id}`, { alertTarget: { kind: 'webhook', url: 'http://plain.example.org' } }, 'alertTarget'],
      [`/admin/organisations/${org.id}`, { name: 'x'.repeat(10_000) }, 'name: at most 120 characters'],
    ];
    for (const [path, body, issue] of badPatches) {
      const res = await admin.patch(path, body);
      expect([path, res.status, (res.body as { error: string }).error]).toEqual([path, 400, expect.stringContaining(issue)]);
    }
    expect((await admin.patch('/admin/users/no-such-user', { name: 'X' })).status).toBe(404);
    expect((await admin.patch('/admin/organisations/no-such-org', { name: 'XY' })).status).toBe(404);
    expect(JSON.stringify(await running.app.handoffStore.listUsers())).toBe(users);
    expect(JSON.stringify(await running.app.handoffStore.listOrganisations())).toBe(orgs);
  });

  test('the audit log shows console actions, newest first, paged, with names but no personal values', async () => {
    expect((await admin.patch(`/admin/organisations/${org.id}`, { expectedResponseMinutes: 45 })).status).toBe(200);
    const page = await admin.get<{ entries: { id: number; action: string; userId: string | null; userName: string | null; detail: Record<string, unknown> }[] }>(
      '/admin/audit',
    );
    expect(page.status).toBe(200);
    const { entries } = page.body;
    const ids = entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['login', 'user.created', 'user.changed', 'organisation.created', 'organisation.changed']));
    const changed = entries.find((e) => e.action === 'user.changed' && e.detail.changed === 'name');
    expect(changed).toMatchObject({ userId: adminUser.id, userName: 'Name of admin@example.org' });
    // What is stored: names are looked up when shown, never copied into the log.
    const text = JSON.stringify(await running.app.handoffStore.listAudit(1000));
    for (const secret of ['Dana R.', 'a brand new password', 'and yet another one', 'twelve chars!', 'siti@example.org']) {
      expect(text).not.toContain(secret);
    }
    const older = await admin.get<{ entries: { id: number }[] }>(`/admin/audit?before=${ids[2]}`);
    expect(older.body.entries[0]?.id).toBeLessThan(ids[2]!);
    expect((await admin.get('/admin/audit?before=abc')).status).toBe(400);
  });
});
