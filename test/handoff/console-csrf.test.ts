import type { Organisation, StaffUser } from '../../src/handoff/types';
import { useRunningApp } from '../support/server';
import { addOrganisation, addUser, loggedIn, openCase, type ConsoleClient } from './console-support';

/**
 * Every request that changes something needs the session's CSRF token:
 * without it, or with another session's, the answer is 403 and nothing in
 * the store has changed.
 */
describe('CSRF protection of every change', () => {
  const running = useRunningApp();
  let org: Organisation;
  let other: Organisation;
  let worker: StaffUser;
  let admin: ConsoleClient;
  let elsewhere: ConsoleClient;

  beforeAll(async () => {
    org = await addOrganisation(running.app, 'Malaysian Red Crescent', ['MY']);
    other = await addOrganisation(running.app, 'Nepal Red Cross Society', ['NP']);
    await addUser(running.app, org, 'admin@example.org', 'admin');
    worker = await addUser(running.app, org, 'worker@example.org');
    admin = await loggedIn(running.url, 'admin@example.org');
    // Another live session: its token is real, but not this session's.
    elsewhere = await loggedIn(running.url, 'worker@example.org');
  });

  /** Everything a refused request could have touched. */
  async function snapshot(caseId: string) {
    const store = running.app.handoffStore;
    return JSON.stringify({
      case: await store.getCase(caseId),
      messages: await store.listMessages(caseId),
      notes: await store.listNotes(caseId),
      transfers: await store.listTransfers(caseId),
      users: await store.listUsers(),
      organisations: await store.listOrganisations(),
    });
  }

  test('missing or wrong X-CSRF-Token: 403 at every changing endpoint, nothing changed', async () => {
    const { case: c } = await openCase(running.app, running.url, { country: 'MY' });
    const changes: [string, string, unknown][] = [
      ['POST', `/cases/${c.id}/claim`, undefined],
      ['POST', `/cases/${c.id}/reply`, { text: 'hello' }],
      ['POST', `/cases/${c.id}/notes`, { text: 'a note' }],
      ['POST', `/cases/${c.id}/transfer`, { organisationId: other.id, note: 'over to you' }],
      ['POST', `/cases/${c.id}/close`, undefined],
      ['POST', '/admin/users', { email: 'new@example.org', name: 'New', password: 'a long enough password', role: 'admin', organisationId: org.id }],
      ['PATCH', `/admin/users/${worker.id}`, { role: 'admin' }],
      ['POST', '/admin/organisations', { name: 'New Society', languages: ['en'], countries: ['SG'], expectedResponseMinutes: 10, alertTarget: null }],
      ['PATCH', `/admin/organisations/${org.id}`, { name: 'Renamed' }],
      ['POST', '/logout', undefined],
    ];
    const before = await snapshot(c.id);
    for (const [method, path, body] of changes) {
      for (const csrf of [null, 'wrong-token', elsewhere.csrf!, `${admin.csrf!}x`]) {
        const res = await admin.send(method, path, body, { csrf });
        expect([method, path, res.status, res.body]).toEqual([method, path, 403, { error: 'missing or wrong CSRF token' }]);
      }
    }
    expect(await snapshot(c.id)).toBe(before);
    // The session itself survived the refused logout.
    expect((await admin.get('/me')).status).toBe(200);

    // With the right token the same requests work (so the 403s above were about the token).
    expect((await admin.post(`/cases/${c.id}/claim`)).status).toBe(200);
    expect((await admin.patch(`/admin/organisations/${org.id}`, { expectedResponseMinutes: 15 })).status).toBe(200);
  });

  test('a refused change is refused before its body is read: a bad body with no token is still 403', async () => {
    const res = await admin.send('POST', '/admin/users', '{not json', { csrf: null });
    expect(res.status).toBe(403);
  });
});
