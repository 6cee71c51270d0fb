import { createHmac, randomInt } from 'node:crypto';
import fc from 'fast-check';
import { FakeGraphApi } from '../channels/whatsapp-cloud/fake-graph-api';
import { CLOUD, cloudEnv, eventually, randomWaId, settle } from '../privacy/people';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { brokenJson, deepJson, hostileJson, hostileString, parsableJson, jsonText, notAString, notJsonContentType, obj, withBadBytes, type Json } from './hostile';
import { Refusals, StoreSnapshot, Tally, expectAlive, expectNoPollution, expectNoServerError, FUZZ_TIMEOUT_MS, runs, send } from './server-watch';

jest.setTimeout(FUZZ_TIMEOUT_MS);

/**
 * The WhatsApp Cloud webhook under hostile requests. Unsigned or wrongly
 * signed: 401, whatever the body or its type, and nothing read. Correctly
 * signed garbage (what a leaked app secret, or a confused proxy, would
 * send): a 4xx for what is not a webhook payload, a 200 that changes
 * nothing for a payload about no one the bot can answer. Any text in a
 * well-formed message is answered.
 */
const sign = (body: string | Uint8Array, secret = CLOUD.appSecret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

let db: TempDatabase;
let graph: FakeGraphApi;
let server: RunningApp;
let snapshot: StoreSnapshot;
let refusals: Refusals;
const tally = new Tally('WhatsApp Cloud webhook');
let webhook: string;

beforeAll(async () => {
  db = tempDatabase();
  graph = new FakeGraphApi(CLOUD.phoneNumberId);
  await graph.start();
  server = await startApp(db.path, { env: { ...cloudEnv(graph), USER_RATE_LIMIT: '10' } });
  webhook = `${server.url}/whatsapp/webhook`;
  snapshot = new StoreSnapshot(db.path);
  refusals = new Refusals(snapshot, tally, () => settle(server.app));
});

afterAll(async () => {
  tally.print();
  snapshot.close();
  await server.close();
  await graph.stop();
  db.remove();
});

type Entries = [string, Json][];
const set = (entries: Entries, key: string, value: Json): Entries => [...entries.filter(([k]) => k !== key), [key, value]];

const message = (from: string, text: Json): Entries => [
  ['from', from],
  ['id', `wamid.FUZZ${randomInt(1, 2 ** 47)}`],
  ['timestamp', String(Math.floor(Date.now() / 1000))],
  ['type', 'text'],
  ['text', obj({ body: text })],
];
const value = (messages: Json[], over: Record<string, Json> = {}) =>
  obj({ messaging_product: 'whatsapp', metadata: obj({ display_phone_number: '15550783881', phone_number_id: CLOUD.phoneNumberId }), messages, ...over });
const payload = (change: Json, over: Record<string, Json> = {}) =>
  obj({ object: 'whatsapp_business_account', entry: [obj({ id: '102290129340398', changes: [change] })], ...over });
const messagesChange = (v: Json) => obj({ field: 'messages', value: v });

/** Signed bodies that are not a webhook payload: each breaks one thing the schema requires. */
const notAPayload: fc.Arbitrary<string> = fc.oneof(
  hostileJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map(jsonText),
  fc.oneof(notAString, hostileString.filter((s) => s !== 'whatsapp_business_account')).map((o) =>
    jsonText(payload(messagesChange(value([{ entries: message(randomWaId(), 'hi') }])), { object: o })),
  ),
  hostileJson.filter((e) => !Array.isArray(e)).map((entry) => jsonText(obj({ object: 'whatsapp_business_account', entry }))),
  hostileJson.filter((v) => v !== 'whatsapp').map((product) => jsonText(payload(messagesChange(value([], { messaging_product: product }))))),
  fc
    .tuple(
      fc.constantFrom('from', 'id', 'timestamp', 'type'),
      fc.oneof(notAString, fc.constant(''), fc.integer({ min: 201, max: 5000 }).map((n) => '9'.repeat(n)), fc.constantFrom('12:00', '-1', '1.5')),
    )
    // A timestamp must be digits; `from` up to 32 characters; `id` up to 200; `type` up to 64: each value breaks one.
    .filter(([field, v]) => !(typeof v === 'string' && v !== '' && (field === 'type' ? v.length <= 64 : field === 'timestamp' ? /^\d{1,12}$/.test(v) : v.length <= 32)))
    .map(([field, v]) => jsonText(payload(messagesChange(value([{ entries: set(message(randomWaId(), 'hi'), field, v) }]))))),
  hostileJson.filter((m) => m === null || typeof m !== 'object' || Array.isArray(m)).map((m) => jsonText(payload(messagesChange(value([m]))))),
  deepJson,
);

/** Signed, well-formed payloads about no one the bot answers: another number, a sender that is no phone number, statuses of strangers, other fields. */
const aboutNoOne: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(hostileString.filter((id) => id !== CLOUD.phoneNumberId && id !== ''), hostileString).map(([other, text]) =>
    jsonText(payload(messagesChange(value([{ entries: message(randomWaId(), text) }], { metadata: obj({ phone_number_id: other }) })))),
  ),
  hostileString
    .filter((from) => from !== '' && from.length <= 32 && !/^\d{6,15}$/.test(from.replace(/@.*$/, '').replace(/\D/g, '')))
    .map((from) => jsonText(payload(messagesChange(value([{ entries: message(from, 'hi') }]))))),
  fc.tuple(fc.constantFrom('sent', 'delivered', 'read', 'failed', 'deleted', 'warning'), fc.integer()).map(([status, code]) =>
    jsonText(
      payload(
        messagesChange(
          value([], {
            statuses: [obj({ id: `wamid.S${randomInt(1, 2 ** 47)}`, status, timestamp: '1700000000', recipient_id: randomWaId(), errors: [obj({ code, title: 'x' })] })],
          }),
        ),
      ),
    ),
  ),
  fc.tuple(hostileString.filter((f) => f !== 'messages'), parsableJson).map(([field, v]) => jsonText(payload(obj({ field, value: v })))),
);

const signedJson = (body: string | Uint8Array, contentType = 'application/json') => ({
  headers: { 'content-type': contentType, 'x-hub-signature-256': sign(body) },
  body: typeof body === 'string' ? body : new Uint8Array(body),
});

test('refuses every request without Meta’s signature of its exact bytes with 401', async () => {
  const body = fc.oneof(notAPayload, aboutNoOne, brokenJson, withBadBytes('{"object":"whatsapp_business_account","entry":[]}'));
  const badSignature = (text: string | Uint8Array) =>
    fc.oneof(
      fc.constant<string | undefined>(undefined),
      fc.constantFrom('', 'sha256=', 'sha1=abc', `sha256=${'0'.repeat(64)}`, sign(text).toUpperCase().replace('SHA256', 'sha1')),
      fc.constant(sign(text, 'another-apps-secret')),
      fc.constant(sign(`${typeof text === 'string' ? text : Buffer.from(text).toString('latin1')} `)),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 64, maxLength: 64 }).map((hex) => `sha256=${hex}`),
    );
  await fc.assert(
    fc.asyncProperty(
      body.chain((text) => fc.tuple(fc.constant(text), badSignature(text))),
      fc.oneof(fc.constant('application/json'), notJsonContentType),
      async ([text, signature], contentType) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (signature !== undefined) headers['x-hub-signature-256'] = signature;
        // 415: a Content-Type header that is no media type at all is refused before the body is read.
        await refusals.expect('unsigned or wrongly signed', webhook, { headers, body: typeof text === 'string' ? text : new Uint8Array(text) }, [401, 413, 415]);
      },
    ),
    { numRuns: runs(200) },
  );
});

test('refuses correctly signed bodies that are not a webhook payload, and keeps nothing', async () => {
  await fc.assert(
    fc.asyncProperty(notAPayload, async (body) => {
      await refusals.expect('signed, not a payload', webhook, signedJson(body), [400, 413]);
    }),
    { numRuns: runs(250) },
  );
  await fc.assert(
    fc.asyncProperty(withBadBytes(jsonText(payload(messagesChange(value([]))))), async (body) => {
      await refusals.expect('signed, invalid UTF-8', webhook, signedJson(body), [400]);
    }),
    { numRuns: runs(60) },
  );
  await fc.assert(
    fc.asyncProperty(brokenJson, async (body) => {
      await refusals.expect('signed, invalid JSON', webhook, signedJson(body), [400, 413]);
    }),
    { numRuns: runs(60) },
  );
  await fc.assert(
    fc.asyncProperty(notJsonContentType, async (type) => {
      await refusals.expect('signed, not JSON', webhook, signedJson(jsonText(payload(messagesChange(value([])))), type), [415]);
    }),
    { numRuns: runs(60) },
  );
});

test('takes correctly signed payloads about no one it can answer, and keeps nothing of them', async () => {
  await fc.assert(
    fc.asyncProperty(aboutNoOne, async (body) => {
      await refusals.expect('signed, about no one', webhook, signedJson(body), [200]);
    }),
    { numRuns: runs(200) },
  );
});

test('answers the verification request only with the verify token, whatever the query', async () => {
  const encode = (v: string) => [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  const param = fc.tuple(fc.constantFrom('hub.mode', 'hub.verify_token', 'hub.challenge', '__proto__', 'hub.mode[]'), fc.oneof(hostileString, fc.constantFrom('subscribe', CLOUD.verifyToken)));
  await fc.assert(
    fc.asyncProperty(fc.array(param, { maxLength: 5 }), async (pairs) => {
      const query = pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
      const verified = pairs.some(([k, v]) => k === 'hub.mode' && v === 'subscribe') && pairs.some(([k, v]) => k === 'hub.verify_token' && v === CLOUD.verifyToken);
      const answer = await refusals.expect('verification query', `${webhook}?${query}`, { method: 'GET' }, [200, 400, 403, 431]);
      // 200 only with the token, mode and a plain challenge, and then with the challenge echoed, nothing else.
      if (answer.status === 200) {
        expect(verified).toBe(true);
        expect(pairs.map(([, v]) => v)).toContain(answer.text);
      }
    }),
    { numRuns: runs(100) },
  );
});

test('answers any text a person can type, from a new number', async () => {
  const typed = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).filter((t) => t.length <= 4096);
  await fc.assert(
    fc.asyncProperty(typed, async (text) => {
      tally.count('well-formed message with hostile text');
      const from = randomWaId();
      const entries = message(from, text);
      const wamid = entries[1]![1] as string;
      const sentBefore = graph.calls.length;
      const answer = await send(webhook, signedJson(jsonText(payload(messagesChange(value([{ entries }]))))));
      expectNoServerError(answer, 'a well-formed message');
      expectNoPollution();
      expect(answer.status).toBe(200);
      await settle(server.app);
      expect(await server.app.store.isProcessed(`whatsapp-cloud:${from}`, wamid)).toBe(true);
      expect(graph.calls.slice(sentBefore).some((c) => c.body.to === from)).toBe(true);
    }),
    { numRuns: runs(60) },
  );
});

test('after all of it, still answers: health, and a new number saying hi gets the welcome', async () => {
  await expectAlive(server.url);
  const from = randomWaId().replace(/^977/, '44');
  const sentBefore = graph.calls.length;
  const answer = await send(webhook, signedJson(jsonText(payload(messagesChange(value([{ entries: message(from, 'hi') }]))))));
  expect(answer.status).toBe(200);
  await eventually('the welcome', () => graph.calls.slice(sentBefore).some((c) => c.body.to === from));
  const first = graph.calls.slice(sentBefore).find((c) => c.body.to === from)!;
  expect(JSON.stringify(first.body)).toContain('Hello! I am the Virtual Volunteer');
});
