import { channelContract, type ChannelDriver, type ChannelReply, type MessageHint } from '../../contracts/channel.contract';
import { LIMITS } from '../../../src/channels/whatsapp-cloud/to-outbound';
import { shown, startCloud } from './harness';
import { buttonReply, text, type MessageContent, type Sender } from './payloads';

/**
 * WhatsApp reports no language: the bot's first guess comes from the
 * number's calling code. So the language a test names for first contact
 * picks the person's number: a Vietnamese number for `vi-VN`, and for
 * anything else a Qatari one, whose code names no language (English).
 */
const NUMBERS: Readonly<Record<string, string>> = { vi: '84912345678' };
const DEFAULT_NUMBER = '97455512345';

/**
 * WhatsApp Cloud API: signed webhook payloads are posted to /whatsapp/webhook
 * as Meta would; the webhook answers at once and the app handles the message
 * after, so the driver waits for that work to finish, then reads the replies
 * from the Graph requests the fake recorded. A text message's reply is its
 * body; an interactive one's is its body, with its buttons' or rows' ids as
 * the choices. A press is an interactive `button_reply` with the payload as
 * its id, which lets a test forge one, as the contract needs.
 *
 * No reply in these conversations is longer than an interactive body holds
 * (1024 characters), so none is split into a text and an interactive message,
 * and each Graph request is one reply. The driver checks this rather than
 * assume it: a text followed by an interactive message that are together
 * over the limit may be one reply in two parts, and it stops there.
 */
channelContract('WhatsApp Cloud API', async (): Promise<ChannelDriver> => {
  const cloud = await startCloud();
  let person: Sender | null = null;

  const post = async (content: MessageContent, hint: MessageHint): Promise<ChannelReply[]> => {
    person ??= { waId: NUMBERS[(hint.locale ?? '').split('-')[0]!] ?? DEFAULT_NUMBER, name: 'Sita' };
    const bodies = await cloud.send(person, content);
    bodies.forEach((body, i) => {
      const next = bodies[i + 1];
      if (body.type !== 'text' || next?.type !== 'interactive') return;
      if ([...shown(body).text].length + [...shown(next).text].length > LIMITS.interactiveBody) {
        throw new Error('a reply may have been split into a text and an interactive message; the driver would have to join them');
      }
    });
    return bodies.map(shown);
  };

  return {
    say: (words, hint = {}) => post(text(words), hint),
    press: (payload, hint = {}) => post(buttonReply(payload), hint),
    close: () => cloud.close(),
  };
});
