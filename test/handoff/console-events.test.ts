import type { Organisation } from '../../src/handoff/types';
import { startApp, tempDatabase, useRunningApp } from '../support/server';
import { ConsoleClient, EventStream, addOrganisation, addUser, loggedIn, openCase } from './console-support';

describe('the console live stream over HTTP', () => {
  const running = useRunningApp();
  let malaysia: Organisation;
  let ana: ConsoleClient;

  beforeAll(async () => {
    malaysia = await addOrganisation(running.app, 'Malaysian Red Crescent', ['MY']);
    await addOrganisation(running.app, 'Nepal Red Cross Society', ['NP']);
    await addUser(running.app, malaysia, 'ana@example.org');
    ana = await loggedIn(running.url, 'ana@example.org');
  });

  test('a new case of the organisation arrives as an event without any text; another organisation\'s does not', async () => {
    const stream = await EventStream.open(ana);
    try {
      expect(stream.status).toBe(200);
      expect(stream.contentType).toBe('text/event-stream; charset=utf-8');
      expect(stream.events[0]).toEqual({ event: 'ready', data: {} });

      const theirs = await openCase(running.app, running.url, { country: 'NP', category: 'danger' });
      const ours = await openCase(running.app, running.url, { country: 'MY', category: 'danger' });
      const opened = await stream.waitFor((e) => e.event === 'case.opened');
      expect(opened.data).toEqual({ caseId: ours.case.id, organisationId: malaysia.id, category: 'danger', priority: 'urgent' });
      await new Promise((r) => setTimeout(r, 200));
      const seen = JSON.stringify(stream.events);
      expect(seen).not.toContain(theirs.case.id);
      expect(seen).not.toContain('You agreed to talk to a caseworker.');
    } finally {
      stream.close();
    }
  });

  test('without a session the stream is a 401, not an open connection', async () => {
    const stream = await EventStream.open(new ConsoleClient(running.url));
    expect(stream.status).toBe(401);
    await stream.ended;
  });

  test('logging out ends the stream at once', async () => {
    const client = new ConsoleClient(running.url);
    await client.login('ana@example.org');
    const stream = await EventStream.open(client);
    expect(stream.status).toBe(200);
    await client.post('/logout');
    await stream.ended;
  });
});

test('closing the server does not wait for open streams', async () => {
  const db = tempDatabase();
  const running = await startApp(db.path);
  try {
    const org = await addOrganisation(running.app, 'Malaysian Red Crescent', ['MY']);
    await addUser(running.app, org, 'ana@example.org');
    const client = new ConsoleClient(running.url);
    await client.login('ana@example.org');
    const streams = [await EventStream.open(client), await EventStream.open(client)];
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await Promise.all(streams.map((s) => s.ended));
  } finally {
    db.remove();
  }
});
