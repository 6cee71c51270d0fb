import fc from 'fast-check';
import { createStaffUser } from '../../src/handoff/staff';
import { ConsoleClient, PASSWORD, openCase } from '../handoff/console-support';
import { settle } from '../privacy/people';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { brokenJson, deepJson, hostileJson, hostileString, jsonText, notAString, notJsonContentType, obj, POISON_KEYS, withBadBytes, type Json } from './hostile';
import { FUZZ_TIMEOUT_MS, Refusals, StoreSnapshot, Tally, expectAlive, runs } from './server-watch';

jest.setTimeout(FUZZ_TIMEOUT_MS);

/**
 * The caseworker console's API under hostile requests: the login, and, with
 * a valid session and CSRF token (an admin's, so that every endpoint is
 * reachable), case and admin endpoints with malformed bodies, paths and
 * queries. Every one gets a 4xx, changes nothing (not even an audit line),
 * and the console works as before afterwards.
 */
let db: TempDatabase;
let server: RunningApp;
let snapshot: StoreSnapshot;
let refusals: Refusals;
let admin: ConsoleClient;
let caseId: string;
const tally = new Tally('console API');
let api: string;

const EMAIL = 'fuzz.admin@example.org';

beforeAll(async () => {
  db = tempDatabase();
  server = await startApp(db.path);
  api = `${server.url}/console/api`;
  const org = await server.app.handoff.ensureDefaultOrganisation();
  await createStaffUser(server.app.handoffStore, { email: EMAIL, name: 'Fuzz Admin', password: PASSWORD, role: 'admin', organisationId: org.id }, Date.now());
  admin = new ConsoleClient(server.url);
  expect((await admin.login(EMAIL)).status).toBe(200);
  caseId = (await openCase(server.app, server.url, { country: 'MY' })).case.id;
  await settle(server.app);
  snapshot = new StoreSnapshot(db.path);
  refusals = new Refusals(snapshot, tally, () => settle(server.app));
});

afterAll(async () => {
  tally.print();
  snapshot.close();
  await server.close();
  db.remove();
});

type Entries = [string, Json][];

/** An object that a strict schema must refuse: it carries at least one key the schema does not know. */
const withUnknownKey = (known: readonly string[]): fc.Arbitrary<Json> =>
  fc
    .tuple(
      known.length === 0 ? fc.constant([]) : fc.array(fc.tuple(fc.constantFrom(...known), hostileJson), { maxLength: known.length }),
      fc.oneof(fc.constantFrom(...POISON_KEYS), hostileString).filter((k) => !known.includes(k)),
      hostileJson,
    )
    .map(([fields, key, value]): Json => ({ entries: [...fields, [key, value]] as Entries }));

const notAnObject = hostileJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v));

/** Text fields the console refuses: not text, empty once trimmed, or over 4000 characters. */
const badText = fc.oneof(notAString, fc.constantFrom('', '   ', '\n\t'), fc.integer({ min: 4001, max: 20_000 }).map((n) => 'x'.repeat(n)));

const badLogin: fc.Arbitrary<Json> = fc.oneof(
  withUnknownKey(['email', 'password']),
  notAnObject,
  fc.tuple(fc.oneof(notAString, fc.constantFrom('', '  '), fc.integer({ min: 255, max: 3000 }).map((n) => `${'a'.repeat(n)}@x.org`)), hostileString).map(([email, password]) =>
    obj({ email, password }),
  ),
  fc.tuple(fc.emailAddress(), fc.oneof(notAString, fc.constant(''), fc.integer({ min: 1025, max: 5000 }).map((n) => 'p'.repeat(n)))).map(([email, password]) =>
    obj({ email, password }),
  ),
  fc.emailAddress().map((email) => obj({ email })),
);

const signedIn = (contentType = 'application/json'): Record<string, string> => ({
  'content-type': contentType,
  cookie: admin.cookie!,
  'x-csrf-token': admin.csrf!,
});

test('refuses malformed logins with 400, writing nothing, not even an audit line', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(badLogin.map(jsonText), deepJson), async (body) => {
      await refusals.expect('malformed login', `${api}/login`, { headers: { 'content-type': 'application/json' }, body }, [400, 413]);
    }),
    { numRuns: runs(200) },
  );
  const notJson: fc.Arbitrary<string | Uint8Array<ArrayBuffer>> = fc.oneof(brokenJson, withBadBytes('{"email":"a@b.org","password":"correct horse"}'));
  await fc.assert(
    fc.asyncProperty(notJson, async (body) => {
      await refusals.expect('login, not JSON', `${api}/login`, { headers: { 'content-type': 'application/json' }, body }, [400, 413]);
    }),
    { numRuns: runs(80) },
  );
  await fc.assert(
    fc.asyncProperty(notJsonContentType, async (type) => {
      await refusals.expect('login, other content type', `${api}/login`, { headers: { 'content-type': type }, body: '{"email":"a@b.org","password":"x"}' }, [415]);
    }),
    { numRuns: runs(60) },
  );
});

test('refuses malformed replies, notes, transfers, claims and closes on a real case, changing nothing', async () => {
  const endpoint = fc.oneof(
    fc.tuple(fc.constantFrom('reply', 'notes'), fc.oneof(withUnknownKey(['text']), notAnObject, badText.map((text) => obj({ text })))),
    fc.tuple(
      fc.constant('transfer'),
      fc.oneof(
        withUnknownKey(['organisationId', 'note']),
        notAnObject,
        badText.map((note) => obj({ organisationId: 'x', note })),
        fc.oneof(notAString, fc.constant(''), fc.constant('o'.repeat(65))).map((organisationId) => obj({ organisationId, note: 'moving it' })),
      ),
    ),
    // claim and close take no body or {}: anything else is refused.
    fc.tuple(fc.constantFrom('claim', 'close'), fc.oneof(withUnknownKey([]), notAnObject)),
  );
  await fc.assert(
    fc.asyncProperty(endpoint, async ([action, body]) => {
      await refusals.expect(`malformed ${action}`, `${api}/cases/${caseId}/${action}`, { headers: signedIn(), body: jsonText(body) }, [400, 413]);
    }),
    { numRuns: runs(250) },
  );
  expect((await server.app.handoffStore.getCase(caseId))?.status).toBe('waiting');
});

test('answers any case id in a path with 404, changing nothing', async () => {
  const segment = fc.oneof(hostileString, fc.constantFrom('..', '%2e%2e', '%00', '%ff', 'a'.repeat(65), '__proto__', 'constructor'));
  const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  await fc.assert(
    fc.asyncProperty(segment.filter((s) => s !== caseId && s !== ''), fc.constantFrom('GET', 'POST'), async (id, method) => {
      const path = method === 'GET' ? `/cases/${encode(id)}` : `/cases/${encode(id)}/reply`;
      const init = method === 'GET' ? { method, headers: { cookie: admin.cookie! } } : { method, headers: signedIn(), body: '{"text":"hello"}' };
      // 431: a path longer than Node takes in a request head.
      await refusals.expect('unknown case in the path', `${api}${path}`, init, [404, 431]);
    }),
    { numRuns: runs(120) },
  );
});

test('refuses malformed admin changes and queries, changing nothing', async () => {
  const change = fc.oneof(
    fc.tuple(fc.constant('POST /admin/users'), fc.oneof(withUnknownKey(['email', 'name', 'password', 'role', 'organisationId']), notAnObject)),
    fc.tuple(fc.constant('PATCH /admin/users/me'), fc.oneof(withUnknownKey(['name', 'role', 'organisationId', 'disabled', 'password']), notAnObject, fc.constant<Json>(obj({})))),
    fc.tuple(fc.constant('POST /admin/organisations'), fc.oneof(withUnknownKey(['name', 'languages', 'countries', 'expectedResponseMinutes', 'alertTarget']), notAnObject)),
  );
  const me = (await admin.get<{ user: { id: string } }>('/me')).body.user.id;
  await fc.assert(
    fc.asyncProperty(change, async ([route, body]) => {
      const [method, path] = route.replace('/me', `/${me}`).split(' ') as [string, string];
      await refusals.expect(`malformed ${route}`, `${api}${path}`, { method, headers: signedIn(), body: jsonText(body) }, [400, 413]);
    }),
    { numRuns: runs(200) },
  );
  const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  const query = fc.tuple(fc.constantFrom('/cases?status=', '/cases?category=', '/cases?locale=', '/admin/audit?before=', '/admin/users?organisationId='), hostileString);
  await fc.assert(
    fc.asyncProperty(query, async ([path, value]) => {
      tally.count('hostile query');
      const before = snapshot.take();
      const answer = await fetch(`${api}${path}${encode(value)}`, { headers: { cookie: admin.cookie! } });
      expect(answer.status).toBeLessThan(500);
      // A query a real request could make is answered; reading a list or the audit log writes nothing.
      expect([200, 400, 431]).toContain(answer.status);
      expect(snapshot.take()).toBe(before);
    }),
    { numRuns: runs(120) },
  );
});

test('refuses changes without a session or without the CSRF token, whatever the body', async () => {
  const headers = fc.constantFrom<Record<string, string>>(
    { 'content-type': 'application/json' },
    { 'content-type': 'application/json', cookie: 'vv_console=not-a-session' },
    { 'content-type': 'application/json', cookie: admin.cookie! },
    { 'content-type': 'application/json', cookie: admin.cookie!, 'x-csrf-token': 'forged' },
    { 'content-type': 'text/plain', cookie: admin.cookie! },
  );
  await fc.assert(
    fc.asyncProperty(headers, fc.constantFrom('reply', 'notes', 'close', 'claim'), hostileJson.map(jsonText), async (h, action, body) => {
      await refusals.expect('no session or no CSRF token', `${api}/cases/${caseId}/${action}`, { headers: h, body }, [401, 403]);
    }),
    { numRuns: runs(100) },
  );
});

test('after all of it, the console works: health, a fresh login, and a reply reaches the person', async () => {
  await expectAlive(server.url);
  const again = new ConsoleClient(server.url);
  expect((await again.login(EMAIL)).status).toBe(200);
  expect((await again.get('/me')).status).toBe(200);
  const reply = await again.post<{ message: { text: string } }>(`/cases/${caseId}/reply`, { text: 'Hello, I am here to help.' });
  expect(reply.status).toBe(200);
  expect(reply.body.message.text).toBe('Hello, I am here to help.');
});
