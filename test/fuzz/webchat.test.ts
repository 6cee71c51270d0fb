import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import {
  brokenJson,
  deepJson,
  hostileJson,
  hostileString,
  jsonText,
  notAString,
  notJsonContentType,
  withBadBytes,
  POISON_KEYS,
  type Json,
} from './hostile';
import { Refusals, StoreSnapshot, Tally, expectAlive, expectNoPollution, expectNoServerError, FUZZ_TIMEOUT_MS, runs, send } from './server-watch';

jest.setTimeout(FUZZ_TIMEOUT_MS);

/**
 * The web chat API (src/channels/webchat/API.md) under thousands of hostile
 * requests: the server never fails (5xx), refuses bad input with a 4xx,
 * keeps nothing from a refused request, lets nothing reach Object.prototype,
 * takes any text a person could type as it is, and answers normally after.
 */
const FIELDS = ['conversationId', 'text', 'payload', 'locale', 'messageId'];
const ID = /^[A-Za-z0-9_-]{8,64}$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;

type Entries = [string, Json][];
const without = (body: Entries, key: string): Entries => body.filter(([k]) => k !== key);
const withField = (body: Entries, key: string, value: Json): Entries => [...without(body, key), [key, value]];

const badId = fc.oneof(notAString, hostileString.filter((s) => !ID.test(s)));
const badText = fc.oneof(
  notAString,
  fc.constantFrom('', ' ', '\n\t ', '\u3000'),
  fc.integer({ min: 4097, max: 60_000 }).map((n) => 'x'.repeat(n)),
);
const badPayload = fc.oneof(notAString, fc.constant(''), fc.integer({ min: 257, max: 2000 }).map((n) => 'p'.repeat(n)));
const badLocale = fc.oneof(notAString, hostileString.filter((s) => !(s.length <= 35 && LOCALE.test(s))));
const unknownKey = fc.oneof(fc.constantFrom(...POISON_KEYS), hostileString).filter((k) => !FIELDS.includes(k));

/** Each turns a well-formed body into one the API must refuse. */
const breakers: fc.Arbitrary<(body: Entries) => Entries>[] = [
  fc.tuple(unknownKey, hostileJson).map(([key, value]) => (b: Entries) => [...b, [key, value]]),
  badId.map((v) => (b: Entries) => withField(b, 'conversationId', v)),
  fc.constant((b: Entries) => without(b, 'conversationId')),
  badText.map((v) => (b: Entries) => withField(b, 'text', v)),
  fc.constant((b: Entries) => without(b, 'text')),
  fc.constant((b: Entries) => withField(b, 'payload', 'cmd.menu')),
  badPayload.map((v) => (b: Entries) => withField(without(b, 'text'), 'payload', v)),
  badLocale.map((v) => (b: Entries) => withField(b, 'locale', v)),
  badId.map((v) => (b: Entries) => withField(b, 'messageId', v)),
];

/**
 * Whether a body is one API.md says is taken, judged from the document, not
 * from the code: two breaks can cancel out (no text, then a payload).
 */
function acceptable(body: Entries): boolean {
  const fields = new Map(body);
  const isString = (v: Json | undefined): v is string => typeof v === 'string';
  const id = (v: Json | undefined) => isString(v) && ID.test(v);
  const optional = (key: string, ok: (v: Json | undefined) => boolean) => !fields.has(key) || ok(fields.get(key));
  return (
    [...fields.keys()].every((k) => FIELDS.includes(k)) &&
    id(fields.get('conversationId')) &&
    fields.has('text') !== fields.has('payload') &&
    optional('text', (v) => isString(v) && v.length <= 4096 && v.trim() !== '') &&
    optional('payload', (v) => isString(v) && v.length >= 1 && v.length <= 256) &&
    optional('locale', (v) => isString(v) && v.length <= 35 && LOCALE.test(v)) &&
    optional('messageId', id)
  );
}

const refusedBody: fc.Arbitrary<string> = fc.oneof(
  fc
    .record({ conversationId: fc.uuid(), messageId: fc.uuid(), breaks: fc.array(fc.oneof(...breakers), { minLength: 1, maxLength: 3 }) })
    .map(({ conversationId, messageId, breaks }) => {
      const base: Entries = [['conversationId', conversationId], ['text', 'hi'], ['messageId', messageId]];
      return breaks.reduce((body, brk) => brk(body), base);
    })
    .filter((body) => !acceptable(body))
    .map((entries) => jsonText({ entries })),
  // Not an object at all.
  hostileJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map(jsonText),
  deepJson,
);

/** Text a person can type: anything at all within the limit, except nothing but spaces. */
const typedText = fc
  .oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
    fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u202e', '\u200d', '\ud800', '\udfff', 'ஃ', '👩‍👩‍👧', '"', '\\'), minLength: 1, maxLength: 50 }),
    fc.integer({ min: 4000, max: 4096 }).map((n) => 'ب'.repeat(n)),
    fc.constantFrom(...POISON_KEYS),
  )
  .filter((t) => t.length <= 4096 && t.trim() !== '');

/** A query string byte by byte, percent-encoded, so that any string (a lone surrogate too) can be sent. */
const encode = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const hostileQuery = fc.oneof(
  fc.array(fc.tuple(fc.oneof(fc.constantFrom('conversationId', 'after', ...POISON_KEYS, '__proto__[polluted]'), hostileString), hostileString), { maxLength: 4 })
    .map((pairs) => pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')),
  fc.constantFrom('%', '%zz', '%c0%80', 'conversationId=%ff', 'after=1&after=2', '__proto__[polluted]=1', 'constructor[prototype][polluted]=1', '&&&', '='),
);

let db: TempDatabase;
let server: RunningApp;
let snapshot: StoreSnapshot;
const tally = new Tally('web chat API');
let messages: string;

beforeAll(async () => {
  db = tempDatabase();
  server = await startApp(db.path, { env: { USER_RATE_LIMIT: '10' } });
  messages = `${server.url}/api/webchat/messages`;
  snapshot = new StoreSnapshot(db.path);
});

afterAll(async () => {
  tally.print();
  snapshot.close();
  await server.close();
  db.remove();
});

/** Sends a request the API must refuse, and checks it did, with nothing kept and nothing polluted. */
async function refused(property: string, init: Parameters<typeof send>[1], statuses: number[]): Promise<void> {
  await new Refusals(snapshot, tally).expect(property, messages, init, statuses);
}

const JSON_TYPE = { 'content-type': 'application/json' };

test('refuses malformed messages with a 4xx and keeps nothing', async () => {
  await fc.assert(
    fc.asyncProperty(refusedBody, async (body) => {
      await refused('malformed message', { headers: JSON_TYPE, body }, [400, 413]);
    }),
    { numRuns: runs(400) },
  );
});

test('refuses bytes that are not UTF-8, JSON that is not JSON, and other content types', async () => {
  const valid = JSON.stringify({ conversationId: randomUUID(), text: 'hi' });
  await fc.assert(
    fc.asyncProperty(withBadBytes(valid), async (body) => refused('invalid UTF-8', { headers: JSON_TYPE, body }, [400])),
    { numRuns: runs(100) },
  );
  await fc.assert(
    fc.asyncProperty(brokenJson, async (body) => refused('invalid JSON', { headers: JSON_TYPE, body }, [400, 413])),
    { numRuns: runs(100) },
  );
  await fc.assert(
    fc.asyncProperty(notJsonContentType, async (type) => refused('not JSON', { headers: { 'content-type': type }, body: valid }, [415])),
    { numRuns: runs(100) },
  );
});

test('reads history for any query without failing or keeping anything', async () => {
  await fc.assert(
    fc.asyncProperty(hostileQuery, async (query) => {
      tally.count('history query');
      const before = snapshot.take();
      const answer = await send(`${messages}?${query}`, { method: 'GET' });
      expectNoServerError(answer, `GET ?${query}`);
      expectNoPollution();
      // 431: a query longer than Node takes in a request head.
      expect([200, 400, 431]).toContain(answer.status);
      expect(snapshot.take()).toBe(before);
    }),
    { numRuns: runs(150) },
  );
});

test('takes any text a person can type, as a message, and answers it', async () => {
  await fc.assert(
    fc.asyncProperty(typedText, fc.constantFrom(undefined, 'en', 'ur-PK', 'km'), async (text, locale) => {
      tally.count('well-formed message with hostile text');
      const conversationId = randomUUID();
      const answer = await send(messages, { headers: JSON_TYPE, body: JSON.stringify({ conversationId, text, locale }) });
      expectNoServerError(answer, 'a well-formed message');
      expectNoPollution();
      expect(answer.status).toBe(200);
      const body = JSON.parse(answer.text) as { status: string; replies: { text: string }[] };
      expect(body.status).toBe('processed');
      expect(body.replies.length).toBeGreaterThan(0);
      expect(await server.app.store.getConversation(`webchat:${conversationId}`)).not.toBeNull();
    }),
    { numRuns: runs(60) },
  );
});

test('after all of it, still answers: health, and a new conversation gets its welcome', async () => {
  await expectAlive(server.url);
  const answer = await send(messages, { headers: JSON_TYPE, body: JSON.stringify({ conversationId: randomUUID(), text: 'hi', locale: 'en' }) });
  expect(answer.status).toBe(200);
  const body = JSON.parse(answer.text) as { replies: { text: string }[] };
  expect(body.replies[0]!.text).toMatch(/^Hello! I am the Virtual Volunteer/);
});
