import { randomUUID } from 'node:crypto';
import { DAY_MS } from '../../src/util/time';
import { settle } from '../privacy/people';
import { postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

/**
 * The alerts step as the app wires it, over the web chat's HTTP API and the
 * SQLite file: subscribing, retention keeping the conversation of someone
 * who asked to hear from us, and "delete my data" taking the subscription.
 */
describe('alerts in the running app', () => {
  const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
  let clock = T0;
  let db: TempDatabase;
  let server: RunningApp;

  beforeAll(async () => {
    db = tempDatabase();
    server = await startApp(db.path, { env: { RETENTION_DAYS: '30' }, app: { clock: () => clock } });
  });

  afterAll(async () => {
    await server.close();
    db.remove();
  });

  const post = async (conversationId: string, body: { text: string } | { payload: string }) => {
    const res = await postJson(`${server.url}/api/webchat/messages`, { conversationId, ...body });
    expect(res.status).toBe(200);
    await settle(server.app);
  };
  const scopes = async (conversationId: string) =>
    (await server.app.subscriptions.listFor(`webchat:${conversationId}`)).map((s) => [s.scope, s.country, s.locale]);

  test('a yes subscribes; retention keeps that conversation however quiet; "delete my data" removes the subscription', async () => {
    const subscriber = randomUUID();
    await post(subscriber, { text: 'hello' });
    await post(subscriber, { payload: 'situation.here:QA' });
    await post(subscriber, { payload: 'situation.from:NP' });
    await post(subscriber, { payload: 'alerts.open' });
    expect(await scopes(subscriber)).toEqual([]);
    await post(subscriber, { payload: 'alerts.subscribe:origin' });
    expect(await scopes(subscriber)).toEqual([['origin', 'NP', 'en']]);

    const quiet = randomUUID();
    await post(quiet, { text: 'hello' });

    clock = T0 + 31 * DAY_MS;
    await server.app.retention.runOnce();
    expect(await server.app.store.getConversation(`webchat:${quiet}`)).toBeNull();
    expect(await server.app.store.getConversation(`webchat:${subscriber}`)).not.toBeNull();
    expect(await scopes(subscriber)).toEqual([['origin', 'NP', 'en']]);

    await post(subscriber, { text: 'delete my data' });
    await post(subscriber, { payload: 'data.erase.confirm' });
    expect(await scopes(subscriber)).toEqual([]);
    expect(await server.app.subscriptions.subscribedKeys()).toEqual([]);
  });
});
