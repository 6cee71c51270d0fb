import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { FakeConnector } from '../channels/teams/connector';
import { eventually } from '../privacy/people';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { brokenJson, deepJson, hostileJson, hostileString, jsonText, notAString, notJsonContentType, obj, parsableJson, withBadBytes, type Json } from './hostile';
import { Refusals, StoreSnapshot, Tally, expectAlive, expectNoPollution, expectNoServerError, FUZZ_TIMEOUT_MS, runs, send } from './server-watch';

jest.setTimeout(FUZZ_TIMEOUT_MS);

/**
 * The Bot Framework endpoint (Teams) under hostile activities, in the
 * unauthenticated mode the Emulator uses (the hardest case: botbuilder
 * checks no token, so every activity reaches it). Never a 5xx; a body that
 * is no activity gets a 4xx and changes nothing; any text in a well-formed
 * message is answered through the connector.
 */
let db: TempDatabase;
let connector: FakeConnector;
let server: RunningApp;
let snapshot: StoreSnapshot;
let refusals: Refusals;
const tally = new Tally('Teams endpoint');
let endpoint: string;

beforeAll(async () => {
  connector = new FakeConnector();
  await connector.start();
  db = tempDatabase();
  server = await startApp(db.path, { env: { TEAMS_ENABLED: 'true', USER_RATE_LIMIT: '10' } });
  endpoint = `${server.url}/api/messages`;
  snapshot = new StoreSnapshot(db.path);
  refusals = new Refusals(snapshot, tally);
});

afterAll(async () => {
  tally.print();
  snapshot.close();
  await server.close();
  await connector.stop();
  db.remove();
});

const JSON_TYPE = { 'content-type': 'application/json' };

/** Bodies that are no activity: not an object, or an object without a string `type`. */
const notAnActivity: fc.Arbitrary<string> = fc.oneof(
  hostileJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map(jsonText),
  fc.tuple(fc.oneof(notAString, fc.constant('')), hostileJson).map(([type, text]) => jsonText(obj({ type, text, conversation: obj({ id: 'a:1' }), serviceUrl: 'http://127.0.0.1:1/' }))),
  hostileJson.map((text) => jsonText(obj({ text, channelId: 'msteams' }))),
  deepJson,
);

/** Activities of every shape botbuilder might meet, with hostile fields where it reads them. */
const hostileActivity = (serviceUrl: string): fc.Arbitrary<string> =>
  fc
    .record({
      type: fc.oneof(fc.constantFrom('message', 'conversationUpdate', 'typing', 'invoke', 'event', 'messageReaction', 'installationUpdate', 'endOfConversation'), hostileString),
      id: fc.oneof(fc.uuid(), parsableJson),
      from: fc.oneof(fc.constant(obj({ id: `29:${randomUUID()}`, name: 'Ana' })), parsableJson),
      recipient: fc.oneof(fc.constant(obj({ id: '28:bot' })), parsableJson),
      conversation: fc.oneof(fc.uuid().map((id) => obj({ id: `a:${id}`, conversationType: 'personal' })), parsableJson),
      serviceUrl: fc.oneof(fc.constant(serviceUrl), hostileString),
      text: parsableJson,
      value: parsableJson,
      entities: parsableJson,
      membersAdded: parsableJson,
      channelData: parsableJson,
      locale: parsableJson,
      timestamp: parsableJson,
    })
    .map((fields) => jsonText(obj(fields as unknown as Record<string, Json>)));

test('refuses bodies that are no activity with a 4xx, and keeps nothing', async () => {
  await fc.assert(
    fc.asyncProperty(notAnActivity, async (body) => {
      await refusals.expect('not an activity', endpoint, { headers: JSON_TYPE, body }, [400, 413]);
    }),
    { numRuns: runs(200) },
  );
});

test('refuses bytes that are not UTF-8, JSON that is not JSON, and other content types', async () => {
  const valid = JSON.stringify({ type: 'message', text: 'hi' });
  await fc.assert(
    fc.asyncProperty(withBadBytes(valid), async (body) => refusals.expect('invalid UTF-8', endpoint, { headers: JSON_TYPE, body }, [400]).then(() => undefined)),
    { numRuns: runs(60) },
  );
  await fc.assert(
    fc.asyncProperty(brokenJson, async (body) => refusals.expect('invalid JSON', endpoint, { headers: JSON_TYPE, body }, [400, 413]).then(() => undefined)),
    { numRuns: runs(60) },
  );
  await fc.assert(
    fc.asyncProperty(notJsonContentType, async (type) => refusals.expect('not JSON', endpoint, { headers: { 'content-type': type }, body: valid }, [415]).then(() => undefined)),
    { numRuns: runs(60) },
  );
});

test('meets hostile activities of every type without failing, and keeps nothing of those it refuses', async () => {
  await fc.assert(
    fc.asyncProperty(hostileActivity(connector.url), async (body) => {
      tally.count('hostile activity');
      // The activity before may still be sending its replies (answered once saved), and its counts are written in batches.
      await server.app.engine.idle();
      await server.app.insight.flush();
      const before = snapshot.take();
      const answer = await send(endpoint, { headers: JSON_TYPE, body });
      expectNoServerError(answer, 'a hostile activity');
      expectNoPollution();
      if (answer.status >= 400) expect(StoreSnapshot.changed(before, snapshot.take())).toEqual([]);
    }),
    { numRuns: runs(350) },
  );
});

test('answers any text a person can type, in a new conversation', async () => {
  const typed = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).filter((t) => t.trim() !== '' && t.length <= 4096);
  await fc.assert(
    fc.asyncProperty(typed, async (text) => {
      tally.count('well-formed message with hostile text');
      const conversationId = `a:${randomUUID()}`;
      const body = JSON.stringify({
        type: 'message',
        id: randomUUID(),
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: `29:${randomUUID()}`, name: 'Ana' },
        recipient: { id: '28:bot', name: 'Virtual Volunteer' },
        conversation: { id: conversationId, conversationType: 'personal' },
        text,
      });
      const answer = await send(endpoint, { headers: JSON_TYPE, body });
      expectNoServerError(answer, 'a well-formed message');
      expectNoPollution();
      expect(answer.status).toBeLessThan(300);
      await eventually('a reply through the connector', () => connector.sent.some((s) => s.conversationId === conversationId));
    }),
    { numRuns: runs(60) },
  );
});

test('after all of it, still answers: health, and hi in a new chat gets the welcome', async () => {
  await expectAlive(server.url);
  const conversationId = `a:${randomUUID()}`;
  const body = JSON.stringify({
    type: 'message',
    id: randomUUID(),
    serviceUrl: connector.url,
    from: { id: '29:after', name: 'Ana' },
    recipient: { id: '28:bot' },
    conversation: { id: conversationId },
    locale: 'en-US',
    text: 'hi',
  });
  expect((await send(endpoint, { headers: JSON_TYPE, body })).status).toBeLessThan(300);
  await eventually('the welcome', () => connector.sent.some((s) => s.conversationId === conversationId));
  expect(connector.sent.find((s) => s.conversationId === conversationId)?.activity.text).toMatch(/^Hello! I am the Virtual Volunteer/);
});
