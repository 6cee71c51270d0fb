import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { insightSecret, pseudonymiser } from '../../src/insight/pseudonym';
import { postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const DAY_MS = 24 * 60 * 60 * 1000;

let db: TempDatabase;
let server: RunningApp;
let clock: number;
const key = randomBytes(32).toString('hex');
/** The pseudonyms the app must use: keyed with a secret derived from its DATA_ENCRYPTION_KEY. */
const pseudonym = (conversationId: string) => pseudonymiser(insightSecret({ DATA_ENCRYPTION_KEY: key }).key)('webchat', conversationId);

async function send(conversationId: string, body: { text?: string; payload?: string }): Promise<void> {
  const res = await postJson(`${server.url}/api/webchat/messages`, { conversationId, messageId: randomUUID(), locale: 'en-GB', ...body });
  expect(res.status).toBe(200);
}

/** The marks and counts as they are in the file, read on a connection of their own. */
function stored(): { marks: string[]; language: number } {
  const file = new Database(db.path, { readonly: true });
  try {
    return {
      marks: file.prepare('SELECT DISTINCT pseudonym FROM insight_seen ORDER BY pseudonym').pluck().all() as string[],
      language: file.prepare("SELECT coalesce(sum(count), 0) FROM insight_counts WHERE metric = 'language.used'").pluck().get() as number,
    };
  } finally {
    file.close();
  }
}

beforeEach(async () => {
  db = tempDatabase();
  clock = Date.parse('2026-03-14T09:00:00Z');
  server = await startApp(db.path, { env: { DATA_ENCRYPTION_KEY: key }, app: { clock: () => clock } });
});

afterEach(async () => {
  await server.close();
  db.remove();
});

test('“delete my data” removes the person’s once-a-day marks and keeps the counts, which are about no one', async () => {
  const leaving = randomUUID();
  const staying = randomUUID();
  await send(leaving, { text: 'hello' });
  await send(staying, { text: 'hello' });

  await send(leaving, { payload: 'data.erase.confirm' });

  // The marks still buffered were written first, then removed: only the other person's are left.
  expect(stored()).toEqual({ marks: [pseudonym(staying)], language: 2 });
});

test('retention prunes the marks of days more than two days back, keeping the counts', async () => {
  const person = randomUUID();
  await send(person, { text: 'hello' });
  clock += DAY_MS;
  await send(person, { text: 'hello again' });
  await server.close();
  expect(stored()).toEqual({ marks: [pseudonym(person)], language: 2 });

  server = await startApp(db.path, { env: { DATA_ENCRYPTION_KEY: key }, app: { clock: () => clock } });
  // Two days after the first day: its marks go; the second day's stay.
  clock += 2 * DAY_MS;
  await server.app.retention.runOnce();
  const file = new Database(db.path, { readonly: true });
  try {
    expect(file.prepare('SELECT day FROM insight_seen GROUP BY day').pluck().all()).toEqual(['2026-03-15']);
  } finally {
    file.close();
  }
  expect(stored().language).toBe(2);
});
