import type { Organisation } from '../../src/handoff/types';
import { getJson, useRunningApp } from '../support/server';
import { EventStream, addOrganisation, addUser, loggedIn, openCase, type ConsoleClient } from './console-support';

interface Summary {
  id: string;
  status: string;
  priority: string;
  organisationId?: string;
  assignedTo: { id: string; name: string } | null;
}

describe('console cases over HTTP', () => {
  const running = useRunningApp();
  let malaysia: Organisation;
  let nepal: Organisation;
  let ana: ConsoleClient;
  let ben: ConsoleClient;
  let nabin: ConsoleClient;
  let nepalAdmin: ConsoleClient;

  beforeAll(async () => {
    malaysia = await addOrganisation(running.app, 'Malaysian Red Crescent', ['MY']);
    nepal = await addOrganisation(running.app, 'Nepal Red Cross Society', ['NP']);
    await addUser(running.app, malaysia, 'ana@example.org');
    await addUser(running.app, malaysia, 'ben@example.org');
    await addUser(running.app, nepal, 'nabin@example.org');
    await addUser(running.app, nepal, 'admin@example.org', 'admin');
    ana = await loggedIn(running.url, 'ana@example.org');
    ben = await loggedIn(running.url, 'ben@example.org');
    nabin = await loggedIn(running.url, 'nabin@example.org');
    nepalAdmin = await loggedIn(running.url, 'admin@example.org');
  });

  test('the queue is urgent first, then oldest, with the documented fields and filters', async () => {
    const normal = await openCase(running.app, running.url, { country: 'MY', category: 'passport' });
    const urgent = await openCase(running.app, running.url, { country: 'MY', category: 'danger' });
    const list = await ana.get<{ cases: Summary[] }>('/cases');
    expect(list.status).toBe(200);
    const ids = list.body.cases.map((c) => c.id);
    expect(ids.indexOf(urgent.case.id)).toBeLessThan(ids.indexOf(normal.case.id));
    expect(list.body.cases.find((c) => c.id === normal.case.id)).toEqual({
      id: normal.case.id,
      category: 'passport',
      priority: 'normal',
      status: 'waiting',
      locale: 'en',
      country: { current: 'MY', origin: null },
      assignedTo: null,
      createdAt: expect.any(Number),
      waitingMinutes: 0,
      alert: false,
      lastPersonMessageAt: null,
    });
    const dangerOnly = await ana.get<{ cases: Summary[] }>('/cases?category=danger');
    expect(dangerOnly.body.cases.map((c) => c.id)).toContain(urgent.case.id);
    expect(dangerOnly.body.cases.map((c) => c.id)).not.toContain(normal.case.id);
    const closed = await ana.get<{ cases: Summary[] }>('/cases?status=closed');
    expect(closed.body.cases).toEqual([]);
    const bad = await ana.get('/cases?status=everything');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: expect.stringContaining('status: must be open, waiting, assigned or closed'), issues: expect.any(Array) });
  });

  test('claim, reply (reaching the web chat), note and close, each answered in the documented shape', async () => {
    const { case: c, conversationId } = await openCase(running.app, running.url, { country: 'MY', category: 'recruitment' });

    const claimed = await ana.post<{ case: Summary }>(`/cases/${c.id}/claim`);
    expect(claimed.status).toBe(200);
    expect(claimed.body.case).toMatchObject({ id: c.id, status: 'assigned', assignedTo: { name: 'Name of ana@example.org' } });
    const taken = await ben.post(`/cases/${c.id}/claim`);
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ error: 'another caseworker has claimed this case' });

    const reply = await ana.post<{ message: Record<string, unknown> }>(`/cases/${c.id}/reply`, { text: '  We can help you with the agency.  ' });
    expect(reply.status).toBe(200);
    expect(reply.body.message).toEqual({
      id: expect.any(Number),
      author: 'caseworker',
      text: 'We can help you with the agency.',
      locale: null,
      createdAt: expect.any(Number),
      delivery: 'delivered',
      deliveryError: null,
      userName: 'Name of ana@example.org',
    });
    const history = await getJson<{ messages: { text?: string }[] }>(`${running.url}/api/webchat/messages?conversationId=${conversationId}`);
    expect(JSON.stringify(history.body.messages)).toContain('We can help you with the agency.');

    const note = await ana.post<{ note: Record<string, unknown> }>(`/cases/${c.id}/notes`, { text: 'Agency name checked.' });
    expect(note.status).toBe(200);
    expect(note.body.note).toEqual({ id: expect.any(Number), text: 'Agency name checked.', createdAt: expect.any(Number), userName: 'Name of ana@example.org' });

    const view = await ana.get<Record<string, unknown>>(`/cases/${c.id}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      case: {
        id: c.id,
        channel: 'webchat',
        consent: { version: 'handoff:consent.explain', locale: 'en', text: 'You agreed to talk to a caseworker.', at: expect.any(Number) },
        tracing: null,
        closedAt: null,
        closedBy: null,
      },
      organisation: { id: malaysia.id, name: 'Malaysian Red Crescent' },
      notes: [{ text: 'Agency name checked.', userName: 'Name of ana@example.org' }],
      transfers: [],
    });
    expect(view.body.messages).toEqual(expect.arrayContaining([expect.objectContaining({ author: 'caseworker', text: 'We can help you with the agency.' })]));
    // The person's channel ids stay on the server.
    expect(JSON.stringify(view.body)).not.toContain(conversationId);

    const closed = await ana.post<{ case: Summary }>(`/cases/${c.id}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body.case.status).toBe('closed');
    expect((await ana.post(`/cases/${c.id}/close`)).status).toBe(409);
  });

  test('another organisation\'s case does not exist for a caseworker, at every endpoint, and nothing changes', async () => {
    const { case: c } = await openCase(running.app, running.url, { country: 'NP', category: 'wellbeing' });
    const before = await running.app.handoffStore.getCase(c.id);
    const events = await EventStream.open(ana);
    try {
      const list = await ana.get<{ cases: Summary[] }>('/cases?status=open');
      expect(list.body.cases.map((x) => x.id)).not.toContain(c.id);
      const attempts = [
        await ana.get(`/cases/${c.id}`),
        await ana.post(`/cases/${c.id}/claim`),
        await ana.post(`/cases/${c.id}/reply`, { text: 'hello' }),
        await ana.post(`/cases/${c.id}/notes`, { text: 'note' }),
        await ana.post(`/cases/${c.id}/transfer`, { organisationId: malaysia.id, note: 'mine now' }),
        await ana.post(`/cases/${c.id}/close`),
      ];
      for (const res of attempts) expect([res.status, res.body]).toEqual([404, { error: 'no such case' }]);

      // Nabin (Nepal) sees it; an admin of another organisation would not either.
      expect((await nabin.get(`/cases/${c.id}`)).status).toBe(200);
      await nabin.post(`/cases/${c.id}/notes`, { text: 'Nepal note' });
      expect(await running.app.handoffStore.getCase(c.id)).toMatchObject({
        organisationId: before!.organisationId,
        status: 'waiting',
        assignedTo: null,
      });
      expect(await running.app.handoffStore.listMessages(c.id)).toEqual([]);
      expect((await running.app.handoffStore.listNotes(c.id)).map((n) => n.text)).toEqual(['Nepal note']);
      expect(await running.app.handoffStore.listTransfers(c.id)).toEqual([]);
      // The Nepal note raised an event for Nepal only.
      await new Promise((r) => setTimeout(r, 200));
      expect(events.events.filter((e) => (e.data as { caseId?: string }).caseId === c.id)).toEqual([]);
    } finally {
      events.close();
    }
  });

  test('an admin is bound to their own organisation\'s cases too', async () => {
    const { case: c } = await openCase(running.app, running.url, { country: 'MY' });
    expect((await nepalAdmin.get(`/cases/${c.id}`)).status).toBe(404);
    expect((await nepalAdmin.get<{ cases: Summary[] }>('/cases')).body.cases.map((x) => x.id)).not.toContain(c.id);
  });

  test('a transfer moves the case with its history: the sender loses it, the receiver sees it and the note', async () => {
    const { case: c } = await openCase(running.app, running.url, { country: 'MY', category: 'familyEmergency' });
    await ana.post(`/cases/${c.id}/claim`);
    await ana.post(`/cases/${c.id}/notes`, { text: 'Family is in Nepal.' });
    const orgs = await ana.get<{ organisations: { id: string; name: string }[] }>('/organisations');
    expect(orgs.body.organisations).toEqual(expect.arrayContaining([{ id: nepal.id, name: 'Nepal Red Cross Society' }]));

    const nepalEvents = await EventStream.open(nabin);
    const malaysiaEvents = await EventStream.open(ben);
    try {
      const moved = await ana.post<{ case: Summary }>(`/cases/${c.id}/transfer`, { organisationId: nepal.id, note: 'Home society can reach the family.' });
      expect(moved.status).toBe(200);
      expect(moved.body.case).toMatchObject({ id: c.id, status: 'waiting', assignedTo: null });
      const forNepal = await nepalEvents.waitFor((e) => e.event === 'case.updated' && (e.data as { caseId: string }).caseId === c.id);
      expect(forNepal.data).toEqual({ caseId: c.id, organisationId: nepal.id, previousOrganisationId: malaysia.id });
      await malaysiaEvents.waitFor((e) => e.event === 'case.updated' && (e.data as { caseId: string }).caseId === c.id);
    } finally {
      nepalEvents.close();
      malaysiaEvents.close();
    }

    expect((await ana.get(`/cases/${c.id}`)).status).toBe(404);
    const view = await nabin.get<Record<string, unknown>>(`/cases/${c.id}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      organisation: { id: nepal.id },
      notes: [{ text: 'Family is in Nepal.', userName: 'Name of ana@example.org' }],
      transfers: [
        {
          from: { id: malaysia.id, name: 'Malaysian Red Crescent' },
          to: { id: nepal.id, name: 'Nepal Red Cross Society' },
          note: 'Home society can reach the family.',
          userName: 'Name of ana@example.org',
        },
      ],
    });
    const closed = await nabin.post<{ case: Summary }>(`/cases/${c.id}/close`);
    expect(closed.body.case.status).toBe('closed');
  });

  test('bad input is a 400 naming the field, and changes nothing', async () => {
    const { case: c } = await openCase(running.app, running.url, { country: 'MY' });
    const bad: [string, unknown, string][] = [
      ['reply', {}, 'text'],
      ['reply', { text: 42 }, 'text: must be text'],
      ['reply', { text: '   ' }, 'text: must not be empty'],
      ['reply', { text: 'x'.repeat(4001) }, 'text: at most 4000 characters'],
      ['reply', { text: 'hi', to: 'someone' }, 'to'],
      ['reply', 'just a string', 'the body'],
      ['notes', { text: ['a'] }, 'text: must be text'],
      ['transfer', { note: 'x' }, 'organisationId'],
      ['transfer', { organisationId: nepal.id, note: 'y'.repeat(5000) }, 'note: at most 4000 characters'],
      ['transfer', { organisationId: 'no-such-org', note: 'z' }, 'no such organisation'],
      ['claim', { force: true }, 'force'],
    ];
    for (const [action, body, issue] of bad) {
      const res = await ana.post(`/cases/${c.id}/${action}`, body);
      expect([action, res.status]).toEqual([action, 400]);
      expect((res.body as { error: string }).error).toContain(issue);
    }
    expect(await running.app.handoffStore.getCase(c.id)).toMatchObject({ status: 'waiting', assignedTo: null, organisationId: malaysia.id });
    expect(await running.app.handoffStore.listMessages(c.id)).toEqual([]);
    expect(await running.app.handoffStore.listNotes(c.id)).toEqual([]);
    expect(await running.app.handoffStore.listTransfers(c.id)).toEqual([]);

    for (const id of ['..', 'a'.repeat(65), 'a%20b']) expect((await ana.get(`/cases/${id}`)).status).toBe(404);
    const unknownPath = await ana.get('/nothing-here');
    expect(unknownPath).toMatchObject({ status: 404, body: { error: 'there is nothing at GET /console/api/nothing-here' } });
    const tooLarge = await ana.post(`/cases/${c.id}/reply`, { text: 'x'.repeat(70_000) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toEqual({ error: expect.stringContaining('too large') });
  });
});
