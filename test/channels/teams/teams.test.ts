import { english } from '../../support';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../../support/server';
import { FakeConnector, type RecordedActivity } from './connector';

const BOT = { id: '28:bot-id', name: 'Virtual Volunteer' };

/** One Teams user in a personal chat, posting activities the way the Teams service does. */
class TeamsUser {
  private n = 0;
  last: RecordedActivity[] = [];

  constructor(
    private readonly server: RunningApp,
    private readonly connector: FakeConnector,
    readonly conversationId = 'a:1Xk9-personal-chat',
  ) {}

  private base() {
    return {
      channelId: 'msteams',
      serviceUrl: this.connector.url,
      timestamp: new Date().toISOString(),
      from: { id: '29:1user-aad', name: 'Ana', aadObjectId: '6c3d9b3e-0000-4000-8000-000000000001' },
      recipient: BOT,
      conversation: { id: this.conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
      channelData: { tenant: { id: 'tenant-1' } },
      locale: 'en-US',
    };
  }

  /** POSTs an activity to /api/messages; returns the HTTP status and what the connector received. */
  async post(activity: Record<string, unknown>): Promise<number> {
    const status = await this.postOnly(activity);
    // Answered once saved: the replies reach the connector after.
    await this.server.app.engine.idle();
    this.last = this.connector.take();
    return status;
  }

  /** POSTs an activity to /api/messages; returns the HTTP status, without waiting for the replies. */
  async postOnly(activity: Record<string, unknown>): Promise<number> {
    const body = { ...this.base(), id: `1700000000${String(++this.n).padStart(3, '0')}`, ...activity };
    const res = await fetch(`${this.server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  }

  say(text: string, extra: Record<string, unknown> = {}): Promise<number> {
    return this.post({ type: 'message', text, textFormat: 'plain', ...extra });
  }

  /** Presses a messageBack button (card or suggested action) with this label among the last replies. */
  press(label: string): Promise<number> {
    const action = this.last
      .flatMap((r) => [
        ...(r.activity.suggestedActions?.actions ?? []),
        ...(r.activity.attachments ?? []).flatMap((a) => a.content.buttons),
      ])
      .find((a) => a.title === label);
    if (!action) throw new Error(`no button '${label}' in ${JSON.stringify(this.last.map((r) => r.activity))}`);
    expect(action.type).toBe('messageBack');
    return this.say(label, { value: action.value });
  }

  texts(): string[] {
    return this.last.map((r) => r.activity.text ?? '');
  }
}

let db: TempDatabase;
let connector: FakeConnector;
let server: RunningApp;
let user: TeamsUser;

beforeEach(async () => {
  connector = new FakeConnector();
  await connector.start();
  db = tempDatabase();
  server = await startApp(db.path, { env: { TEAMS_ENABLED: 'true' } });
  user = new TeamsUser(server, connector);
});

afterEach(async () => {
  await server.close();
  await connector.stop();
  db.remove();
});

const welcome = () => english('common:welcome', { language: 'English' });

test('the bot added to a chat greets once, through the connector named by serviceUrl', async () => {
  const added = { type: 'conversationUpdate', membersAdded: [{ id: BOT.id }, { id: '29:1user-aad' }] };
  expect(await user.post(added)).toBe(200);
  expect(user.texts()[0]).toBe(welcome());
  expect(user.last.every((r) => r.conversationId === user.conversationId)).toBe(true);
  expect(user.last[0]!.activity.locale).toBe('en');
  // No token without an app id (Emulator mode).
  expect(user.last[0]!.authorization).toBeUndefined();

  // Delivered again (or the bot re-added): no second welcome.
  expect(await user.post(added)).toBe(200);
  expect(user.texts()).not.toContain(welcome());
});

test('a message is answered once it is saved, while the connector still holds its replies', async () => {
  const release = connector.hold();
  try {
    expect(await user.postOnly({ type: 'message', text: 'hi', textFormat: 'plain' })).toBe(200);
    expect(await server.app.store.pendingOutbox(10)).not.toEqual([]);
    // The first may be on its way; none was taken.
    expect(connector.sent.length).toBeLessThanOrEqual(1);
  } finally {
    release();
  }
  await server.app.engine.idle();
  expect(connector.take()[0]?.activity.text).toBe(welcome());
  expect(await server.app.store.pendingOutbox(10)).toEqual([]);
});

test('someone else joining is not greeted; typing and other activities get no answer', async () => {
  expect(await user.post({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone-else' }] })).toBe(200);
  expect(await user.post({ type: 'typing' })).toBe(200);
  expect(await user.post({ type: 'messageReaction', reactionsAdded: [{ type: 'like' }] })).toBe(200);
  expect(connector.sent).toHaveLength(0);
  expect(user.last).toHaveLength(0);
});

test('a first message gets the welcome; a whole flow is walked with typed numbers and button presses', async () => {
  expect(await user.say('hello')).toBe(200);
  expect(user.texts()[0]).toBe(welcome());
  // One choice: a suggested action carrying its payload.
  expect(user.last[0]!.activity.suggestedActions?.actions).toEqual([
    expect.objectContaining({ type: 'messageBack', title: english('common:choice.language'), value: { payload: 'cmd.language' } }),
  ]);

  await user.say('19'); // where are you now: skip (a numbered list: too many countries for buttons)
  await user.say('11'); // where are you from: skip
  expect(user.texts()).toContain(english('menu:prompt'));
  // Six choices: more than Teams shows as suggested actions, so a hero card.
  const menu = user.last.find((r) => r.activity.text === english('menu:prompt'))!;
  expect(menu.activity.suggestedActions).toBeUndefined();
  expect(menu.activity.attachments?.[0]?.contentType).toBe('application/vnd.microsoft.card.hero');
  expect(menu.activity.attachments?.[0]?.content.buttons.length).toBe(6);

  await user.press('I am preparing to go abroad');
  expect(user.texts().join('\n')).toContain('Before you go');
  await user.say('1');
  // Two choices (yes, main menu): suggested actions, each carrying its payload.
  const intro = user.last.find((r) => r.activity.text === english('packing:intro', { total: 8 }))!;
  expect(intro.activity.attachments).toBeUndefined();
  expect(intro.activity.suggestedActions?.actions.map((a) => [a.type, a.title, a.value])).toEqual([
    ['messageBack', english('common:choice.yes'), { payload: 'answer.yes' }],
    ['messageBack', english('common:choice.menu'), { payload: 'cmd.menu' }],
  ]);

  await user.press(english('common:choice.yes'));
  expect(user.texts().join('\n')).toContain(english('packing:documents', { step: 1, total: 8 }));
  await user.press(english('common:choice.next'));
  expect(user.texts().join('\n')).toContain(english('packing:copies', { step: 2, total: 8 }));
});

test('an imBack-style press (the label as text, no value) chooses the same as the payload', async () => {
  await user.say('hello');
  await user.say('19');
  await user.say('11');
  await user.say('I am preparing to go abroad');
  expect(user.texts().join('\n')).toContain('Before you go');
});

test('the same activity id twice gets one reply', async () => {
  const activity = { type: 'message', id: 'dup-1', text: 'hello' };
  expect(await user.post(activity)).toBe(200);
  expect(user.texts()[0]).toBe(welcome());
  expect(await user.post(activity)).toBe(200);
  expect(user.last).toHaveLength(0);
});

test('the bot mention is removed in group chats', async () => {
  const group = new TeamsUser(server, connector, '19:group-chat-id@thread.v2');
  await group.say('<at>Virtual Volunteer</at> hello', {
    conversation: { id: '19:group-chat-id@thread.v2', conversationType: 'groupChat', isGroup: true },
    entities: [{ type: 'mention', text: '<at>Virtual Volunteer</at>', mentioned: BOT }],
  });
  expect(group.texts()[0]).toBe(welcome());
});

test('with an app id set, an activity without a token gets 401 and no reply', async () => {
  // botbuilder itself reports the refusal with console.error.
  const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const securedDb = tempDatabase();
  const secured = await startApp(securedDb.path, {
    env: { MICROSOFT_APP_ID: '00000000-0000-4000-8000-000000000000', MICROSOFT_APP_PASSWORD: 'not-a-secret' },
  });
  try {
    const stranger = new TeamsUser(secured, connector);
    expect(await stranger.say('hello')).toBe(401);
    expect(connector.sent).toHaveLength(0);
    expect(quiet).toHaveBeenCalled();
  } finally {
    quiet.mockRestore();
    await secured.close();
    securedDb.remove();
  }
});

test('without an app id the start-up log says activities are not authenticated; no text or ids are logged', async () => {
  const lines: string[] = [];
  const logDb = tempDatabase();
  const logged = await startApp(logDb.path, {
    env: { TEAMS_ENABLED: 'true' },
    log: { level: 'debug', destination: { write: (l: string) => lines.push(l) } },
  });
  try {
    const person = new TeamsUser(logged, connector, 'a:private-conversation-id');
    await person.say('my passport number is P1234567');
    expect(person.texts()[0]).toBe(welcome());
  } finally {
    await logged.close();
    logDb.remove();
  }
  const log = lines.join('');
  expect(log).toMatch(/"event":"teams-on","auth":"none: MICROSOFT_APP_ID is not set/);
  expect(log).toContain('"route":"/api/messages"');
  expect(log).not.toContain('P1234567');
  expect(log).not.toContain('private-conversation-id');
});

test('a body that is not an activity gets 400; Teams is off unless enabled', async () => {
  const post = (url: string, body: string) =>
    fetch(`${url}/api/messages`, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  for (const body of ['{}', '[]', 'null', '{"type":1}']) {
    const res = await post(server.url, body);
    expect([body, res.status]).toEqual([body, 400]);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_activity');
  }
  expect(connector.sent).toHaveLength(0);
  const offDb = tempDatabase();
  const off = await startApp(offDb.path);
  try {
    expect((await post(off.url, '{"type":"message"}')).status).toBe(404);
  } finally {
    await off.close();
    offDb.remove();
  }
});
