import { randomBytes } from 'node:crypto';
import { alertSender, alertText } from '../../src/handoff/alert-sender';
import type { AlertMonitor } from '../../src/handoff/alerts';
import { AesGcmCipher } from '../../src/handoff/cipher';
import { HandoffEvents } from '../../src/handoff/events';
import { MemoryHandoffStore } from '../../src/store/handoff-memory';
import { FakeConnector } from '../channels/teams/connector';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { MINUTE, PERSONAL, RecordingLogger, T0, alertMonitor, organisation, waitingCase } from './alert-fixtures';
import { FakeWebhook } from './alert-webhook';

const PAYLOAD_KEYS = ['caseId', 'category', 'consoleUrl', 'organisation', 'priority', 'waitingMinutes'];

describe('webhook targets', () => {
  let webhook: FakeWebhook;
  let store: MemoryHandoffStore;
  let log: RecordingLogger;
  let now: number;

  beforeEach(async () => {
    webhook = new FakeWebhook();
    await webhook.start();
    store = new MemoryHandoffStore(new AesGcmCipher(randomBytes(32)));
    log = new RecordingLogger();
    now = T0;
    await store.saveOrganisation(organisation('ph-rc', { kind: 'webhook', url: webhook.url }, 'Philippine Red Cross'));
  });

  afterEach(() => webhook.stop());

  function monitor(sender = alertSender({ log, teams: null, timeoutMs: 200, retryDelaysMs: [10, 20] })): AlertMonitor {
    return alertMonitor({ store, events: new HandoffEvents(log), sender, log, clock: () => now });
  }

  /** An RFL case with personal text in its consent, tracing request and transcript, due for its alert. */
  async function dueCase() {
    const c = waitingCase('ph-rc', 'urgent', T0, 'rfl');
    await store.openCase(c, 'msg-1');
    await store.addMessage({
      caseId: c.id,
      author: 'person',
      userId: null,
      text: PERSONAL.message,
      locale: 'fil',
      sourceId: 'msg-2',
      delivery: null,
      deliveryError: null,
      createdAt: T0 + MINUTE,
    });
    now = T0 + 7 * MINUTE;
    return c;
  }

  test('the webhook receives one JSON POST with the case, organisation, category, priority, waiting time and link, and nothing personal', async () => {
    const c = await dueCase();
    const m = monitor();
    await m.check();
    await m.idle();

    expect(webhook.calls).toHaveLength(1);
    const [call] = webhook.calls;
    expect(call!.path).toBe('/hooks/vv-alerts/s3cr3t-token');
    expect(call!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(call!.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(PAYLOAD_KEYS);
    expect(body).toEqual({
      caseId: c.id,
      organisation: { id: 'ph-rc', name: 'Philippine Red Cross' },
      category: 'rfl',
      priority: 'urgent',
      waitingMinutes: 7,
      consoleUrl: `https://bot.example.org/console/#/cases/${c.id}`,
    });
    for (const personal of ['Ana', 'Maria', 'Reyes', '+63', '+966', 'Riyadh', 'passport', c.ref.userId, c.ref.conversationId, c.conversationKey]) {
      expect(call!.body).not.toContain(personal);
    }
    expect(log.events()).toContain('alert-posted');

    // Only once, however often the monitor looks.
    now += 60 * MINUTE;
    await m.check();
    await m.idle();
    expect(webhook.calls).toHaveLength(1);
  });

  test('a failing webhook is tried again with back-off until it answers', async () => {
    webhook.answer(500, 503, 200);
    await dueCase();
    const m = monitor();
    await m.check();
    await m.idle();
    expect(webhook.calls).toHaveLength(3);
    expect(new Set(webhook.calls.map((c) => c.body)).size).toBe(1);
    expect(log.lines.filter((l) => l.fields.event === 'alert-post-retry').map((l) => l.fields.attempt)).toEqual([1, 2]);
    expect(log.events()).toContain('alert-posted');
    expect(log.events()).not.toContain('alert-post-failed');
  });

  test('a webhook that keeps failing is given up after its retries and logged, without its secret address', async () => {
    webhook.answer(500);
    const c = await dueCase();
    const m = monitor();
    await m.check();
    await m.idle();
    expect(webhook.calls).toHaveLength(3);
    const failed = log.lines.filter((l) => l.fields.event === 'alert-post-failed');
    expect(failed).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ caseId: c.id, target: 'webhook', err: expect.objectContaining({ message: 'webhook answered 500' }) }),
      }),
    ]);
    expect(log.text()).not.toContain('s3cr3t-token');
    expect(log.text()).not.toContain(PERSONAL.message);
    // The alert stands in the inbox all the same.
    expect((await store.getCase(c.id))!.alertedAt).toBe(now);
  });

  test('a webhook that does not answer times out and is retried; a refusal (4xx) is not retried', async () => {
    webhook.answer(null, 204);
    await dueCase();
    let m = monitor();
    await m.check();
    await m.idle();
    expect(webhook.calls).toHaveLength(2);
    expect(log.lines.find((l) => l.fields.event === 'alert-post-retry')?.fields.err).toMatchObject({ message: 'webhook did not answer within 200 ms' });
    expect(log.events()).toContain('alert-posted');

    webhook.answer(404);
    webhook.calls.length = 0;
    await store.openCase(waitingCase('ph-rc', 'urgent', T0), 'msg-3');
    m = monitor();
    await m.check();
    await m.idle();
    expect(webhook.calls).toHaveLength(1);
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', fields: { event: 'alert-post-failed', err: { message: 'webhook answered 404' } } });
  });
});

test('the Teams text names the case, category, priority, waiting time and link in plain English', () => {
  const text = alertText({
    caseId: 'k3Yx9',
    organisation: { id: 'np-rc', name: 'Nepal Red Cross Society' },
    category: 'familyEmergency',
    priority: 'normal',
    waitingMinutes: 61,
    consoleUrl: 'https://bot.example.org/console/#/cases/k3Yx9',
  });
  expect(text).toBe(
    'Case k3Yx9 (family emergency) for Nepal Red Cross Society has waited 61 minutes without a caseworker. ' +
      'Open it in the console: https://bot.example.org/console/#/cases/k3Yx9',
  );
});

describe('the app', () => {
  const STAFF_CHANNEL = '19:caseworker-alerts@thread.tacv2';
  let db: TempDatabase;
  let connector: FakeConnector;
  let webhook: FakeWebhook;
  let server: RunningApp;

  beforeEach(async () => {
    connector = new FakeConnector();
    webhook = new FakeWebhook();
    await Promise.all([connector.start(), webhook.start()]);
    db = tempDatabase();
    server = await startApp(db.path, { env: { TEAMS_ENABLED: 'true', HANDOFF_URGENT_ALERT_MINUTES: '3' } });
  });

  afterEach(async () => {
    await server.close();
    await Promise.all([connector.stop(), webhook.stop()]);
    db.remove();
  });

  /** Adds the bot to the staff's Teams channel, as Teams announces it: its conversation reference is kept. */
  async function addBotToStaffChannel(): Promise<void> {
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'conversationUpdate',
        id: 'f:added-1',
        channelId: 'msteams',
        serviceUrl: connector.url,
        from: { id: '29:team-owner', name: 'Team owner' },
        recipient: { id: '28:bot-id', name: 'Virtual Volunteer' },
        conversation: { id: STAFF_CHANNEL, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
        channelData: { tenant: { id: 'tenant-1' }, team: { id: '19:team@thread.tacv2' }, channel: { id: STAFF_CHANNEL } },
        membersAdded: [{ id: '28:bot-id' }],
      }),
    });
    expect(res.status).toBe(200);
    connector.take();
  }

  test('posts to the Teams channel and the webhook of the organisations, linking to this server’s console', async () => {
    await addBotToStaffChannel();
    const { handoffStore } = server.app;
    await handoffStore.saveOrganisation(organisation('sa-rc', { kind: 'teams', conversationKey: `teams:${STAFF_CHANNEL}` }, 'Saudi Red Crescent'));
    await handoffStore.saveOrganisation(organisation('ph-rc', { kind: 'webhook', url: webhook.url }, 'Philippine Red Cross'));
    const now = Date.now();
    const urgent = waitingCase('sa-rc', 'urgent', now - 3 * MINUTE - 5_000, 'danger');
    const normal = waitingCase('ph-rc', 'normal', now - 61 * MINUTE, 'recruitment');
    const young = waitingCase('sa-rc', 'urgent', now - MINUTE, 'danger');
    for (const c of [urgent, normal, young]) await handoffStore.openCase(c, `m-${c.id}`);

    const raised = await server.app.alerts.check();
    await server.app.alerts.idle();
    expect(raised.map((a) => a.caseId).sort()).toEqual([urgent.id, normal.id].sort());

    const [activity, ...more] = connector.take();
    expect(more).toEqual([]);
    expect(activity!.conversationId).toBe(STAFF_CHANNEL);
    expect(activity!.activity.type).toBe('message');
    expect(activity!.activity.text).toBe(
      `URGENT case ${urgent.id} (danger) for Saudi Red Crescent has waited 3 minutes without a caseworker. ` +
        `Open it in the console: ${server.url}/console/#/cases/${urgent.id}`,
    );

    expect(webhook.calls).toHaveLength(1);
    expect(JSON.parse(webhook.calls[0]!.body)).toEqual({
      caseId: normal.id,
      organisation: { id: 'ph-rc', name: 'Philippine Red Cross' },
      category: 'recruitment',
      priority: 'normal',
      waitingMinutes: 61,
      consoleUrl: `${server.url}/console/#/cases/${normal.id}`,
    });
    for (const personal of ['Ana', '+63', 'Riyadh', PERSONAL.message]) {
      expect(activity!.activity.text).not.toContain(personal);
      expect(webhook.calls[0]!.body).not.toContain(personal);
    }
    expect((await server.app.alerts.check()).length).toBe(0);
  });

  test('a Teams channel the bot was never added to: the alert is raised, the post fails and is logged', async () => {
    const lines: string[] = [];
    const logDb = tempDatabase();
    const logged = await startApp(logDb.path, {
      env: { TEAMS_ENABLED: 'true' },
      log: { level: 'info', destination: { write: (l: string) => lines.push(l) } },
    });
    try {
      await logged.app.handoffStore.saveOrganisation(organisation('sa-rc', { kind: 'teams', conversationKey: 'teams:19:unknown@thread.tacv2' }));
      const c = waitingCase('sa-rc', 'urgent', Date.now() - 6 * MINUTE);
      await logged.app.handoffStore.openCase(c, 'm-1');
      expect(await logged.app.alerts.check()).toHaveLength(1);
      await logged.app.alerts.idle();
      expect(connector.sent).toEqual([]);
      const failed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'alert-post-failed');
      expect(failed).toMatchObject({ caseId: c.id, target: 'teams', err: { message: expect.stringMatching(/not been added/) } });
    } finally {
      await logged.close();
      logDb.remove();
    }
  });
});
