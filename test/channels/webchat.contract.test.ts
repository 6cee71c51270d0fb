import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../../src/conversation/channel';
import { channelContract, type ChannelDriver, type ChannelReply, type MessageHint } from '../contracts/channel.contract';
import { postJson, startApp, tempDatabase } from '../support/server';

/** Web chat: the page's HTTP API; the replies are in the POST's own answer. */
channelContract('web chat', async (): Promise<ChannelDriver> => {
  const db = tempDatabase();
  const server = await startApp(db.path);
  const conversationId = randomUUID();

  const post = async (fields: { text: string } | { payload: string }, hint: MessageHint = {}): Promise<ChannelReply[]> => {
    const res = await postJson<{ replies: OutboundMessage[] }>(`${server.url}/api/webchat/messages`, {
      conversationId,
      messageId: randomUUID(),
      locale: hint.locale ?? 'en-GB',
      ...fields,
    });
    if (res.status !== 200) throw new Error(`web chat answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.replies.map((r) => ({
      text: r.text,
      choices: (r.buttons ?? []).map((b) => b.payload),
    }));
  };

  return {
    say: (text, hint) => post({ text }, hint),
    press: (payload, hint) => post({ payload }, hint),
    close: async () => {
      await server.close();
      db.remove();
    },
  };
});
