import callingCodes from '../../../src/conversation/calling-codes.json';
import { parseRecord, type ConversationRecord } from '../../../src/conversation/record';
import { normalise } from '../../../src/conversation/render';
import { COMMANDS } from '../../../src/conversation/steps/commands';
import type { ChannelDriver, ChannelReply, MessageHint } from '../../contracts/channel.contract';
import { resources, translator } from '../../support/english';
import type { Harness } from './harness';
import { text } from './fake-client';

/** A number whose calling code names no language of the bot (+44): the bot starts in English. */
const DEFAULT_NUMBER = '447700900123';

/**
 * WhatsApp tells the bot no language, only the person's number: a person
 * "whose phone is in Vietnamese" is, to the bot, one with a +84 number.
 */
export function numberFor(hint: MessageHint): string {
  if (hint.locale === undefined) return DEFAULT_NUMBER;
  const language = hint.locale.toLowerCase().split(/[-_]/)[0];
  const code = Object.entries(callingCodes as Record<string, string>).find(([, locale]) => locale === language)?.[0];
  if (code === undefined) throw new Error(`no calling code stands for ${hint.locale}`);
  return `${code}${'912345678'.slice(0, 12 - code.length)}`;
}

/** `1. Yes\n2. Menu` → ['Yes', 'Menu'] when the paragraph is a list numbered from 1, else null. */
function numberedItems(paragraph: string): string[] | null {
  const lines = paragraph.split('\n');
  const items = lines.map((line, i) => new RegExp(`^${i + 1}\\. (.+)$`).exec(line)?.[1]);
  return items.every((item): item is string => item !== undefined) ? items : null;
}

/** A reply split into its text and the numbered list the renderer added after a blank line. */
export function splitList(message: string): { text: string; items: string[] } {
  const paragraphs = message.split('\n\n');
  for (let i = paragraphs.length - 1; i > 0; i--) {
    const items = numberedItems(paragraphs[i]!);
    if (items) return { text: [...paragraphs.slice(0, i), ...paragraphs.slice(i + 1)].join('\n\n'), items };
  }
  return { text: message, items: [] };
}

/** The payload typing this label has the same effect as: a command word, in any language. */
function typedEffect(label: string): string | undefined {
  const typed = normalise(label);
  const command = COMMANDS.find((c) => translator.allWords(`commands:${c}`, normalise).includes(typed));
  return command === undefined ? undefined : `cmd.${command}`;
}

/**
 * One person on WhatsApp Web, typing: the real app with the fake client, and
 * each call answered with the replies sent since.
 *
 * The channel has no buttons, so a reply's choices are read back from what
 * the person sees and can do: the list of the last question is numbered, and
 * its payloads are the conversation's stored `choices` (what "2" answers);
 * an item of an earlier list counts only when typing its words does the same
 * (a command such as "Change language"). Pressing a payload types its number
 * when it is on offer; otherwise the most faithful typed equivalent: a
 * command word, a language's own name, or, for a forged payload, its text.
 */
export function numberedDriver(harness: Harness): ChannelDriver {
  let number: string | null = null;
  const conversationKey = () => `whatsapp-web:${number}`;

  const record = async (): Promise<ConversationRecord | null> => {
    const stored = await harness.server.app.store.getConversation(conversationKey());
    return stored === null ? null : parseRecord(stored.data);
  };

  const send = async (body: string, hint: MessageHint): Promise<ChannelReply[]> => {
    number ??= numberFor(hint);
    const before = harness.client.sent.length;
    await harness.client.receive(text(`${number}@c.us`, body));
    const sent = harness.client.sent.slice(before).map((m) => splitList(m.text));
    const stored = await record();
    const offer = stored?.choices ?? [];
    const offeredLabels = offer.map((c) => translator.t(c.label, stored?.locale ?? 'en', c.params));
    // The last reply listing exactly the stored choices asked the question now open.
    let current = -1;
    sent.forEach((reply, i) => {
      if (offer.length > 0 && reply.items.join('\n') === offeredLabels.join('\n')) current = i;
    });
    return sent.map((reply, i) => ({
      text: reply.text,
      choices: i === current ? offer.map((c) => c.payload) : reply.items.flatMap((item) => typedEffect(item) ?? []),
    }));
  };

  const typedFor = async (payload: string): Promise<string> => {
    const offered = number === null ? -1 : ((await record())?.choices ?? []).findIndex((c) => c.payload === payload);
    if (offered >= 0) return String(offered + 1);
    const command = /^cmd\.(.+)$/.exec(payload)?.[1];
    const words = command === undefined ? undefined : (resources.en?.commands as Record<string, string[]> | undefined)?.[command];
    if (words?.[0] !== undefined) return words[0];
    const language = /^lang\.set:(.+)$/.exec(payload)?.[1];
    if (language !== undefined) return translator.t(`languages:${language}`, language);
    return payload;
  };

  return {
    say: (body, hint = {}) => send(body, hint),
    press: async (payload, hint = {}) => send(await typedFor(payload), hint),
    close: () => harness.close(),
  };
}
