import { randomBytes, randomUUID } from 'node:crypto';
import { PostgresHandoffStore } from '../../src/store/postgres/postgres-handoff-store';
import { PostgresStore } from '../../src/store/postgres/postgres-store';
import { ConsoleClient } from '../handoff/console-support';
import '../support';
import { POSTGRES_URL, describeWithPostgres, tempSchema, type TempSchema } from '../support/postgres';
import { SCRIPT_RUN_MS, runScript } from '../support/run-script';
import { getJson, postJson, startApp, type RunningApp } from '../support/server';

interface Reply {
  text: string;
  seq: number;
}

/** The whole app with DATABASE_URL=postgres://…, as a deployment of several instances runs it. */
describeWithPostgres('the app on PostgreSQL', () => {
  let temp: TempSchema;
  const key = randomBytes(32).toString('hex');
  const running: RunningApp[] = [];

  const start = async (): Promise<RunningApp> => {
    const app = await startApp(POSTGRES_URL, { env: { DATABASE_SCHEMA: temp.schema, DATA_ENCRYPTION_KEY: key } });
    running.push(app);
    return app;
  };

  const say = async (server: RunningApp, conversationId: string, text: string) => {
    const res = await postJson<{ status: string; replies: Reply[] }>(`${server.url}/api/webchat/messages`, {
      conversationId,
      messageId: randomUUID(),
      text,
      locale: 'en',
    });
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeEach(() => {
    temp = tempSchema();
  });

  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
    await temp.drop();
  });

  it('migrates the schema before it listens, and keeps conversations and replies there', async () => {
    const server = await start();
    expect(server.app.store).toBeInstanceOf(PostgresStore);
    expect(server.app.handoffStore).toBeInstanceOf(PostgresHandoffStore);

    const conversationId = randomUUID();
    const hello = await say(server, conversationId, 'hi');

    expect(hello.status).toBe('processed');
    expect(hello.replies).toContainKey('common:welcome', { language: 'English' });
    const stored = await temp.sql<{ key: string; rev: number }>('SELECT key, rev FROM conversations');
    expect(stored).toEqual([{ key: `webchat:${conversationId}`, rev: 1 }]);
    expect(await temp.sql('SELECT seq FROM outbox')).toHaveLength(hello.replies.length);
  });

  it('picks a conversation up on another instance, and after a restart, where it was left', async () => {
    const [one, two] = await Promise.all([start(), start()]);
    const conversationId = randomUUID();
    const hello = await say(one!, conversationId, 'hi');

    const menu = await say(two!, conversationId, 'menu');
    expect(menu.replies).toContainKey('menu:prompt');
    expect(menu.replies[0]!.seq).toBeGreaterThan(hello.replies[hello.replies.length - 1]!.seq);
    expect(await temp.sql('SELECT rev FROM conversations')).toEqual([{ rev: 2 }]);

    await one!.close();
    await two!.close();
    const again = await start();
    const history = await getJson<{ messages: Reply[] }>(
      `${again.url}/api/webchat/messages?conversationId=${conversationId}&after=0`,
    );
    expect(history.body.messages.map((m) => m.text)).toEqual([...hello.replies, ...menu.replies].map((r) => r.text));
  });

  it('lets an admin made by npm run admin:create on the same database log in', async () => {
    const made = await runScript('scripts/admin-create.ts', {
      args: ['--email', 'ana@example.org', '--name', 'Ana Reyes'],
      env: {
        DATABASE_URL: POSTGRES_URL,
        DATABASE_SCHEMA: temp.schema,
        DATA_ENCRYPTION_KEY: key,
        ADMIN_PASSWORD: 'a long enough password',
      },
    });
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);

    const server = await start();
    const login = await new ConsoleClient(server.url).login('ana@example.org', 'a long enough password');
    expect(login.status).toBe(200);
    expect((await server.app.handoffStore.listOrganisations()).map((o) => o.name)).toEqual(['Red Cross Red Crescent caseworkers']);
  }, 2 * SCRIPT_RUN_MS);
});
