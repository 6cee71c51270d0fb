import { randomUUID } from 'node:crypto';
import { PACKING_STEPS } from '../../flows/packing/steps';
import { createStaffUser } from '../../src/handoff/staff';
import type { Organisation } from '../../src/handoff/types';
import type { InsightCount } from '../../src/insight/store';
import { SqliteInsightStore } from '../../src/store/insight-sqlite';
import { SqliteStore } from '../../src/store/sqlite';
import { ConsoleClient, PASSWORD, addOrganisation } from '../handoff/console-support';
import { scanSqlite } from '../privacy/scan';
import { postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const DAY = '2026-03-14';
const MINUTE = 60_000;

/** A person on the web chat, over real HTTP, who keeps everything they typed (the scan looks for it). */
class Person {
  readonly conversationId = randomUUID();
  readonly typed: string[] = [];

  constructor(
    private readonly url: string,
    private readonly locale = 'en-GB',
  ) {}

  say(text: string): Promise<{ payload: string }[]> {
    this.typed.push(text);
    return this.post({ text });
  }

  press(payload: string): Promise<{ payload: string }[]> {
    return this.post({ payload });
  }

  private async post(body: { text?: string; payload?: string }): Promise<{ payload: string }[]> {
    const res = await postJson<{ replies: { buttons?: { payload: string }[] }[] }>(`${this.url}/api/webchat/messages`, {
      conversationId: this.conversationId,
      messageId: randomUUID(),
      locale: this.locale,
      ...body,
    });
    if (res.status !== 200) throw new Error(`web chat answered ${res.status}`);
    return res.body.replies.flatMap((r) => r.buttons ?? []);
  }
}

let db: TempDatabase;
let server: RunningApp;
let clock: number;
let singapore: Organisation;
let fallback: Organisation;
const people: Person[] = [];
let caseworkerText: string;

/**
 * The script: four people on one day. Ana (in Singapore, from Nepal) reads
 * the packing checklist to the end; Budi opens the passport topic and goes
 * back to the menu midway; Chandra's first words are a danger word; Dara
 * asks for a caseworker, says yes, and is answered 7 minutes later.
 */
beforeAll(async () => {
  db = tempDatabase();
  clock = Date.parse(`${DAY}T09:00:00Z`);
  server = await startApp(db.path, { app: { clock: () => clock } });
  singapore = await addOrganisation(server.app, 'Singapore Red Cross', ['SG']);
  fallback = await server.app.handoff.ensureDefaultOrganisation();

  const ana = new Person(server.url);
  people.push(ana);
  await ana.say('Hello there, I am Ana');
  await ana.press('situation.here:SG');
  await ana.press('situation.from:NP');
  await ana.press('menu.audience:preparing');
  await ana.press('topic.open:packing');
  await ana.press('answer.yes');
  for (let i = 0; i < PACKING_STEPS.length; i++) await ana.press('nav.next');
  // A second visit the same day: Ana's language and countries must still count once.
  await ana.say('Good morning again');

  const budi = new Person(server.url);
  people.push(budi);
  await budi.say('Hi, Budi here');
  await budi.press('situation.skip');
  await budi.press('situation.skip');
  await budi.press('menu.audience:abroad');
  await budi.press('topic.open:passport');
  await budi.press('cmd.menu');

  const chandra = new Person(server.url);
  people.push(chandra);
  await chandra.say('please help');

  const dara = new Person(server.url);
  people.push(dara);
  await dara.say('Hello, Dara speaking');
  await dara.press('situation.skip');
  await dara.press('situation.skip');
  const offered = await dara.press('handoff.offer:passport');
  expect(offered.map((b) => b.payload)).toContain('handoff.consent.yes:passport');
  await dara.press('handoff.consent.yes:passport');
  const c = await server.app.handoffStore.openCaseOf(`webchat:${dara.conversationId}`);
  if (!c) throw new Error('no case was opened');
  await dara.say('My employer took my passport last week');

  clock += 7 * MINUTE;
  await createStaffUser(
    server.app.handoffStore,
    { email: 'cw@redcross.example', name: 'Caseworker', password: PASSWORD, role: 'caseworker', organisationId: c.organisationId },
    clock,
  );
  const inbox = new ConsoleClient(server.url);
  expect((await inbox.login('cw@redcross.example')).status).toBe(200);
  caseworkerText = 'We can help you get your passport back';
  expect((await inbox.post(`/cases/${c.id}/reply`, { text: caseworkerText })).status).toBe(200);
  clock += 3 * MINUTE;
  expect((await inbox.post(`/cases/${c.id}/reply`, { text: 'Are you safe now?' })).status).toBe(200);

  // Closing writes what is still buffered.
  await server.close();
}, 60_000);

afterAll(() => {
  db.remove();
});

/** The counts as stored, read back from the file on a connection of their own. */
async function countsOf(org: Organisation): Promise<[string, string, number][]> {
  const owner = new SqliteStore(db.path);
  try {
    const counts: InsightCount[] = await new SqliteInsightStore(owner.database).counts(org.id, DAY, DAY);
    return counts.map((c) => [c.metric, c.dimension, c.count]);
  } finally {
    await owner.close();
  }
}

test('the counts after the script are exactly what the four people did, per organisation', async () => {
  // Ana's turns from "I am in Singapore" on go to the organisation serving it: where she is from was
  // not said yet on that turn (unknown), then was (NP); her second visit adds nothing the same day.
  expect(await countsOf(singapore)).toEqual([
    ['country.current', 'SG', 1],
    ['country.origin', 'NP', 1],
    ['country.origin', 'unknown', 1],
    ['flow.finished', 'packing', 1],
    ['flow.finished', 'situation', 1],
    ['flow.started', 'packing', 1],
    ['language.used', 'en', 1],
  ]);
  // The rest goes to the default organisation: everyone's first turn (Ana's too, before she said where she is),
  // and all of Budi, Chandra and Dara. Chandra's danger word came before any welcome, so no situation question;
  // the caseworker's second reply is not a first reply.
  expect(await countsOf(fallback)).toEqual([
    ['case.first_reply', '5-15', 1],
    ['case.opened', 'passport/normal', 1],
    ['conversation.started', '', 4],
    ['country.current', 'unknown', 4],
    ['country.origin', 'unknown', 4],
    ['flow.finished', 'situation', 2],
    ['flow.left', 'passport/law', 1],
    ['flow.started', 'passport', 1],
    ['flow.started', 'situation', 3],
    ['language.used', 'en', 4],
    ['sos.raised', '', 1],
  ]);
});

test('no row of the insight tables holds a message text or a user id, and pseudonyms are not user ids', async () => {
  const texts = [...people.flatMap((p) => p.typed), caseworkerText];
  const ids = people.map((p) => p.conversationId);
  const scan = scanSqlite(db.path, [...texts, ...ids]);
  expect(scan.tables).toEqual(expect.arrayContaining(['insight_counts', 'insight_seen']));
  expect(scan.findings.filter((f) => f.where.includes(' insight_'))).toEqual([]);
  // The scan does see texts and ids where they are kept (the conversations), so it is looking.
  expect(scan.findings.some((f) => f.where.startsWith('sqlite conversations.'))).toBe(true);

  const owner = new SqliteStore(db.path);
  try {
    const marks = owner.database.prepare('SELECT DISTINCT pseudonym FROM insight_seen').pluck().all() as string[];
    // One pseudonym per person who typed (the caseworker's writes mark no one).
    expect(marks).toHaveLength(people.length);
    for (const mark of marks) {
      expect(mark).toMatch(/^[A-Za-z0-9_-]{43}$/);
      for (const id of ids) expect(mark.includes(id) || id.includes(mark)).toBe(false);
    }
  } finally {
    await owner.close();
  }
});
