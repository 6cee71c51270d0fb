import type { AlertView } from '../../src/alerts/sender';
import type { Organisation, StaffUser } from '../../src/handoff/types';
import { FakeBotApi, telegramWebhookEnv } from '../channels/telegram/fake-bot-api';
import { english } from '../support';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { addOrganisation, addUser, loggedIn, type ConsoleClient } from '../handoff/console-support';
import { TelegramPerson, WebchatPerson, type Person } from '../handoff/people';
import { alertWhen, eventually, subscribe } from './alert-support';

const TELEGRAM_TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const TELEGRAM_SECRET = 'webhook-secret_42';
const FLOOD_EN = 'Flooding in Kathmandu valley: stay away from rivers and call 1149 if you need help.';
const FLOOD_NE = 'काठमाडौं उपत्यकामा बाढी: नदीबाट टाढा बस्नुहोस्, सहयोग चाहिए 1149 मा फोन गर्नुहोस्।';

let db: TempDatabase;
let telegram: FakeBotApi;
let server: RunningApp;
let defaultOrg: Organisation;
let admin: ConsoleClient;

/** One app per test, with Telegram (webhook mode, against the fake Bot API) and the web chat. */
async function start(env: Record<string, string> = {}): Promise<void> {
  telegram = new FakeBotApi(TELEGRAM_TOKEN);
  await telegram.start();
  db = tempDatabase();
  server = await startApp(db.path, {
    env: {
      ...telegramWebhookEnv(telegram, TELEGRAM_TOKEN, TELEGRAM_SECRET),
      ...env,
    },
    app: { outboxPollMs: 100 },
  });
  defaultOrg = await server.app.handoff.ensureDefaultOrganisation();
  await addUser(server.app, defaultOrg, 'admin@redcross.example', 'admin');
  admin = await loggedIn(server.url, 'admin@redcross.example');
}

afterEach(async () => {
  await server.close();
  await telegram.stop();
  db.remove();
});

let chatIds = 500_100;
/**
 * A Telegram user of their own. Every TelegramPerson numbers its updates from
 * the same start, and Telegram's update ids are the message ids the bot
 * de-duplicates on: each gets a range of its own, as Telegram's would be.
 */
function telegramPerson(): TelegramPerson {
  const chatId = chatIds++;
  const person = new TelegramPerson(server, telegram, TELEGRAM_SECRET, chatId);
  (person as unknown as { nextUpdate: number }).nextUpdate = chatId * 1000;
  return person;
}

/** A person who has said hello and subscribed about `country` in `locale`; what the hello brought is read. */
async function subscriber(person: Person, country: string, locale: string): Promise<Person> {
  await person.say('hello');
  await person.news();
  await subscribe(server.app, person, country, locale);
  return person;
}

const alertText = (text: string) => english('alerts:broadcast', { organisation: defaultOrg.name, text });

async function send(body: object): Promise<AlertView> {
  const res = await admin.post<{ alert: AlertView }>('/alerts', body);
  expect(res.status).toBe(201);
  return res.body.alert;
}

describe('composing and sending', () => {
  beforeEach(() => start());

  test('options name the directory’s countries for the default organisation, the bot’s languages and the linkable flows', async () => {
    const res = await admin.get<{ countries: { code: string; name: string }[]; locales: string[]; flows: { id: string; label: string }[] }>(
      '/alerts/options',
    );

    expect(res.status).toBe(200);
    expect(res.body.countries).toEqual(expect.arrayContaining([{ code: 'NP', name: 'Nepal' }, { code: 'MY', name: 'Malaysia' }]));
    expect(res.body.locales).toEqual(expect.arrayContaining(['en', 'ne', 'bn', 'my']));
    expect(res.body.locales).toHaveLength(12);
    expect(res.body.flows).toEqual(
      expect.arrayContaining([
        { id: 'rfl', label: english('alerts:open.rfl') },
        { id: 'familyEmergency', label: english('alerts:open.familyEmergency') },
      ]),
    );
  });

  test('the preview counts who will get it per channel and language, and who speaks a language without text', async () => {
    await subscriber(new WebchatPerson(server.url), 'NP', 'en');
    await subscriber(new WebchatPerson(server.url), 'NP', 'ne');
    await subscriber(telegramPerson(), 'NP', 'en');
    await subscriber(new WebchatPerson(server.url), 'NP', 'hi');
    await subscriber(telegramPerson(), 'MY', 'en');

    const res = await admin.post('/alerts/preview', { countries: ['NP'], texts: { en: FLOOD_EN, ne: FLOOD_NE, bn: '   ' } });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ total: 3, byChannel: { webchat: 2, telegram: 1 }, byLocale: { en: 2, ne: 1 }, withoutText: { hi: 1 } });
    // A preview sends nothing and keeps nothing.
    expect((await admin.get<{ alerts: AlertView[] }>('/alerts')).body.alerts).toEqual([]);
  });

  test('subscribers in the countries get the alert in their own language, on their own channel, with the linked flow', async () => {
    const webEn = await subscriber(new WebchatPerson(server.url), 'NP', 'en');
    const webNe = await subscriber(new WebchatPerson(server.url), 'NP', 'ne');
    const tgEn = await subscriber(telegramPerson(), 'NP', 'en');
    const otherCountry = await subscriber(telegramPerson(), 'MY', 'en');
    const noText = await subscriber(new WebchatPerson(server.url), 'NP', 'hi');
    const notSubscribed = new WebchatPerson(server.url);
    await notSubscribed.say('hello');
    await notSubscribed.news();

    const created = await send({ countries: ['NP'], texts: { en: FLOOD_EN, ne: FLOOD_NE }, flow: 'rfl' });
    expect(created).toMatchObject({ status: 'sending', countries: ['NP'], locales: ['en', 'ne'], flow: 'rfl', total: 3 });
    const done = await alertWhen(admin, created.id, (a) => a.status === 'done' && a.remaining === 0);

    expect(done).toMatchObject({ total: 3, sent: 3, failed: 0, remaining: 0, texts: { en: FLOOD_EN, ne: FLOOD_NE } });
    const [en] = await webEn.news();
    expect(en).toEqual({ text: alertText(FLOOD_EN), payloads: ['flow.start:rfl', 'cmd.menu'] });
    const ne = await webNe.news();
    expect(ne).toHaveLength(1);
    expect(ne[0]!.text).toContain(FLOOD_NE);
    expect(ne[0]!.text).toContain(defaultOrg.name);
    expect(ne[0]!.text).not.toContain('Alert from');
    expect(await tgEn.news()).toEqual([{ text: alertText(FLOOD_EN), payloads: ['flow.start:rfl', 'cmd.menu'] }]);
    expect(await otherCountry.news()).toEqual([]);
    expect(await noText.news()).toEqual([]);
    expect(await notSubscribed.news()).toEqual([]);

    // The link opens the flow.
    const rfl = await webEn.press('flow.start:rfl');
    expect(rfl.length).toBeGreaterThan(0);
    expect((await server.app.store.getConversation(webEn.conversationKey))?.data).toMatchObject({ flow: { id: 'rfl' } });

    // Audited with counts, never the text.
    const audit = await server.app.handoffStore.listAudit(20);
    const line = audit.find((e) => e.action === 'alert.created');
    expect(line?.detail).toEqual({ alert: created.id, countries: 'NP', locales: 'en,ne', total: 3, sent: 0, failed: 0, remaining: 3 });
    expect(JSON.stringify(audit)).not.toContain('Flooding');
  });

  test('lists the organisation’s alerts newest first; another organisation’s are not found', async () => {
    await subscriber(new WebchatPerson(server.url), 'NP', 'en');
    const first = await send({ countries: ['NP'], texts: { en: 'First.' } });
    const second = await send({ countries: ['NP', 'MY'], texts: { en: 'Second.' }, flow: null });
    const nepal = await addOrganisation(server.app, 'Nepal Red Cross Society', ['NP']);
    await addUser(server.app, nepal, 'admin@nrcs.example', 'admin');
    const other = await loggedIn(server.url, 'admin@nrcs.example');

    const list = await admin.get<{ alerts: AlertView[] }>('/alerts');
    expect(list.body.alerts.map((a) => a.id)).toEqual([second.id, first.id]);
    expect((await other.get<{ alerts: AlertView[] }>('/alerts')).body.alerts).toEqual([]);
    expect((await other.get(`/alerts/${first.id}`)).status).toBe(404);
    expect((await other.post(`/alerts/${first.id}/cancel`)).status).toBe(404);
    expect((await admin.get('/alerts/no-such-alert')).status).toBe(404);
  });
});

describe('pausing, resuming and cancelling', () => {
  // One recipient per batch: a pause takes effect after the message being sent.
  beforeEach(() => start({ ALERT_SEND_BATCH: '1' }));

  test('a paused alert stops after the message in flight, and a resumed one sends the rest, skipping who unsubscribed', async () => {
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await subscriber(telegramPerson(), 'NP', 'en'));
    const before = telegram.callsTo('sendMessage').length;
    const release = telegram.hold('sendMessage');

    const created = await send({ countries: ['NP'], texts: { en: FLOOD_EN } });
    await eventually(() => telegram.callsTo('sendMessage').length === before + 1, 'the first alert to reach Telegram');
    const paused = await admin.post<{ alert: AlertView }>(`/alerts/${created.id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.alert.status).toBe('paused');
    release();
    await server.app.alertSender.loop.idle();

    expect(await alertWhen(admin, created.id, () => true)).toMatchObject({ status: 'paused', total: 4, sent: 1, failed: 0, remaining: 3 });
    expect(telegram.callsTo('sendMessage')).toHaveLength(before + 1);
    expect((await admin.post(`/alerts/${created.id}/pause`)).status).toBe(409);

    // The last one leaves meanwhile: the resumed alert rechecks and passes them over.
    const leaver = people[3]!;
    await server.app.subscriptions.remove(leaver.conversationKey);
    const resumed = await admin.post<{ alert: AlertView }>(`/alerts/${created.id}/resume`);
    expect(resumed.status).toBe(200);
    const done = await alertWhen(admin, created.id, (a) => a.status === 'done');

    expect(done).toMatchObject({ total: 4, sent: 3, failed: 1, remaining: 0 });
    for (const p of people.slice(0, 3)) expect((await p.news()).map((s) => s.text)).toEqual([alertText(FLOOD_EN)]);
    expect(await leaver.news()).toEqual([]);
    expect((await admin.post(`/alerts/${created.id}/resume`)).status).toBe(409);
    const actions = (await server.app.handoffStore.listAudit(20)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['alert.created', 'alert.paused', 'alert.resumed']));
  });

  test('a cancelled alert leaves the rest unsent and cannot be resumed', async () => {
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await subscriber(telegramPerson(), 'NP', 'en'));
    const before = telegram.callsTo('sendMessage').length;
    const release = telegram.hold('sendMessage');

    const created = await send({ countries: ['NP'], texts: { en: FLOOD_EN } });
    await eventually(() => telegram.callsTo('sendMessage').length === before + 1, 'the first alert to reach Telegram');
    const cancelled = await admin.post<{ alert: AlertView }>(`/alerts/${created.id}/cancel`);
    expect(cancelled.body.alert.status).toBe('cancelled');
    release();
    await server.app.alertSender.loop.idle();

    expect(await alertWhen(admin, created.id, () => true)).toMatchObject({ status: 'cancelled', total: 3, sent: 1, remaining: 2 });
    expect(telegram.callsTo('sendMessage')).toHaveLength(before + 1);
    expect((await admin.post(`/alerts/${created.id}/resume`)).status).toBe(409);
    expect((await admin.post(`/alerts/${created.id}/cancel`)).status).toBe(409);
    const audit = await server.app.handoffStore.listAudit(20);
    expect(audit.find((e) => e.action === 'alert.cancelled')?.detail).toMatchObject({ alert: created.id, total: 3 });
  });
});

describe('who may send what', () => {
  let nepalAdmin: ConsoleClient;
  let caseworker: StaffUser;

  beforeEach(async () => {
    await start();
    const nepal = await addOrganisation(server.app, 'Nepal Red Cross Society', ['NP']);
    await addUser(server.app, nepal, 'admin@nrcs.example', 'admin');
    nepalAdmin = await loggedIn(server.url, 'admin@nrcs.example');
    caseworker = await addUser(server.app, defaultOrg, 'caseworker@redcross.example');
  });

  test('a change needs the session’s CSRF token, and only admins see or send alerts', async () => {
    expect((await admin.post('/alerts', { countries: ['NP'], texts: { en: 'x' } }, { csrf: null })).status).toBe(403);
    expect((await admin.post('/alerts/preview', { countries: ['NP'], texts: { en: 'x' } }, { csrf: 'wrong' })).status).toBe(403);
    const worker = await loggedIn(server.url, caseworker.email);
    for (const res of [
      await worker.get('/alerts'),
      await worker.get('/alerts/options'),
      await worker.post('/alerts/preview', { countries: ['NP'], texts: { en: 'x' } }),
      await worker.post('/alerts', { countries: ['NP'], texts: { en: 'x' } }),
    ]) {
      expect(res.status).toBe(403);
    }
    expect((await admin.get<{ alerts: unknown[] }>('/alerts')).body.alerts).toEqual([]);
  });

  test('an organisation’s admin may alert only the countries it serves', async () => {
    const options = await nepalAdmin.get<{ countries: { code: string }[] }>('/alerts/options');
    expect(options.body.countries).toEqual([{ code: 'NP', name: 'Nepal' }]);

    const refused = await nepalAdmin.post<{ error: string }>('/alerts', { countries: ['NP', 'MY'], texts: { en: 'x' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('countries.1: is not a country your organisation may alert');
    expect((await nepalAdmin.post('/alerts', { countries: ['NP'], texts: { en: 'x' } })).status).toBe(201);
  });

  test('refuses a draft without text, with a text too long, in a language the bot does not speak or with an unknown flow', async () => {
    const bad = [
      { countries: ['NP'], texts: {} },
      { countries: ['NP'], texts: { en: '  ', ne: '' } },
      { countries: ['NP'], texts: { en: 'x'.repeat(1001) } },
      { countries: ['NP'], texts: { fr: 'Inondations' } },
      { countries: ['NP'], texts: { en: 'x' }, flow: 'passport-office' },
      { countries: [], texts: { en: 'x' } },
      { countries: ['np'], texts: { en: 'x' } },
      { countries: ['ZZ'], texts: { en: 'x' } },
      { countries: ['NP'], texts: { en: 'x' }, extra: true },
    ];
    for (const body of bad) {
      const res = await admin.post<{ error: string }>('/alerts', body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
    }
    expect((await admin.get<{ alerts: unknown[] }>('/alerts')).body.alerts).toEqual([]);
    expect((await admin.post('/alerts', { countries: ['NP'], texts: { en: 'x'.repeat(1000) } })).status).toBe(201);
  });
});

describe('rate limits', () => {
  const PER_SECOND = 4;
  beforeEach(() => start({ TELEGRAM_MAX_PER_SECOND: String(PER_SECOND) }));

  test('an alert to many Telegram chats goes no faster than TELEGRAM_MAX_PER_SECOND', async () => {
    const people = [];
    for (let i = 0; i < 6; i++) people.push(await subscriber(telegramPerson(), 'NP', 'en'));
    const before = telegram.callsTo('sendMessage').length;

    const created = await send({ countries: ['NP'], texts: { en: FLOOD_EN } });
    await alertWhen(admin, created.id, (a) => a.status === 'done' && a.remaining === 0, 20_000);

    const sent = telegram.callsTo('sendMessage').slice(before);
    expect(sent).toHaveLength(6);
    // One slot per 1/PER_SECOND s: the six sends span at least five slots, whatever the network adds.
    const span = sent[sent.length - 1]!.at - sent[0]!.at;
    expect(span).toBeGreaterThanOrEqual(((sent.length - 1) * 1000) / PER_SECOND - 50);
  });
});
