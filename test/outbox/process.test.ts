import { SqliteStore } from '../../src/store/sqlite';
import { FakeBotApi } from '../channels/telegram/fake-bot-api';
import { eventually } from '../support/outbox';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const SECRET = 'webhook-secret_42';
const CHAT_ID = 123456789;

/** The server process's settings: Telegram by webhook against the fake Bot API, SQLite in `db`. */
const settings = (db: TempDatabase, api: FakeBotApi, more: Record<string, string> = {}) => ({
  DATABASE_URL: db.path,
  ALLOW_PLAINTEXT_DATA: 'true',
  TELEGRAM_BOT_TOKEN: TOKEN,
  TELEGRAM_WEBHOOK_SECRET: SECRET,
  TELEGRAM_BOT_USERNAME: 'vv_test_bot',
  TELEGRAM_API_ROOT: api.url,
  TELEGRAM_SET_COMMANDS: 'false',
  ...more,
});

let nextUpdateId = 700_000_000;
function hi(): object {
  const id = nextUpdateId++;
  const person = { id: CHAT_ID, is_bot: false, first_name: 'Sita', language_code: 'en' };
  const chat = { id: CHAT_ID, first_name: 'Sita', type: 'private' };
  return { update_id: id, message: { message_id: id % 100_000, from: person, chat, date: Math.floor(Date.now() / 1000), text: 'hi' } };
}

function postUpdate(url: string, update: object): Promise<Response> {
  return fetch(`${url}/telegram/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
}

// Each test starts the server as a process of its own (a few seconds to compile and start).
jest.setTimeout(60_000);

const texts = (api: FakeBotApi) => api.callsTo('sendMessage').map((c) => c.body.text as string);

let db: TempDatabase;
let api: FakeBotApi;
let server: ServerProcess | null;
let app: RunningApp | null;

beforeEach(async () => {
  db = tempDatabase();
  api = new FakeBotApi(TOKEN);
  await api.start();
  server = null;
  app = null;
});

afterEach(async () => {
  // Twice: through tsx's CLI the signal reaches the server, whose second one ends it at once.
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
  }
  await server?.exited;
  await app?.close();
  await api.stop();
  db.remove();
});

test('a process killed after saving a turn and before sending it loses nothing: the next one sends each reply once', async () => {
  server = await startServerProcess(settings(db, api));
  // Telegram takes the first send and never answers it: the process dies while it waits.
  api.hold('sendMessage');
  const update = hi();
  // The webhook is answered once the turn is saved, before the replies go.
  expect((await postUpdate(server.url, update)).status).toBe(200);
  await eventually(() => api.callsTo('sendMessage').length === 1);
  server.child.kill('SIGKILL');
  await server.exited;

  const saved = new SqliteStore(db.path);
  const pending = await saved.pendingOutbox(10);
  await saved.close();
  expect(pending.length).toBeGreaterThan(0);
  expect(pending.every((e) => e.deliveredAt === null)).toBe(true);
  const replies = pending.map((e) => (e.message as { text: string }).text);
  // The one it was sending when it died is the first of them: nothing was marked sent.
  expect(texts(api)).toEqual([replies[0]]);

  // The next process, once the dead one's lease (30 s) has run out; Telegram answers again.
  await api.stop();
  api = new FakeBotApi(TOKEN);
  await api.start();
  app = await startApp(db.path, { env: settings(db, api), app: { clock: () => Date.now() + 60_000 } });
  await eventually(() => api.callsTo('sendMessage').length === replies.length);
  // Should Telegram send the update again (an answer lost on the way), it is a duplicate, and sends nothing more.
  expect((await postUpdate(app.url, update)).status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 1_500));

  expect(texts(api)).toEqual(replies);
  expect(await app.app.store.pendingOutbox(10)).toEqual([]);
});

test('SIGTERM to `tsx src/main.ts` lets the turn in flight finish sending, then the process exits with 0', async () => {
  server = await startServerProcess(settings(db, api), { cli: true });
  const release = api.hold('sendMessage');
  const update = hi() as { update_id: number };
  const answer = postUpdate(server.url, update);
  await eventually(() => api.callsTo('sendMessage').length === 1);

  server.child.kill('SIGTERM');
  await eventually(() => server!.events('shutdown').length === 1);
  // Still there, waiting for the send.
  expect(server.child.exitCode).toBeNull();
  release();

  expect((await answer).status).toBe(200);
  expect(await server.exited).toBe(0);
  expect(server.events('stopped')).toHaveLength(1);
  const saved = new SqliteStore(db.path);
  const rows = await saved.outboxSince(`telegram:${CHAT_ID}`, 0, 10);
  const replies = await saved.repliesTo(`telegram:${CHAT_ID}`, `u${update.update_id}`);
  await saved.close();
  // Every reply of the turn went out: each left the outbox once Telegram took it, and none still waits.
  expect(replies).toEqual([]);
  expect(rows).toEqual([]);
  expect(texts(api).length).toBeGreaterThan(0);
  expect(new Set(texts(api)).size).toBe(texts(api).length);
});

test('a second SIGTERM ends a stop that waits, at once', async () => {
  server = await startServerProcess(settings(db, api), { cli: true });
  api.hold('sendMessage');
  void postUpdate(server.url, hi()).catch(() => null);
  await eventually(() => api.callsTo('sendMessage').length === 1);

  server.child.kill('SIGTERM');
  await eventually(() => server!.events('shutdown').length === 1);
  server.child.kill('SIGTERM');

  expect(await server.exited).toBe(1);
  expect(server.events('shutdown-forced')).toHaveLength(1);
});

test('a stop that takes longer than SHUTDOWN_TIMEOUT_SECONDS ends when the time is up', async () => {
  server = await startServerProcess(settings(db, api, { SHUTDOWN_TIMEOUT_SECONDS: '1' }), { cli: true });
  api.hold('sendMessage');
  void postUpdate(server.url, hi()).catch(() => null);
  await eventually(() => api.callsTo('sendMessage').length === 1);

  server.child.kill('SIGTERM');

  expect(await server.exited).toBe(1);
  expect(server.events('shutdown-timeout')).toEqual([expect.objectContaining({ seconds: 1 })]);
});
