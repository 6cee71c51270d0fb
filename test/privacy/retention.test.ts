import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../../src/conversation/logger';
import { MemoryHandoffStore } from '../../src/store/handoff-memory';
import { MemoryStore } from '../../src/store/memory';
import { PlaintextCipher } from '../../src/handoff/cipher';
import { RetentionJob } from '../../src/retention/job';
import { DAY_MS } from '../../src/util/time';
import { openCase } from '../handoff/console-support';
import { getJson, postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { caseworker, settle } from './people';
import { scanSqlite } from './scan';

/**
 * RETENTION_DAYS, on the real app and its SQLite file, with a clock the test
 * moves: what is older than the limit goes, what is newer or still in use stays.
 */
describe('the retention job', () => {
  const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
  let clock = T0;
  let db: TempDatabase;
  let server: RunningApp;

  beforeAll(async () => {
    db = tempDatabase();
    server = await startApp(db.path, { env: { RETENTION_DAYS: '30', ALLOW_PLAINTEXT_DATA: 'true', DATA_ENCRYPTION_KEY: '' }, app: { clock: () => clock } });
  });

  afterAll(async () => {
    await server.close();
    db.remove();
  });

  const hello = async (conversationId = randomUUID()) => {
    const res = await postJson(`${server.url}/api/webchat/messages`, { conversationId, text: 'hello' });
    expect(res.status).toBe(200);
    await settle(server.app);
    return conversationId;
  };
  const history = async (conversationId: string) =>
    ((await getJson<{ messages: unknown[] }>(`${server.url}/api/webchat/messages?conversationId=${conversationId}`)).body.messages).length;

  test('deletes closed cases and idle conversations past RETENTION_DAYS, keeps the rest, and audits counts only', async () => {
    const { user } = await caseworker(server, `cw-${randomBytes(3).toString('hex')}@example.org`, 'Caseworker R');
    const closeCase = async (caseId: string) => {
      await server.app.handoff.close(user, caseId);
      await settle(server.app);
    };

    // Day 0: someone who says hello and never again; someone whose case is closed at once;
    // someone whose case stays open; someone whose case closes on day 20.
    const idle = await hello();
    const closedEarly = await openCase(server.app, server.url, { country: 'MY' });
    await server.app.handoff.claim(user, closedEarly.case.id);
    await closeCase(closedEarly.case.id);
    const stillOpen = await openCase(server.app, server.url, { country: 'MY' });
    const closedLate = await openCase(server.app, server.url, { country: 'MY' });
    await server.app.handoff.claim(user, closedLate.case.id);
    await settle(server.app);

    clock = T0 + 20 * DAY_MS;
    await closeCase(closedLate.case.id);
    // Day 29: someone new.
    clock = T0 + 29 * DAY_MS;
    const recent = await hello();

    clock = T0 + 31 * DAY_MS;
    const report = await server.app.retention.runOnce();
    expect(report).toEqual({ cases: 1, conversations: 2 });

    const conversation = (id: string) => server.app.store.getConversation(`webchat:${id}`);
    expect(await conversation(idle)).toBeNull();
    expect(await history(idle)).toBe(0);
    expect(await conversation(closedEarly.conversationId)).toBeNull();
    expect(await server.app.handoffStore.getCase(closedEarly.case.id)).toBeNull();
    expect(await server.app.handoffStore.listMessages(closedEarly.case.id)).toEqual([]);

    // An open case keeps its conversation, however quiet; a case closed 11 days ago stays, with its conversation.
    expect(await conversation(stillOpen.conversationId)).not.toBeNull();
    expect((await server.app.handoffStore.getCase(stillOpen.case.id))?.status).toBe('waiting');
    expect((await server.app.handoffStore.getCase(closedLate.case.id))?.status).toBe('closed');
    expect(await conversation(closedLate.conversationId)).not.toBeNull();
    expect(await conversation(recent)).not.toBeNull();
    expect(await history(recent)).toBeGreaterThan(0);

    const [line] = await server.app.handoffStore.listAudit(1);
    expect(line).toMatchObject({ action: 'retention', userId: null, caseId: null, at: clock, detail: { days: 30, cases: 1, conversations: 2 } });

    // Nothing of the deleted ones is left in any table.
    expect(scanSqlite(db.path, [idle, closedEarly.conversationId]).findings).toEqual([]);
    expect(scanSqlite(db.path, [recent, stillOpen.conversationId]).findings).not.toEqual([]);

    // Run again the same day: nothing more to delete, and the line says so.
    expect(await server.app.retention.runOnce()).toEqual({ cases: 0, conversations: 0 });
  });
});

describe('RetentionJob timing', () => {
  const lines: { event: string }[] = [];
  const log: Logger = {
    info: (o) => lines.push(o as { event: string }),
    warn: (o) => lines.push(o as { event: string }),
    error: (o) => lines.push(o as { event: string }),
    child: () => log,
  };

  beforeEach(() => {
    lines.length = 0;
    jest.useFakeTimers({ now: Date.UTC(2025, 0, 6) });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  function job(store = new MemoryStore()) {
    return new RetentionJob({ store, handoffStore: new MemoryHandoffStore(new PlaintextCipher()), days: 90, log });
  }

  test('runs at start, then once a day, and not after stop', async () => {
    const retention = job();
    retention.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(lines.filter((l) => l.event === 'retention')).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(DAY_MS - 1);
    expect(lines.filter((l) => l.event === 'retention')).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(lines.filter((l) => l.event === 'retention')).toHaveLength(2);
    await retention.stop();
    await jest.advanceTimersByTimeAsync(3 * DAY_MS);
    expect(lines.filter((l) => l.event === 'retention')).toHaveLength(2);
  });

  test('a failed run is logged, and the next day’s run goes ahead', async () => {
    const store = new MemoryStore();
    const failing = jest.spyOn(store, 'deleteIdleConversations').mockRejectedValueOnce(new Error('database is locked'));
    const retention = job(store);
    retention.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(lines.map((l) => l.event)).toEqual(['retention-failed']);
    await jest.advanceTimersByTimeAsync(DAY_MS);
    expect(lines.map((l) => l.event)).toEqual(['retention-failed', 'retention']);
    expect(failing).toHaveBeenCalledTimes(2);
    await retention.stop();
  });

  test('stop waits for a run in progress, so that the stores can close after it', async () => {
    const store = new MemoryStore();
    let release!: () => void;
    jest.spyOn(store, 'deleteIdleConversations').mockImplementationOnce(
      () => new Promise<number>((resolve) => (release = () => resolve(0))),
    );
    const retention = job(store);
    retention.start();
    await jest.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = retention.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(lines.map((l) => l.event)).toEqual(['retention']);
  });
});
