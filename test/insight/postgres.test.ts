import { randomBytes, randomUUID } from 'node:crypto';
import { PostgresInsightStore } from '../../src/store/postgres/postgres-insight-store';
import { scanPostgres } from '../privacy/scan';
import { POSTGRES_URL, describeWithPostgres, tempSchema, type TempSchema } from '../support/postgres';
import { postJson, startApp, type RunningApp } from '../support/server';

const DAY = '2026-03-14';

/** Two instances on one PostgreSQL schema, as a deployment behind a load balancer runs them. */
describeWithPostgres('insight counts on PostgreSQL, from two instances', () => {
  let temp: TempSchema;
  const running: RunningApp[] = [];
  const key = randomBytes(32).toString('hex');
  const clock = Date.parse(`${DAY}T12:00:00Z`);

  beforeEach(() => {
    temp = tempSchema();
  });

  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
    await temp.drop();
  });

  it('counts a person who talks to both instances once, and stores nothing they typed', async () => {
    for (let i = 0; i < 2; i++) {
      running.push(await startApp(POSTGRES_URL, { env: { DATABASE_SCHEMA: temp.schema, DATA_ENCRYPTION_KEY: key }, app: { clock: () => clock } }));
    }
    const conversationId = randomUUID();
    const typed = ['Hello from Kuala Lumpur', 'Is anybody there?', 'please help'];
    // Each message to the other instance: the lock is per process here, so one at a time from the test.
    for (const [i, text] of typed.entries()) {
      const res = await postJson(`${running[i % 2]!.url}/api/webchat/messages`, { conversationId, messageId: randomUUID(), text, locale: 'en' });
      expect(res.status).toBe(200);
    }
    const org = await running[0]!.app.handoff.ensureDefaultOrganisation();
    for (const app of running.splice(0)) await app.close();

    const db = temp.open();
    try {
      const counts = (await new PostgresInsightStore(db).counts(org.id, DAY, DAY)).map((c) => [c.metric, c.dimension, c.count]);
      expect(counts).toEqual([
        ['conversation.started', '', 1],
        ['country.current', 'unknown', 1],
        ['country.origin', 'unknown', 1],
        ['flow.started', 'situation', 1],
        ['language.used', 'en', 1],
        ['sos.raised', '', 1],
      ]);
    } finally {
      await db.pool.end();
    }
    const scan = await scanPostgres(temp, [...typed, conversationId]);
    expect(scan.tables).toEqual(expect.arrayContaining(['insight_counts', 'insight_seen']));
    expect(scan.findings.filter((f) => f.where.includes(' insight_'))).toEqual([]);
    expect(scan.findings.some((f) => f.where.startsWith('postgres conversations.'))).toBe(true);
  });
});
