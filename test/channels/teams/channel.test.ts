import type { Activity } from 'botbuilder';
import pino from 'pino';
import { createTeams } from '../../../src/channels/teams/adapter';
import type { TeamsChannel } from '../../../src/channels/teams/channel';
import { MemoryStore } from '../../../src/store/memory';
import { english } from '../../support';
import { startApp, tempDatabase } from '../../support/server';
import { FakeConnector } from './connector';

let connector: FakeConnector;

beforeEach(async () => {
  connector = new FakeConnector();
  await connector.start();
});

afterEach(() => connector.stop());

const ref = { channel: 'teams', conversationId: 'a:1Xk9-personal', userId: '29:user' };
const silent = pino({ level: 'silent' });

const activity = (over: Record<string, unknown> = {}): Partial<Activity> =>
  ({
    type: 'message',
    id: '1764520812345',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:user', name: 'Ana' },
    recipient: { id: '28:bot', name: 'Virtual Volunteer' },
    conversation: { id: 'a:1Xk9-personal', conversationType: 'personal' },
    ...over,
  }) as unknown as Partial<Activity>;

test('send writes proactively to a conversation whose reference was seen', async () => {
  const { channel } = createTeams({ appType: 'MultiTenant' }, new MemoryStore(), silent);
  await channel.references.remember(activity());

  await channel.send(ref, [
    { text: 'A caseworker answered.', locale: 'en', dir: 'ltr' },
    { text: 'Anything else?', locale: 'en', dir: 'ltr', buttons: [{ label: 'Menu', payload: 'cmd.menu' }] },
  ]);
  expect(connector.sent.map((s) => [s.conversationId, s.activity.text])).toEqual([
    ['a:1Xk9-personal', 'A caseworker answered.'],
    ['a:1Xk9-personal', 'Anything else?'],
  ]);
  expect(connector.sent[1]!.activity.suggestedActions?.actions[0]?.value).toEqual({ payload: 'cmd.menu' });
});

test('send without a known reference fails, so the engine keeps the replies in its outbox', async () => {
  const { channel } = createTeams({ appType: 'MultiTenant' }, new MemoryStore(), silent);
  await expect(channel.send(ref, [{ text: 'hello', locale: 'en', dir: 'ltr' }])).rejects.toThrow(/no conversation reference/);
  expect(connector.sent).toHaveLength(0);
});

test('references are kept in the store under the conversation key and the sender, and erased with the sender', async () => {
  const store = new MemoryStore();
  const { channel } = createTeams({ appType: 'MultiTenant' }, store, silent);
  await channel.references.remember(activity());
  // Without a connector or a sender there is nothing to keep (or to erase later).
  await channel.references.remember(activity({ conversation: { id: 'a:no-url' }, serviceUrl: undefined }));
  await channel.references.remember(activity({ conversation: { id: 'a:no-sender' }, from: undefined }));

  expect(await store.getReference('teams:a:1Xk9-personal')).toMatchObject({
    serviceUrl: connector.url,
    conversation: { id: 'a:1Xk9-personal' },
    user: { id: '29:user' },
  });
  expect(await store.getReference('teams:a:no-url')).toBeNull();
  expect(await store.getReference('teams:a:no-sender')).toBeNull();

  await store.deleteUser('teams', '29:user');
  expect(await channel.references.get('a:1Xk9-personal')).toBeUndefined();
  await expect(channel.send(ref, [{ text: 'hello', locale: 'en', dir: 'ltr' }])).rejects.toThrow(/no conversation reference/);
});

test('the newest reference wins: a conversation moved to another connector is written to there', async () => {
  const store = new MemoryStore();
  const { channel } = createTeams({ appType: 'MultiTenant' }, store, silent);
  await channel.references.remember(activity({ serviceUrl: 'http://127.0.0.1:9/old/' }));
  await channel.references.remember(activity());

  await channel.send(ref, [{ text: 'hello', locale: 'en', dir: 'ltr' }]);
  expect(connector.sent.map((s) => s.activity.text)).toEqual(['hello']);
});

test('a stored value that is not a usable reference counts as none', async () => {
  const store = new MemoryStore();
  const { channel } = createTeams({ appType: 'MultiTenant' }, store, silent);
  await store.saveReference('teams:a:1Xk9-personal', 'teams', '29:user', { conversation: { id: 'a:1Xk9-personal' } }, 1);

  await expect(channel.send(ref, [{ text: 'hello', locale: 'en', dir: 'ltr' }])).rejects.toThrow(/no conversation reference/);
  expect(connector.sent).toHaveLength(0);
});

test('a reference seen by one app instance lets a second one, on the same database, write proactively', async () => {
  const db = tempDatabase();
  const env = { TEAMS_ENABLED: 'true' };
  try {
    const first = await startApp(db.path, { env });
    try {
      const res = await fetch(`${first.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...activity(), text: 'hello', timestamp: new Date().toISOString() }),
      });
      expect(res.status).toBe(200);
      await first.app.engine.idle();
      expect(connector.take().map((s) => s.activity.text)[0]).toBe(english('common:welcome', { language: 'English' }));
    } finally {
      await first.close();
    }

    // A restart: nothing of the first instance is left but the database.
    const second = await startApp(db.path, { env });
    try {
      const teams = second.app.channels.find((c): c is TeamsChannel => c.name === 'teams');
      expect(teams).toBeDefined();
      await teams!.send(ref, [{ text: 'A caseworker answered.', locale: 'en', dir: 'ltr' }]);

      expect(connector.sent.map((s) => [s.conversationId, s.activity.text])).toEqual([
        ['a:1Xk9-personal', 'A caseworker answered.'],
      ]);
    } finally {
      await second.close();
    }
  } finally {
    db.remove();
  }
});
