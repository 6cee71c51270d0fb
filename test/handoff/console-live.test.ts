import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../src/conversation/logger';
import { PlaintextCipher } from '../../src/handoff/cipher';
import { HandoffService } from '../../src/handoff/handoff';
import { consoleApiRoutes } from '../../src/handoff/inbox/routes';
import { buildHttpServer } from '../../src/http/server';
import { MemoryHandoffStore } from '../../src/store/handoff-memory';
import pino from 'pino';
import { createStaffUser } from '../../src/handoff/staff';
import { ConsoleClient, EventStream, PASSWORD } from './console-support';

/**
 * The stream's timers, with a keep-alive of 50 ms instead of 25 s: the API
 * alone on a fastify server, with the real service and an in-memory store.
 */
async function serve(clock: { now: number }) {
  const store = new MemoryHandoffStore(new PlaintextCipher());
  const handoff = new HandoffService({ store, log: silentLogger, defaultOrganisation: 'Default', languages: ['en'], clock: () => clock.now });
  const org = await handoff.ensureDefaultOrganisation();
  await createStaffUser(store, { email: 'ana@example.org', name: 'Ana', password: PASSWORD, role: 'caseworker', organisationId: org.id }, clock.now);
  const http = buildHttpServer({ log: pino({ level: 'silent' }), bodyLimit: 65_536 });
  await http.register(
    consoleApiRoutes({
      store,
      handoff,
      locales: ['en'],
      sessionHours: 1,
      secureCookies: false,
      bodyLimit: 65_536,
      log: silentLogger,
      clock: () => clock.now,
      keepAliveMs: 50,
    }),
  );
  await http.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  return { http, url, handoff, org };
}

test('a quiet stream gets keep-alive comments; the session is checked then, without being extended', async () => {
  const clock = { now: Date.now() };
  const { http, url } = await serve(clock);
  try {
    const client = new ConsoleClient(url);
    await client.login('ana@example.org');
    const stream = await EventStream.open(client);
    await new Promise((r) => setTimeout(r, 200));
    expect(stream.comments.filter((c) => c === 'keep-alive').length).toBeGreaterThanOrEqual(2);

    // Half an hour later the stream is still open; the checks did not extend the session, so it ends at the hour.
    clock.now += 30 * 60_000;
    await new Promise((r) => setTimeout(r, 150));
    expect(stream.isOpen).toBe(true);
    clock.now += 31 * 60_000;
    await stream.ended;
    expect(stream.isOpen).toBe(false);
  } finally {
    await http.close();
  }
});

test('events of a transfer reach both organisations, and only the fields of the event', async () => {
  const clock = { now: Date.now() };
  const { http, url, handoff, org } = await serve(clock);
  try {
    const client = new ConsoleClient(url);
    await client.login('ana@example.org');
    const stream = await EventStream.open(client);
    handoff.publish({ type: 'case.updated', caseId: 'c1', organisationId: 'elsewhere', previousOrganisationId: org.id });
    handoff.publish({ type: 'message.added', caseId: 'c2', organisationId: 'elsewhere', author: 'person' });
    handoff.publish({ type: 'message.delivery', caseId: 'c3', organisationId: org.id, messageId: 7, state: 'failed' });
    handoff.publish({ type: 'case.alert', caseId: 'c4', organisationId: org.id, priority: 'urgent', waitingMinutes: 6 });
    await stream.waitFor((e) => e.event === 'case.alert');
    expect(stream.events.slice(1)).toEqual([
      { event: 'case.updated', data: { caseId: 'c1', organisationId: 'elsewhere', previousOrganisationId: org.id } },
      { event: 'message.delivery', data: { caseId: 'c3', organisationId: org.id, messageId: 7, state: 'failed' } },
      { event: 'case.alert', data: { caseId: 'c4', organisationId: org.id, priority: 'urgent', waitingMinutes: 6 } },
    ]);
    stream.close();
  } finally {
    await http.close();
  }
});

test('a user holds at most 10 streams: the 11th ends the oldest', async () => {
  const clock = { now: Date.now() };
  const { http, url } = await serve(clock);
  try {
    const client = new ConsoleClient(url);
    await client.login('ana@example.org');
    const streams: EventStream[] = [];
    for (let i = 0; i < 11; i++) streams.push(await EventStream.open(client));
    await streams[0]!.ended;
    await new Promise((r) => setTimeout(r, 100));
    // The others are still open: they keep receiving keep-alives.
    const before = streams[10]!.comments.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(streams[10]!.comments.length).toBeGreaterThan(before);
    for (const s of streams) s.close();
  } finally {
    await http.close();
  }
});
