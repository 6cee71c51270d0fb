import { channelContract, type ChannelDriver, type ChannelReply, type MessageHint } from '../../contracts/channel.contract';
import { startApp, tempDatabase } from '../../support/server';
import { FakeConnector, type RecordedActivity } from './connector';

const BOT = { id: '28:bot-id', name: 'Virtual Volunteer' };
const CONVERSATION = 'a:1Xk9-contract-chat';

const payloadOf = (value: unknown): string[] => {
  const payload = (value as { payload?: unknown } | undefined)?.payload;
  return typeof payload === 'string' ? [payload] : [];
};

/** Text and the payloads of its suggested actions and card buttons, as Teams shows them. */
const asReply = ({ activity }: RecordedActivity): ChannelReply => ({
  text: activity.text ?? '',
  choices: [
    ...(activity.suggestedActions?.actions ?? []),
    ...(activity.attachments ?? []).flatMap((a) => a.content.buttons ?? []),
  ].flatMap((a) => payloadOf(a.value)),
});

/**
 * Teams: activities are posted to /api/messages the way the Teams service
 * does, and the replies are the activities the bot sent to the fake connector
 * named by serviceUrl (delivered after /api/messages answers, once the turn is saved).
 */
channelContract('Teams', async (): Promise<ChannelDriver> => {
  const connector = new FakeConnector();
  await connector.start();
  const db = tempDatabase();
  const server = await startApp(db.path, { env: { TEAMS_ENABLED: 'true' } });
  let n = 0;

  const post = async (activity: Record<string, unknown>, hint: MessageHint): Promise<ChannelReply[]> => {
    connector.take();
    const res = await fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        type: 'message',
        id: `1700000000${String(++n).padStart(3, '0')}`,
        channelId: 'msteams',
        serviceUrl: connector.url,
        timestamp: new Date().toISOString(),
        from: { id: '29:1user-aad', name: 'Ana', aadObjectId: '6c3d9b3e-0000-4000-8000-000000000002' },
        recipient: BOT,
        conversation: { id: CONVERSATION, conversationType: 'personal', tenantId: 'tenant-1' },
        channelData: { tenant: { id: 'tenant-1' } },
        locale: hint.locale ?? 'en-US',
        textFormat: 'plain',
        ...activity,
      }),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/api/messages answered ${res.status}`);
    // Answered once saved: the replies reach the connector after.
    await server.app.engine.idle();
    return connector.take().map(asReply);
  };

  return {
    say: (text, hint = {}) => post({ text }, hint),
    // A messageBack press: the payload in value (the text, here the payload too, is then ignored).
    press: (payload, hint = {}) => post({ text: payload, value: { payload } }, hint),
    close: async () => {
      await server.close();
      await connector.stop();
      db.remove();
    },
  };
});
