import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FakeGraphApi } from '../channels/whatsapp-cloud/fake-graph-api';
import { POSTGRES_URL, describeWithPostgres, tempSchema, type TempSchema } from '../support/postgres';
import { TEST_REDIS_URL, connectTestRedis, deleteUnder, describeWithRedis, uniquePrefix } from '../support/redis';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { CLOUD, CloudPerson, caseworker, cloudEnv, eventually, randomWaId, requestTracing, settle, tracingAnswers } from './people';
import { identifiers, scanFiles, scanPostgres, scanRedis, scanSqlite, type Finding } from './scan';

/**
 * "Delete my data", proved by looking everywhere: after a whole
 * conversation on WhatsApp (window state, delivery statuses), a family
 * tracing request handed to a caseworker, a case with a transcript, a note
 * and a caseworker's reply, the person erases their data, and every row of
 * every table (and every Redis key under the app's prefix) is searched for
 * anything that identifies them or that they or their caseworker wrote.
 *
 * Case data runs unencrypted here on purpose (ALLOW_PLAINTEXT_DATA, no key):
 * a transcript line left behind would then be readable to the scan, where
 * ciphertext would hide it. A second person goes through the same and stays:
 * the scan must find all of theirs, so a scan that looks at nothing fails.
 */

interface Traces {
  person: CloudPerson;
  /** What identifies the person: ids, and the tags the app files them under. */
  ids: string[];
  /** What they and their caseworker wrote. */
  texts: string[];
}

interface Backend {
  scan(needles: string[]): Promise<{ findings: Finding[]; where: string }>;
  /** What of the person who stayed this backend must find (in a place only it holds), so that its scan is known to look. */
  mustFind(kept: Traces): string[];
}

/** Unencrypted case data (see above), and the message limit on, high enough never to refuse, so that its buckets exist. */
const SETTINGS = { ALLOW_PLAINTEXT_DATA: 'true', DATA_ENCRYPTION_KEY: '', USER_RATE_LIMIT: '1000' };

const sha = (value: string) => createHash('sha256').update(value).digest('hex');

/** Everything a person and their caseworker leave behind, from first message to "delete my data" (not yet confirmed). */
async function liveThrough(server: RunningApp, graph: FakeGraphApi, label: string): Promise<Traces> {
  const marker = `${label}${randomBytes(4).toString('hex')}`;
  const person = new CloudPerson(server, randomWaId(), `Zephyrine ${marker} Okonkwo`);
  const firstCall = graph.calls.length;
  await person.say(`hello, my name is ${person.profileName}`);
  const answers = tracingAnswers(marker);
  await requestTracing(person, answers);
  const question = `Please find my cousin, ${marker} is worried`;
  await person.say(question);

  const c = await server.app.handoffStore.openCaseOf(person.conversationKey);
  if (!c) throw new Error('no case was opened');
  const staffTag = randomBytes(4).toString('hex');
  const staff = await caseworker(server, `cw-${staffTag}@example.org`, `Caseworker ${staffTag}`);
  expect((await staff.console.post(`/cases/${c.id}/claim`)).status).toBe(200);
  const reply = `Reply ${marker}: we have started looking for Zanubia`;
  const note = `Note ${marker}: her sister sounded frightened`;
  expect((await staff.console.post(`/cases/${c.id}/reply`, { text: reply })).status).toBe(200);
  expect((await staff.console.post(`/cases/${c.id}/notes`, { text: note })).status).toBe(200);
  await settle(server.app);

  // Meta reports on everything the bot sent: delivered, read, and one that failed.
  const wamids = graph.calls.slice(firstCall).flatMap((call) => (call.wamid ? [call.wamid] : []));
  expect(wamids.length).toBeGreaterThan(5);
  await person.statuses(wamids, 'delivered');
  await person.statuses(wamids.slice(0, -1), 'read');
  await person.statuses(wamids.slice(-1), 'failed', [{ code: 131026, title: `Message undeliverable to ${person.waId}` }]);
  await person.say(`thank you ${marker}`);

  return {
    person,
    // Not the case id: the audit log keeps that a case existed and was erased, never whose it was.
    ids: [
      ...identifiers([person.waId, person.conversationKey, `whatsapp-cloud\u0000${person.waId}`, sha(person.conversationKey).slice(0, 12)]),
      ...person.sent,
      ...wamids,
    ],
    texts: [person.profileName, marker, ...answers.filter((a) => a.includes(marker)), question, reply, note],
  };
}

async function erase(person: CloudPerson): Promise<void> {
  await person.say('delete my data');
  await person.press('data.erase.confirm');
}

function neededFor(traces: Traces): string[] {
  return [...traces.ids, ...traces.texts];
}

function check(findings: Finding[], gone: Traces, kept: Traces, where: string, mustFind: string[]): void {
  const goneNeedles = new Set(neededFor(gone));
  const left = findings.filter((f) => goneNeedles.has(f.needle));
  expect({ where, left }).toEqual({ where, left: [] });
  // The person who stayed is found: the scan looked at the rows (and keys) that hold people.
  const keptFound = new Set(findings.map((f) => f.needle));
  for (const needle of [kept.person.waId, kept.person.conversationKey, kept.texts[2]!, ...mustFind]) expect(keptFound).toContain(needle);
}

/** Runs the whole story on one backend: two people, one erases, then the scan. */
async function story(server: RunningApp, graph: FakeGraphApi, backend: Backend): Promise<{ gone: Traces; kept: Traces }> {
  const kept = await liveThrough(server, graph, 'kept');
  const gone = await liveThrough(server, graph, 'gone');

  const before = await backend.scan([...neededFor(gone), ...neededFor(kept)]);
  // Before erasure the scan finds the person in many places: it is a real search.
  expect(new Set(before.findings.filter((f) => neededFor(gone).includes(f.needle)).map((f) => f.where)).size).toBeGreaterThan(5);

  const sentBefore = graph.calls.length;
  await erase(gone.person);
  // The goodbye went out; Meta's statuses for it arrive after the erasure and must not bring anything back.
  await eventually('the goodbye to be sent', () => graph.calls.length > sentBefore);
  const goodbye = graph.calls.slice(sentBefore).flatMap((c) => (c.wamid ? [c.wamid] : []));
  await gone.person.statuses(goodbye, 'delivered');
  await gone.person.statuses(goodbye, 'read');
  gone.ids.push(...goodbye);

  const after = await backend.scan([...neededFor(gone), ...neededFor(kept)]);
  check(after.findings, gone, kept, after.where, backend.mustFind(kept));
  return { gone, kept };
}

describe('delete my data leaves nothing behind (SQLite)', () => {
  let db: TempDatabase;
  let graph: FakeGraphApi;
  let server: RunningApp;

  beforeAll(async () => {
    db = tempDatabase();
    graph = new FakeGraphApi(CLOUD.phoneNumberId);
    await graph.start();
    server = await startApp(db.path, { env: { ...cloudEnv(graph), ...SETTINGS } });
  });

  afterAll(async () => {
    await server.close();
    await graph.stop();
    db.remove();
  });

  test('in any table, and in the bytes of the database file and its log once closed', async () => {
    const backend: Backend = {
      scan: async (needles) => {
        const { findings, tables, rows } = scanSqlite(db.path, needles);
        console.info(`SQLite scan: ${tables.length} tables (${tables.join(', ')}), ${rows} rows, ${needles.length} needles`);
        return { findings, where: 'sqlite' };
      },
      mustFind: () => [],
    };
    const { gone, kept } = await story(server, graph, backend);

    // Secure delete, and the checkpoint after erasure: the erased text is not in the bytes on disk either,
    // neither while the server runs (the write-ahead log) nor once it has closed the file.
    const files = [db.path, `${db.path}-wal`, `${db.path}-shm`];
    const needles = neededFor(gone).filter((n) => n.length >= 8);
    expect(scanFiles(files, needles)).toEqual([]);
    await server.close();
    expect(scanFiles(files, needles)).toEqual([]);
    const keptRaw = scanFiles(files, [kept.person.waId, kept.texts[2]!]);
    expect(keptRaw.map((f) => f.needle)).toEqual(expect.arrayContaining([kept.person.waId, kept.texts[2]!]));
  });
});

describeWithPostgres('delete my data leaves nothing behind (PostgreSQL and Redis)', () => {
  describeWithRedis('with Redis', () => {
    let schema: TempSchema;
    let prefix: string;
    let graph: FakeGraphApi;
    let server: RunningApp;
    let redis: Redis;

    beforeAll(async () => {
      redis = connectTestRedis();
      schema = tempSchema();
      prefix = uniquePrefix('erasure');
      graph = new FakeGraphApi(CLOUD.phoneNumberId);
      await graph.start();
      server = await startApp(POSTGRES_URL, {
        env: {
          ...cloudEnv(graph),
          ...SETTINGS,
          DATABASE_SCHEMA: schema.schema,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_KEY_PREFIX: prefix,
        },
      });
    });

    afterAll(async () => {
      await server?.close();
      await graph.stop();
      await schema.drop();
      await deleteUnder(redis, prefix);
      redis.disconnect();
    });

    test('in any PostgreSQL table, and in any Redis key or value under the app’s prefix', async () => {
      const backend: Backend = {
        scan: async (needles) => {
          const pg = await scanPostgres(schema, needles);
          const keys = await scanRedis(redis, prefix, needles);
          console.info(
            `PostgreSQL scan: ${pg.tables.length} tables (${pg.tables.join(', ')}), ${pg.rows} rows; Redis scan: ${keys.keys} keys under ${prefix}; ${needles.length} needles`,
          );
          return { findings: [...pg.findings, ...keys.findings], where: 'postgres and redis' };
        },
        // Redis files a person under tags: their de-duplication marks, and their message bucket.
        mustFind: (kept) => [sha(`whatsapp-cloud\u0000${kept.person.waId}`).slice(0, 32), sha(sha(kept.person.conversationKey).slice(0, 12)).slice(0, 32)],
      };
      await story(server, graph, backend);
    });
  });
});
