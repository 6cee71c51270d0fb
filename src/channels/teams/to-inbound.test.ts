import type { Activity } from 'botbuilder';
import { stripBotMention, toInbound } from './to-inbound';

const NOW = 1_700_000_000_000;

/** A personal-chat message as the Teams service POSTs it (ids shortened). */
const personal = {
  text: 'Hello',
  textFormat: 'plain',
  type: 'message',
  timestamp: '2026-11-30T16:40:12.3456789Z',
  localTimestamp: '2026-11-30T17:40:12.3456789+01:00',
  id: '1764520812345',
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  from: { id: '29:1a2b3c-user', name: 'Ana Santos', aadObjectId: '6c3d9b3e-1111-4222-8333-444455556666' },
  conversation: { conversationType: 'personal', tenantId: '72f988bf-0000-0000-0000-000000000000', id: 'a:1Xk9QpersonalChat' },
  recipient: { id: '28:0b1f0a2e-bot', name: 'Virtual Volunteer' },
  entities: [{ locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Paris', type: 'clientInfo' }],
  channelData: { tenant: { id: '72f988bf-0000-0000-0000-000000000000' } },
  locale: 'en-US',
  localTimezone: 'Europe/Paris',
} as unknown as Activity;

/** A group-chat message that @mentions the bot. */
const group = {
  ...personal,
  id: '1764520899999',
  text: '<at>Virtual Volunteer</at> menu please',
  conversation: { conversationType: 'groupChat', isGroup: true, tenantId: 't', id: '19:meeting_abc@thread.v2' },
  entities: [
    {
      type: 'mention',
      text: '<at>Virtual Volunteer</at>',
      mentioned: { id: '28:0b1f0a2e-bot', name: 'Virtual Volunteer' },
    },
    { type: 'clientInfo', locale: 'en-US' },
  ],
} as unknown as Activity;

/** A hero card messageBack press: the label is the text, the payload is in value. */
const cardPress = {
  ...personal,
  id: '1764520900000',
  text: 'I am in danger',
  value: { payload: 'topic.open:danger' },
  channelData: { tenant: { id: 't' }, postBack: true },
} as unknown as Activity;

describe('teams toInbound', () => {
  it('turns a personal message into an inbound message', () => {
    expect(toInbound(personal, NOW)).toEqual({
      channel: 'teams',
      conversationId: 'a:1Xk9QpersonalChat',
      userId: '29:1a2b3c-user',
      messageId: 'a:1Xk9QpersonalChat:1764520812345',
      text: 'Hello',
      locale: 'en-US',
      timestamp: NOW,
    });
  });

  it("removes the bot's mention in group chats, and only the bot's", () => {
    expect(toInbound(group, NOW)?.text).toBe('menu please');
    const other = {
      ...group,
      text: '<at>Ana</at> <at>Virtual Volunteer</at> hi',
      entities: [...(group.entities ?? []), { type: 'mention', text: '<at>Ana</at>', mentioned: { id: '29:ana' } }],
    } as Activity;
    expect(stripBotMention(other).trim()).toBe('<at>Ana</at> hi');
  });

  it('reads the payload of a card button press', () => {
    const inbound = toInbound(cardPress, NOW);
    expect(inbound?.payload).toBe('topic.open:danger');
    expect(inbound?.text).toBeUndefined();
  });

  it('falls back to the text when the value carries no payload (imBack, or another card)', () => {
    const imBack = { ...personal, text: 'Yes', value: { something: 1 } } as Activity;
    expect(toInbound(imBack, NOW)).toMatchObject({ text: 'Yes' });
    expect(toInbound(imBack, NOW)?.payload).toBeUndefined();
  });

  it('ignores what a person did not say: other activity types, empty text, missing ids', () => {
    expect(toInbound({ ...personal, type: 'typing' } as Activity, NOW)).toBeNull();
    expect(toInbound({ ...personal, type: 'conversationUpdate' } as Activity, NOW)).toBeNull();
    expect(toInbound({ ...group, text: '<at>Virtual Volunteer</at>' } as Activity, NOW)).toBeNull();
    expect(toInbound({ ...personal, text: undefined } as unknown as Activity, NOW)).toBeNull();
    expect(toInbound({ ...personal, id: undefined } as unknown as Activity, NOW)).toBeNull();
  });

  it('drops a locale that is not a language tag', () => {
    expect(toInbound({ ...personal, locale: 'not a locale' } as Activity, NOW)?.locale).toBeUndefined();
  });

  it('keeps message ids within the engine limit for long conversation ids (Teams channel threads)', () => {
    const id = `19:${'x'.repeat(190)}@thread.tacv2;messageid=1764520812345`;
    const inbound = toInbound({ ...personal, conversation: { ...personal.conversation, id } } as Activity, NOW);
    expect(inbound?.messageId.length).toBeLessThanOrEqual(200);
    expect(inbound?.messageId.endsWith(':1764520812345')).toBe(true);
  });
});
