import type { WhatsAppCloudChannel } from '../../src/channels/whatsapp-cloud/channel';
import type { AlertView } from '../../src/alerts/sender';
import { FakeGraphApi } from '../channels/whatsapp-cloud/fake-graph-api';
import { SETTINGS, cloudEnv } from '../channels/whatsapp-cloud/harness';
import { english } from '../support';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { addUser, loggedIn } from '../handoff/console-support';
import { WhatsAppPerson } from '../handoff/people';
import { alertWhen, subscribe } from './alert-support';

const HOUR = 3_600_000;
const TEXT = 'Heatwave in Doha this week: drink water often and rest in the shade at midday.';

let db: TempDatabase;
let graph: FakeGraphApi;
let server: RunningApp;
let clock: number;

beforeEach(async () => {
  graph = new FakeGraphApi(SETTINGS.phoneNumberId);
  await graph.start();
  db = tempDatabase();
  clock = Date.now();
  server = await startApp(db.path, {
    env: cloudEnv(graph),
    app: { clock: () => clock, outboxPollMs: 100 },
  });
});

afterEach(async () => {
  await server.close();
  await graph.stop();
  db.remove();
});

/**
 * A WhatsApp user of their own. Every WhatsAppPerson numbers its message ids
 * from the same start, and the bot de-duplicates on them: each gets a range
 * of its own, as WhatsApp's ids would be.
 */
function whatsApp(waId: string, first: number): WhatsAppPerson {
  const person = new WhatsAppPerson(server.url, graph, server.app.channels.find((c) => c.name === 'whatsapp-cloud') as WhatsAppCloudChannel, () => clock, waId);
  (person as unknown as { n: number }).n = first;
  return person;
}

test('on WhatsApp Cloud, a subscriber past the 24-hour window gets the template first, and the alert when they write', async () => {
  const org = await server.app.handoff.ensureDefaultOrganisation();
  await addUser(server.app, org, 'admin@redcross.example', 'admin');
  const quiet = whatsApp('97455500001', 0);
  await quiet.say('hello');
  await subscribe(server.app, quiet, 'QA', 'en');
  clock += 25 * HOUR;
  const recent = whatsApp('97455500002', 1000);
  await recent.say('hello');
  await subscribe(server.app, recent, 'QA', 'en');
  await Promise.all([quiet.news(), recent.news()]);
  // Signed in now: a session started before the clock moved on would have run out.
  const admin = await loggedIn(server.url, 'admin@redcross.example');

  const res = await admin.post<{ alert: AlertView }>('/alerts', { countries: ['QA'], texts: { en: TEXT }, flow: 'contacts' });
  expect(res.status).toBe(201);
  await alertWhen(admin, res.body.alert.id, (a) => a.status === 'done');
  await server.app.alertSender.loop.idle();

  const line = english('alerts:broadcast', { organisation: org.name, text: TEXT });
  expect((await recent.news()).map((s) => s.text)).toEqual([line]);
  expect(await quiet.news()).toEqual([{ text: '', payloads: [], template: server.app.config.WHATSAPP_CLOUD_TEMPLATE_NAME }]);
  // Writing again opens the window: the held alert comes first.
  const seen = await quiet.say('hi');
  expect(seen[0]?.text).toBe(line);
});
