import { toStoredRecord } from '../../src/conversation/record';
import type { TestBot } from './bot';

/**
 * Puts the person in a country without going through the situation flow, for
 * tests about something else: the record is changed as a turn would change it.
 */
export async function placeIn(bot: TestBot, country?: string, origin?: string): Promise<void> {
  if ((await bot.record()) === null) await bot.send('hi');
  const stored = await bot.store.getConversation(bot.key);
  const record = await bot.record();
  if (!stored || !record) throw new Error('no conversation to place');
  const result = await bot.store.commitTurn({
    conversationKey: bot.key,
    channel: bot.ref.channel,
    userId: bot.ref.userId,
    expectedRev: stored.rev,
    record: toStoredRecord({ ...record, country: { ...(country && { current: country }), ...(origin && { origin }) } }),
    messageId: `place-${stored.rev}`,
    outbox: [],
    now: Date.now(),
  });
  if (!result.ok) throw new Error(`could not place the person: ${result.reason}`);
}
