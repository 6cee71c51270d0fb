import { createHmac, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { WEBHOOK_BODY_LIMIT } from '../../src/channels/whatsapp-cloud/routes';
import { createStaffUser } from '../../src/handoff/staff';
import { FakeGraphApi } from '../channels/whatsapp-cloud/fake-graph-api';
import { ConsoleClient, PASSWORD, openCase } from '../handoff/console-support';
import { CLOUD, cloudEnv } from '../privacy/people';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { expectAlive } from './server-watch';

/**
 * Every route that takes a body has a size limit, and keeps it: a body of
 * exactly the limit is read, one byte more is refused with 413 (the app's
 * error body, not a dropped connection), whether the client said the length
 * up front or streamed the body in chunks without saying it. The limit is
 * HTTP_BODY_LIMIT everywhere except the WhatsApp Cloud webhook, which takes
 * Meta's batches of up to 3 MB.
 */
const LIMIT = 2048;
const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const SECRET = 'webhook-secret_42';
const EMAIL = 'limits.admin@example.org';

let db: TempDatabase;
let graph: FakeGraphApi;
let server: RunningApp;
let admin: ConsoleClient;
let caseId: string;

beforeAll(async () => {
  db = tempDatabase();
  graph = new FakeGraphApi(CLOUD.phoneNumberId);
  await graph.start();
  server = await startApp(db.path, {
    env: {
      ...cloudEnv(graph),
      HTTP_BODY_LIMIT: String(LIMIT),
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_BOT_USERNAME: 'vv_test_bot',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      TELEGRAM_SET_COMMANDS: 'false',
      TEAMS_ENABLED: 'true',
    },
  });
  const org = await server.app.handoff.ensureDefaultOrganisation();
  await createStaffUser(server.app.handoffStore, { email: EMAIL, name: 'Limits Admin', password: PASSWORD, role: 'admin', organisationId: org.id }, Date.now());
  admin = new ConsoleClient(server.url);
  expect((await admin.login(EMAIL)).status).toBe(200);
  caseId = (await openCase(server.app, server.url, { country: 'MY' })).case.id;
});

afterAll(async () => {
  await server.close();
  await graph.stop();
  db.remove();
});

/** A JSON text padded with spaces (which JSON ignores) to exactly `size` bytes. */
function padded(json: string, size: number): string {
  const bytes = Buffer.byteLength(json);
  if (bytes > size) throw new Error(`${json.slice(0, 40)}… is already ${bytes} bytes`);
  return json.slice(0, -1) + ' '.repeat(size - bytes) + json.slice(-1);
}

interface Route {
  name: string;
  path: string;
  limit: number;
  json: string;
  headers: (body: string) => Record<string, string>;
}

const plain = () => ({ 'content-type': 'application/json' });

const ROUTES: Route[] = [
  { name: 'web chat', path: '/api/webchat/messages', limit: LIMIT, json: JSON.stringify({ conversationId: randomUUID(), text: 'hi' }), headers: plain },
  {
    name: 'Telegram webhook',
    path: '/telegram/webhook',
    limit: LIMIT,
    json: '{"update_id":1}',
    headers: () => ({ 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }),
  },
  {
    name: 'WhatsApp Cloud webhook',
    path: '/whatsapp/webhook',
    limit: WEBHOOK_BODY_LIMIT,
    json: '{"object":"whatsapp_business_account","entry":[]}',
    headers: (body) => ({ 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', CLOUD.appSecret).update(body).digest('hex')}` }),
  },
  { name: 'Teams endpoint', path: '/api/messages', limit: LIMIT, json: '{"type":"typing"}', headers: plain },
  { name: 'console login', path: '/console/api/login', limit: LIMIT, json: '{}', headers: plain },
  {
    name: 'console reply',
    path: '/console/api/cases/:case/reply',
    limit: LIMIT,
    json: '{"text":"hello"}',
    headers: () => ({ 'content-type': 'application/json', cookie: admin.cookie!, 'x-csrf-token': admin.csrf! }),
  },
];

async function post(route: Route, body: string, chunked: boolean): Promise<{ status: number; text: string }> {
  const url = `${server.url}${route.path.replace(':case', caseId)}`;
  const bytes = Buffer.from(body);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes.length; at += 16_384) controller.enqueue(new Uint8Array(bytes.subarray(at, at + 16_384)));
      controller.close();
    },
  });
  const res = await fetch(url, {
    method: 'POST',
    headers: route.headers(body),
    body: chunked ? stream : body,
    ...(chunked ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: res.status, text: await res.text() };
}

/**
 * Streams a body on a raw socket and returns the status line's code. The
 * server answers 413 and hangs up without reading the rest, which makes
 * fetch fail on its unfinished upload; a socket still reads the answer.
 */
function rawPost(route: Route, body: string): Promise<number> {
  const url = new URL(`${server.url}${route.path.replace(':case', caseId)}`);
  const headers = { ...route.headers(body), host: url.host, 'transfer-encoding': 'chunked', connection: 'close' };
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    // The server hanging up on the rest of the upload is expected; only no answer at all is a failure.
    socket.on('error', () => undefined);
    socket.on('close', () => reject(new Error(`no answer; got ${JSON.stringify(answer.slice(0, 200))}`)));
    socket.write(`POST ${url.pathname} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    const bytes = Buffer.from(body);
    for (let at = 0; at < bytes.length && !socket.destroyed; at += 65_536) {
      const part = bytes.subarray(at, at + 65_536);
      socket.write(`${part.length.toString(16)}\r\n`);
      socket.write(part);
      socket.write('\r\n');
    }
    if (!socket.destroyed) socket.write('0\r\n\r\n');
  });
}

describe.each(ROUTES)('$name', (route) => {
  test.each([false, true])('reads a body of exactly its limit, and refuses one byte more with 413 (chunked: %s)', async (chunked) => {
    const atLimit = await post(route, padded(route.json, route.limit), chunked);
    expect(atLimit.status).toBeLessThan(500);
    expect(atLimit.status).not.toBe(413);

    const over = await post(route, padded(route.json, route.limit + 1), chunked);
    expect(over.status).toBe(413);
    expect(over.text).toMatch(new RegExp(`limit is ${route.limit} bytes`));
  });

  test('refuses a body far over its limit with 413, and still answers after', async () => {
    const status = await rawPost(route, padded(route.json, route.limit * 4));
    expect(status).toBe(413);
    await expectAlive(server.url);
  });
});

test('the Telegram webhook does not read a body without its secret: 401, however large', async () => {
  const route = ROUTES.find((r) => r.name === 'Telegram webhook')!;
  const status = await rawPost({ ...route, headers: () => ({ 'content-type': 'application/json' }) }, padded(route.json, LIMIT * 100));
  expect(status).toBe(401);
});
