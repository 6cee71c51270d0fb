import type { App } from '../../src/app';
import { english } from '../support';
import { getJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { WebchatPerson } from '../handoff/people';
import { subscribe } from './alert-support';

const TEXT = 'Cyclone warning for the coast: move inland if you can.';

let db: TempDatabase;
const running: RunningApp[] = [];

beforeEach(() => {
  db = tempDatabase();
});

afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
  db.remove();
});

async function open(): Promise<RunningApp> {
  const r = await startApp(db.path, { env: { ALERT_SEND_BATCH: '2' } });
  running.push(r);
  return r;
}

/** Three web chat subscribers in Bangladesh, speaking English. */
async function subscribers(r: RunningApp): Promise<WebchatPerson[]> {
  const people = [new WebchatPerson(r.url), new WebchatPerson(r.url), new WebchatPerson(r.url)];
  for (const p of people) {
    await p.say('hello');
    await p.news();
    await subscribe(r.app, p, 'BD', 'en');
  }
  return people;
}

/** A broadcast as an instance that crashed right after creating it left it: sending, nobody written down yet. */
async function leftSending(app: App): Promise<{ id: string; organisation: string }> {
  const org = await app.handoff.ensureDefaultOrganisation();
  const now = Date.now();
  await app.broadcasts.create({
    id: 'cyclone-1',
    organisationId: org.id,
    createdBy: 'u-admin',
    countries: ['BD'],
    texts: { en: TEXT },
    flow: null,
    status: 'sending',
    createdAt: now,
    updatedAt: now,
  });
  return { id: 'cyclone-1', organisation: org.name };
}

/** What each person's web chat history holds now. */
const histories = (people: WebchatPerson[]) => Promise.all(people.map(async (p) => (await p.news()).map((s) => s.text)));

test('a broadcast left sending by a stopped instance is sent when the server starts again', async () => {
  const first = await open();
  const people = await subscribers(first);
  await first.app.alertSender.loop.stop();
  const { id, organisation } = await leftSending(first.app);
  await running.shift()!.close();

  const second = await open();
  await second.app.alertSender.loop.idle();

  expect(await second.app.broadcasts.get(id)).toMatchObject({ status: 'done', audienceDone: true });
  expect(await second.app.broadcasts.counts(id)).toEqual({ total: 3, pending: 0, sent: 3, failed: 0 });
  const line = english('alerts:broadcast', { organisation, text: TEXT });
  // The restarted server has another address: each history is read there, whole.
  for (const p of people) {
    const res = await getJson<{ messages: { text: string }[] }>(`${second.url}/api/webchat/messages?conversationId=${p.conversationId}&after=0`);
    expect(res.body.messages.filter((m) => m.text === line)).toHaveLength(1);
  }
});

test('two instances on one database send each recipient one alert between them', async () => {
  const a = await open();
  const b = await open();
  const people = await subscribers(a);
  const { id, organisation } = await leftSending(a.app);

  a.app.alertSender.loop.kick(id);
  b.app.alertSender.loop.kick(id);
  await Promise.all([a.app.alertSender.loop.idle(), b.app.alertSender.loop.idle()]);
  // The one that lost the lease takes over only if the holder stops renewing it; here it finished.
  for (const r of [a, b]) r.app.alertSender.loop.kick(id);
  await Promise.all([a.app.alertSender.loop.idle(), b.app.alertSender.loop.idle()]);

  expect(await a.app.broadcasts.counts(id)).toEqual({ total: 3, pending: 0, sent: 3, failed: 0 });
  const line = english('alerts:broadcast', { organisation, text: TEXT });
  expect(await histories(people)).toEqual([[line], [line], [line]]);
});
