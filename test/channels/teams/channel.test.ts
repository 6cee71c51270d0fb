import type { Activity } from 'botbuilder';
import pino from 'pino';
import { createTeams } from '../../../src/channels/teams/adapter';
import { ConversationReferences } from '../../../src/channels/teams/channel';
import { FakeConnector } from './connector';

let connector: FakeConnector;

beforeEach(async () => {
  connector = new FakeConnector();
  await connector.start();
});

afterEach(() => connector.stop());

const ref = { channel: 'teams', conversationId: 'a:1Xk9-personal', userId: '29:user' };

test('send writes proactively to a conversation whose reference was seen', async () => {
  const { channel } = createTeams({ appType: 'MultiTenant' }, pino({ level: 'silent' }));
  channel.references.remember({
    type: 'message',
    id: '1764520812345',
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:user', name: 'Ana' },
    recipient: { id: '28:bot', name: 'Virtual Volunteer' },
    conversation: { id: 'a:1Xk9-personal', conversationType: 'personal' },
  } as unknown as Activity);

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
  const { channel } = createTeams({ appType: 'MultiTenant' }, pino({ level: 'silent' }));
  await expect(channel.send(ref, [{ text: 'hello', locale: 'en', dir: 'ltr' }])).rejects.toThrow(/no conversation reference/);
  expect(connector.sent).toHaveLength(0);
});

test('references are bounded: the least recently active conversation is forgotten first', () => {
  const refs = new ConversationReferences(2);
  const seen = (id: string) =>
    refs.remember({ serviceUrl: connector.url, conversation: { id }, channelId: 'msteams' } as unknown as Activity);
  seen('a');
  seen('b');
  seen('a');
  seen('c');
  expect(refs.size).toBe(2);
  expect(refs.get('b')).toBeUndefined();
  expect(refs.get('a')?.serviceUrl).toBe(connector.url);
  expect(refs.get('c')).toBeDefined();
});
