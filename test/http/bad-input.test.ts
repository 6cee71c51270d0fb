import { randomUUID } from 'node:crypto';
import { getJson, postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

interface ErrorAnswer {
  error: { code: string; message: string; issues?: string[] };
}

const LIMIT = 65_536;

let db: TempDatabase;
let server: RunningApp;
let messages: string;
const conversationId = randomUUID();

beforeAll(async () => {
  db = tempDatabase();
  server = await startApp(db.path, { env: { HTTP_BODY_LIMIT: String(LIMIT) } });
  messages = `${server.url}/api/webchat/messages`;
});

afterAll(async () => {
  await server.close();
  db.remove();
});

/** A refused request: its status, and an error body with a code and a readable message. */
function expectRefused(res: { status: number; headers: Headers; body: unknown }, status: number, message: string | RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const { error } = res.body as ErrorAnswer;
  expect(error.code).toMatch(/^[a-z0-9_]+$/);
  expect(error.message).toMatch(message);
}

describe('POST /api/webchat/messages refuses, with a clear message,', () => {
  test.each([
    ['a body that is not an object', ['hi'], 'the body must be a JSON object'],
    ['a conversationId that is a number', { conversationId: 12345678, text: 'hi' }, 'conversationId must be a string'],
    ['a conversationId that is too short', { conversationId: 'abc', text: 'hi' }, /conversationId must be 8 to 64/],
    ['a conversationId with other characters', { conversationId: '../../etc/passwd', text: 'hi' }, /conversationId must be 8 to 64/],
    ['text that is a number', { conversationId, text: 42 }, 'text must be a string'],
    ['a payload that is an object', { conversationId, payload: { a: 1 } }, 'payload must be a string'],
    ['a missing conversationId', { text: 'hi' }, 'conversationId is missing'],
    ['neither text nor payload', { conversationId }, 'send exactly one of text (typed) or payload (a button)'],
    ['both text and payload', { conversationId, text: 'hi', payload: 'cmd.menu' }, /exactly one of text/],
    ['empty text', { conversationId, text: '   ' }, 'text is empty'],
    ['an unknown field', { conversationId, text: 'hi', messageID: 'abcdefgh' }, 'unknown field: messageID'],
    ['a malformed locale', { conversationId, text: 'hi', locale: 'english please' }, /locale must be a language tag/],
    ['text over 4096 characters', { conversationId, text: 'a'.repeat(4097) }, 'text is too long: the limit is 4096 characters'],
  ])('%s', async (_name, body, message) => {
    const res = await postJson(messages, body);
    expectRefused(res, 400, message);
    expect((res.body as ErrorAnswer).error.issues).toEqual(expect.arrayContaining([expect.any(String)]));
  });

  test('a body over the size limit (1 MB of text)', async () => {
    const res = await postJson(messages, { conversationId, text: 'a'.repeat(1_000_000) });
    expectRefused(res, 413, `message too large: the limit is ${LIMIT} bytes`);
  });

  test('malformed JSON', async () => {
    expectRefused(await postJson(messages, null, { raw: '{"conversationId": "abcdefgh", "text": "hi"' }), 400, 'the body is not valid JSON');
  });

  test('an empty body', async () => {
    expectRefused(await postJson(messages, null, { raw: '' }), 400, /the body is empty/);
  });

  test('bytes that are not UTF-8', async () => {
    const raw = Buffer.concat([
      Buffer.from(`{"conversationId":"${conversationId}","text":"caf`),
      Buffer.from([0xe9, 0xff]),
      Buffer.from('"}'),
    ]);
    expectRefused(await postJson(messages, null, { raw: new Uint8Array(raw) }), 400, 'the body is not valid UTF-8');
  });

  test.each<[string, string, string | Uint8Array<ArrayBuffer>]>([
    ['text/plain', 'text/plain', 'hello'],
    ['a form', 'application/x-www-form-urlencoded', `conversationId=${conversationId}&text=hi`],
    // fetch sends bytes without a Content-Type header of its own.
    ['no content type', '', new TextEncoder().encode(JSON.stringify({ conversationId, text: 'hi' }))],
  ])('%s', async (_name, contentType, raw) => {
    const res = await postJson(messages, null, { contentType, raw });
    expectRefused(res, 415, 'send the body as JSON, with Content-Type: application/json');
  });

  test('a server failure, without showing its details', async () => {
    const broken = tempDatabase();
    const other = await startApp(broken.path);
    try {
      await other.app.store.close();
      const res = await postJson(`${other.url}/api/webchat/messages`, { conversationId, text: 'hi' });
      expectRefused(res, 500, 'something went wrong on the server; please try again in a moment');
      // Nothing but the code and the message: no error name, stack or database detail.
      expect(res.body).toEqual({
        error: { code: 'internal', message: 'something went wrong on the server; please try again in a moment' },
      });
    } finally {
      await other.close();
      broken.remove();
    }
  });
});

describe('GET /api/webchat/messages refuses', () => {
  test.each([
    ['a missing conversationId', '?after=0', 'conversationId is missing'],
    ['a bad conversationId', '?conversationId=a%20b', /conversationId must be 8 to 64/],
    ['a negative after', `?conversationId=${conversationId}&after=-1`, 'after must be a whole number, 0 or more'],
    ['after given twice', `?conversationId=${conversationId}&after=1&after=2`, 'give after once'],
  ])('%s', async (_name, query, message) => {
    expectRefused(await getJson(`${messages}${query}`), 400, message);
  });
});

test('an unknown address is a JSON 404', async () => {
  expectRefused(await getJson(`${server.url}/api/nothing?secret=1`), 404, 'there is nothing at GET /api/nothing');
});

test('after all of that the server still answers', async () => {
  const res = await postJson<{ status: string }>(messages, { conversationId, text: 'hi', locale: 'ur-PK' });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('processed');
  const again = await postJson<{ status: string }>(messages, { conversationId, text: 'آپ کیسے ہیں؟ 🙂' });
  expect(again.status).toBe(200);
  expect((await getJson(`${server.url}/healthz`)).status).toBe(200);
});
