import type { WhatsAppCloudChannel } from '../../src/channels/whatsapp-cloud/channel';
import type { HandoffEvent } from '../../src/handoff/service';
import { createStaffUser } from '../../src/handoff/staff';
import type { Case, Category, StaffUser } from '../../src/handoff/types';
import { FakeConnector } from '../channels/teams/connector';
import { FakeBotApi, telegramWebhookEnv } from '../channels/telegram/fake-bot-api';
import { FakeGraphApi, GRAPH_ERRORS } from '../channels/whatsapp-cloud/fake-graph-api';
import { SETTINGS, cloudEnv } from '../channels/whatsapp-cloud/harness';
import { english } from '../support';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';
import { ConsoleClient, PASSWORD } from './console-support';
import { TeamsPerson, TelegramPerson, WebchatPerson, WhatsAppPerson, type Person, type Seen } from './people';

const TELEGRAM_TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
const TELEGRAM_SECRET = 'webhook-secret_42';
const HOUR = 3_600_000;

/** One app with every channel on, each talking to its fake over real HTTP, on a clock the tests move. */
let db: TempDatabase;
let telegram: FakeBotApi;
let connector: FakeConnector;
let graph: FakeGraphApi;
let server: RunningApp;
let clock: number;
let caseworker: StaffUser;
let organisationName: string;

beforeEach(async () => {
  telegram = new FakeBotApi(TELEGRAM_TOKEN);
  connector = new FakeConnector();
  graph = new FakeGraphApi(SETTINGS.phoneNumberId);
  await Promise.all([telegram.start(), connector.start(), graph.start()]);
  db = tempDatabase();
  clock = Date.now();
  server = await startApp(db.path, {
    env: {
      ...telegramWebhookEnv(telegram, TELEGRAM_TOKEN, TELEGRAM_SECRET),
      TEAMS_ENABLED: 'true',
      ...cloudEnv(graph),
    },
    app: { clock: () => clock, outboxPollMs: 100 },
  });
  // No organisation serves these people's countries: their cases go to the default one.
  const org = await server.app.handoff.ensureDefaultOrganisation();
  organisationName = org.name;
  caseworker = await createStaffUser(
    server.app.handoffStore,
    { email: 'caseworker@redcross.example', name: 'Caseworker', password: PASSWORD, role: 'caseworker', organisationId: org.id },
    clock,
  );
});

afterEach(async () => {
  await server.close();
  await Promise.all([telegram.stop(), connector.stop(), graph.stop()]);
  db.remove();
});

const whatsApp = () =>
  new WhatsAppPerson(server.url, graph, server.app.channels.find((c) => c.name === 'whatsapp-cloud') as WhatsAppCloudChannel, () => clock);

const texts = (seen: Seen[]) => seen.map((s) => s.text);
const replyText = (text: string) => english('handoff:reply', { organisation: organisationName, text });

/**
 * The consent path as the person walks it: an offer of a caseworker, the
 * explanation with a yes among its buttons, the yes. Resolves to the case
 * opened for them.
 */
async function raiseCase(person: Person, category: Category): Promise<Case> {
  await person.say('hello');
  expect(await server.app.handoffStore.openCaseOf(person.conversationKey)).toBeNull();

  const explained = await person.press(`handoff.offer:${category}`);
  expect(texts(explained)).toContain(english('handoff:consent.explain', { organisation: organisationName }));
  const yes = `handoff.consent.yes:${category}`;
  expect(explained.flatMap((s) => s.payloads)).toContain(yes);
  // Explaining opens nothing.
  expect(await server.app.handoffStore.openCaseOf(person.conversationKey)).toBeNull();

  const opened = await person.press(yes);
  // The default organisation answers within the hour, and the emergency numbers come with it.
  expect(texts(opened).join('\n')).toContain(english('handoff:opened', { organisation: organisationName, time: english('handoff:time.hour') }));
  const c = await server.app.handoffStore.openCaseOf(person.conversationKey);
  expect(c).toMatchObject({ category, status: 'waiting', ref: { channel: person.channel } });
  return c!;
}

/** The person writes during the case: it reaches the transcript, and the bot says nothing. */
async function writesToCase(person: Person, c: Case, text: string): Promise<void> {
  expect(await person.say(text)).toEqual([]);
  const lines = await server.app.handoffStore.listMessages(c.id);
  expect(lines.filter((l) => l.author === 'person').map((l) => l.text)).toContain(text);
}

test('a web chat user gets the caseworker’s reply in the conversation’s history', async () => {
  const person = new WebchatPerson(server.url);
  const c = await raiseCase(person, 'passport');
  await person.news();
  await writesToCase(person, c, 'My employer keeps my passport.');

  const line = await server.app.handoff.reply(caseworker, c.id, 'I can help. Where do you work?');
  expect(line).toMatchObject({ author: 'caseworker', delivery: 'delivered', deliveryError: null });
  expect(texts(await person.news())).toEqual([replyText('I can help. Where do you work?')]);
});

test('a Telegram user gets the caseworker’s reply through the Bot API', async () => {
  const person = new TelegramPerson(server, telegram, TELEGRAM_SECRET);
  const c = await raiseCase(person, 'recruitment');
  await writesToCase(person, c, 'The agency wants more money.');

  const line = await server.app.handoff.reply(caseworker, c.id, 'How much did they ask for?');
  expect(line.delivery).toBe('delivered');
  expect(texts(await person.news())).toEqual([replyText('How much did they ask for?')]);
});

test('a Teams user gets the caseworker’s reply proactively, through the stored conversation reference', async () => {
  const person = new TeamsPerson(server, connector);
  const c = await raiseCase(person, 'wellbeing');
  await writesToCase(person, c, 'I cannot sleep.');

  const line = await server.app.handoff.reply(caseworker, c.id, 'I am here. Can we talk now?');
  expect(line.delivery).toBe('delivered');
  expect(texts(await person.news())).toEqual([replyText('I am here. Can we talk now?')]);
});

test('a WhatsApp Cloud user past the 24-hour window gets the template, then the reply when they write again', async () => {
  const person = whatsApp();
  const c = await raiseCase(person, 'familyEmergency');
  await writesToCase(person, c, 'My mother is in hospital at home.');

  // The person last wrote more than 24 hours ago: WhatsApp allows only an approved template.
  clock += 25 * HOUR;
  const line = await server.app.handoff.reply(caseworker, c.id, 'I have news from the hospital.');
  expect(line.delivery).toBe('delivered');
  const [template, ...rest] = await person.news();
  expect(rest).toEqual([]);
  expect(template).toEqual({ text: '', payloads: [], template: server.app.config.WHATSAPP_CLOUD_TEMPLATE_NAME });

  // Writing again opens the window: the held reply comes first; the message goes to the caseworker.
  const seen = await person.say('I am here now.');
  expect(texts(seen)).toEqual([replyText('I have news from the hospital.')]);
  const lines = await server.app.handoffStore.listMessages(c.id);
  expect(lines.filter((l) => l.author === 'person').map((l) => l.text)).toEqual(['My mother is in hospital at home.', 'I am here now.']);
});

test('every channel at once: four people, four cases, each reply reaches only its own person', async () => {
  const people: Person[] = [new WebchatPerson(server.url), new TelegramPerson(server, telegram, TELEGRAM_SECRET), new TeamsPerson(server, connector), whatsApp()];
  const cases = [];
  for (const person of people) cases.push(await raiseCase(person, 'other'));
  for (const person of people) await person.news();
  expect(new Set(cases.map((c) => c.id)).size).toBe(4);

  for (const [i, c] of cases.entries()) await server.app.handoff.reply(caseworker, c.id, `Reply number ${i + 1}.`);
  for (const [i, person] of people.entries()) expect(texts(await person.news())).toEqual([replyText(`Reply number ${i + 1}.`)]);
});

test('a reply the channel does not take is shown failed in the inbox, and retried until delivered', async () => {
  const person = whatsApp();
  const c = await raiseCase(person, 'passport');
  await person.news();
  const events: HandoffEvent[] = [];
  server.app.handoff.subscribe((e) => events.push(e));
  const inbox = new ConsoleClient(server.url);
  expect((await inbox.login(caseworker.email)).status).toBe(200);

  // Graph answers 500 to the first attempt (and the client's own two retries), then to the outbox's first retry.
  graph.queue(...Array.from({ length: 6 }, () => GRAPH_ERRORS.serverError));
  const line = await server.app.handoff.reply(caseworker, c.id, 'Please keep a copy of your contract.');
  expect(line.delivery).toBe('failed');
  expect(line.deliveryError).toEqual(expect.any(String));
  expect(await person.news()).toEqual([]);

  const shown = await inbox.get<{ messages: { id: number; delivery: string | null; deliveryError: string | null }[] }>(`/cases/${c.id}`);
  expect(shown.status).toBe(200);
  expect(shown.body.messages.find((m) => m.id === line.id)).toMatchObject({ delivery: 'failed', deliveryError: expect.any(String) });

  // The outbox tries again after each back-off (the clock moves on here); once Graph answers, the reply arrives and the line says so.
  await waitFor(async () => {
    clock += 5_000;
    return (await server.app.handoffStore.listMessages(c.id)).find((m) => m.id === line.id)?.delivery === 'delivered';
  });
  expect(texts(await person.news())).toEqual([replyText('Please keep a copy of your contract.')]);
  const after = await inbox.get<{ messages: { id: number; delivery: string | null; deliveryError: string | null }[] }>(`/cases/${c.id}`);
  expect(after.body.messages.find((m) => m.id === line.id)).toMatchObject({ delivery: 'delivered', deliveryError: null });
  expect(graph.calls.filter((call) => call.wamid === null).length).toBe(6);
  expect(events.filter((e) => e.type === 'message.delivery').map((e) => (e.type === 'message.delivery' ? e.state : null))).toEqual(['failed', 'delivered']);
});

async function waitFor(condition: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}
