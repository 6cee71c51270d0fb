import { randomBytes } from 'node:crypto';
import type { Alert, AlertMonitor, AlertMonitorOptions, AlertSender } from '../../src/handoff/alerts';
import { AesGcmCipher } from '../../src/handoff/cipher';
import { HandoffEvents } from '../../src/handoff/events';
import type { HandoffEvent } from '../../src/handoff/service';
import type { AlertTarget } from '../../src/handoff/types';
import { MemoryHandoffStore } from '../../src/store/handoff-memory';
import { MINUTE, T0, RecordingLogger, alertMonitor, organisation, waitingCase } from './alert-fixtures';

const WEBHOOK: AlertTarget = { kind: 'webhook', url: 'https://alerts.example.org/hook' };

class RecordingSender implements AlertSender {
  readonly sent: { target: AlertTarget; alert: Alert }[] = [];
  async send(target: AlertTarget, alert: Alert): Promise<void> {
    this.sent.push({ target, alert });
  }
}

let store: MemoryHandoffStore;
let events: HandoffEvents;
let published: HandoffEvent[];
let sender: RecordingSender;
let log: RecordingLogger;
let now: number;

function monitor(over: Partial<AlertMonitorOptions> = {}): AlertMonitor {
  return alertMonitor({ store, events, sender, log, clock: () => now, ...over });
}

beforeEach(async () => {
  store = new MemoryHandoffStore(new AesGcmCipher(randomBytes(32)));
  log = new RecordingLogger();
  events = new HandoffEvents(log);
  published = [];
  events.subscribe((e) => published.push(e));
  sender = new RecordingSender();
  now = T0;
  await store.saveOrganisation(organisation('ph-rc', WEBHOOK, 'Philippine Red Cross'));
  await store.saveOrganisation(organisation('sa-rc', null, 'Saudi Red Crescent'));
});

async function open(organisationId: string, priority: 'urgent' | 'normal', createdAt = T0, category?: Parameters<typeof waitingCase>[3]) {
  const c = waitingCase(organisationId, priority, createdAt, category);
  await store.openCase(c, `msg-${c.id}`);
  return c;
}

test('an urgent case unclaimed for 5 minutes raises one alert: alertedAt, audit, event and the target', async () => {
  const c = await open('ph-rc', 'urgent', T0, 'danger');
  const m = monitor();

  now = T0 + 5 * MINUTE - 1;
  expect(await m.check()).toEqual([]);
  now = T0 + 5 * MINUTE;
  const [alert, ...more] = await m.check();
  expect(more).toEqual([]);
  expect(alert).toEqual({
    caseId: c.id,
    organisation: { id: 'ph-rc', name: 'Philippine Red Cross' },
    category: 'danger',
    priority: 'urgent',
    waitingMinutes: 5,
    consoleUrl: `https://bot.example.org/console/#/cases/${c.id}`,
  });
  await m.idle();

  expect((await store.getCase(c.id))!.alertedAt).toBe(now);
  expect(published).toEqual([{ type: 'case.alert', caseId: c.id, organisationId: 'ph-rc', priority: 'urgent', waitingMinutes: 5 }]);
  expect(sender.sent).toEqual([{ target: WEBHOOK, alert }]);
  const audit = await store.listAudit(10);
  expect(audit).toEqual([
    expect.objectContaining({ at: now, userId: null, action: 'case.alert', caseId: c.id, detail: expect.objectContaining({ priority: 'urgent', waitingMinutes: 5 }) }),
  ]);

  // Still waiting an hour later: no second alert.
  now = T0 + 90 * MINUTE;
  expect(await m.check()).toEqual([]);
  await m.idle();
  expect(sender.sent).toHaveLength(1);
  expect(published).toHaveLength(1);
  expect(await store.listAudit(10)).toHaveLength(1);
});

test('a normal case waits 60 minutes before its alert; the urgent limit does not apply to it', async () => {
  const c = await open('ph-rc', 'normal');
  const m = monitor();
  for (const minutes of [5, 30, 59]) {
    now = T0 + minutes * MINUTE;
    expect(await m.check()).toEqual([]);
  }
  now = T0 + 60 * MINUTE + 30_000;
  expect((await m.check()).map((a) => [a.caseId, a.priority, a.waitingMinutes])).toEqual([[c.id, 'normal', 60]]);
  now = T0 + 200 * MINUTE;
  expect(await m.check()).toEqual([]);
  expect(published.map((e) => e.caseId)).toEqual([c.id]);
});

test('the time limits come from the settings', async () => {
  const urgent = await open('ph-rc', 'urgent');
  const normal = await open('ph-rc', 'normal');
  const m = monitor({ urgentMinutes: 2, normalMinutes: 10 });
  now = T0 + 2 * MINUTE;
  expect((await m.check()).map((a) => a.caseId)).toEqual([urgent.id]);
  now = T0 + 10 * MINUTE;
  expect((await m.check()).map((a) => a.caseId)).toEqual([normal.id]);
});

test('claimed and closed cases never alert, however long they wait', async () => {
  const claimed = await open('ph-rc', 'urgent');
  const closed = await open('ph-rc', 'normal');
  await store.updateCase(claimed.id, { status: 'assigned', assignedTo: 'staff-1' });
  await store.updateCase(closed.id, { status: 'closed', closedAt: T0 + MINUTE, closedBy: 'person' });
  now = T0 + 24 * 60 * MINUTE;
  expect(await monitor().check()).toEqual([]);
  expect(published).toEqual([]);
  expect(sender.sent).toEqual([]);
  expect(await store.listAudit(10)).toEqual([]);
});

test('a case claimed between the look and the alert is not alerted', async () => {
  const c = await open('ph-rc', 'urgent');
  // The claim lands while the monitor holds the list it read.
  const racing = Object.create(store) as MemoryHandoffStore;
  racing.unalertedWaiting = async (limit) => {
    const list = await store.unalertedWaiting(limit);
    await store.updateCase(c.id, { status: 'assigned', assignedTo: 'staff-1' });
    return list;
  };
  now = T0 + 10 * MINUTE;
  expect(await monitor({ store: racing }).check()).toEqual([]);
  expect(published).toEqual([]);
  expect((await store.getCase(c.id))!.alertedAt).toBeNull();
});

test('two instances checking at the same moment raise one alert per case between them', async () => {
  const cases = [await open('ph-rc', 'urgent'), await open('sa-rc', 'normal'), await open('ph-rc', 'normal')];
  now = T0 + 61 * MINUTE;
  const [a, b] = await Promise.all([monitor().check(), monitor().check()]);
  expect([...a!, ...b!].map((x) => x.caseId).sort()).toEqual(cases.map((c) => c.id).sort());
  expect(published.map((e) => e.caseId).sort()).toEqual(cases.map((c) => c.id).sort());
  expect(await store.listAudit(10)).toHaveLength(3);
});

test('an organisation without a target is alerted in the inbox only; the audit and event say no more than ids', async () => {
  const c = await open('sa-rc', 'urgent', T0, 'rfl');
  now = T0 + 6 * MINUTE;
  await monitor().check();
  expect(sender.sent).toEqual([]);
  expect(published).toEqual([expect.objectContaining({ type: 'case.alert', caseId: c.id, organisationId: 'sa-rc' })]);
  const stored = JSON.stringify([await store.listAudit(10), published, log.lines]);
  for (const personal of ['Ana', 'Maria', '+63', '+966', 'Riyadh', c.ref.userId, c.ref.conversationId]) {
    expect(stored).not.toContain(personal);
  }
});

test('a failed post is logged and does not undo the alert or stop the others', async () => {
  const first = await open('ph-rc', 'urgent');
  const second = await open('ph-rc', 'urgent');
  const failing: AlertSender = {
    send: async (_target, alert) => {
      if (alert.caseId === first.id) throw new Error('webhook answered 500');
      sender.sent.push({ target: _target, alert });
    },
  };
  now = T0 + 5 * MINUTE;
  const m = monitor({ sender: failing });
  expect(await m.check()).toHaveLength(2);
  await m.idle();
  expect(sender.sent.map((s) => s.alert.caseId)).toEqual([second.id]);
  expect(log.lines.filter((l) => l.fields.event === 'alert-post-failed')).toEqual([
    expect.objectContaining({ level: 'error', fields: expect.objectContaining({ caseId: first.id, target: 'webhook' }) }),
  ]);
  expect((await store.getCase(first.id))!.alertedAt).toBe(now);
  expect(await m.check()).toEqual([]);
});

test('started, it checks on its own every interval until stopped; a failing check is logged', async () => {
  const c = await open('ph-rc', 'urgent');
  now = T0 + 5 * MINUTE;
  let failOnce = true;
  const flaky = Object.create(store) as MemoryHandoffStore;
  flaky.unalertedWaiting = async (limit) => {
    if (failOnce) {
      failOnce = false;
      throw new Error('database is locked');
    }
    return store.unalertedWaiting(limit);
  };
  const m = monitor({ store: flaky, intervalMs: 5 });
  m.start();
  try {
    await waitFor(() => published.length === 1);
  } finally {
    await m.stop();
  }
  expect(published[0]).toMatchObject({ caseId: c.id });
  expect(log.events()).toContain('alert-check-failed');

  // Stopped: a newly due case waits for the next start.
  const later = await open('ph-rc', 'urgent', now);
  now += 6 * MINUTE;
  await new Promise((r) => setTimeout(r, 30));
  expect(published).toHaveLength(1);
  expect((await store.getCase(later.id))!.alertedAt).toBeNull();
});

test('stop gives up a post still being retried', async () => {
  await open('ph-rc', 'urgent');
  now = T0 + 5 * MINUTE;
  let aborted = false;
  const slow: AlertSender = {
    send: (_target, _alert, signal) =>
      new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      }),
  };
  const m = monitor({ sender: slow });
  await m.check();
  await m.stop();
  expect(aborted).toBe(true);
});

async function waitFor(condition: () => boolean, ms = 2000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
