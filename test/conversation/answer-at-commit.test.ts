import type { OutboundMessage } from '../../src/conversation/channel';
import type { KeyedLock } from '../../src/conversation/lock';
import type { ConversationRef } from '../../src/conversation/record';
import { MemoryStore } from '../../src/store/memory';
import { createTestBot } from '../support/bot';
import type { RecordingChannel } from '../support/channel';
import { recordingLogger } from '../support/logger';

/** Makes the test channel's sends wait until released: a platform that is slow to take them. */
function holdSends(channel: RecordingChannel): () => void {
  let release = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const send = channel.send.bind(channel);
  channel.send = async (ref: ConversationRef, messages: OutboundMessage[]) => {
    await gate;
    return send(ref, messages);
  };
  return release;
}

describe("HandleOptions.until = 'committed'", () => {
  it('answers once the turn is saved, and sends its replies after', async () => {
    const bot = createTestBot();
    const release = holdSends(bot.channel);

    const result = await bot.engine.handle(bot.message({ text: 'hi' }), { until: 'committed' });

    expect(result.status).toBe('processed');
    expect(result.replies.length).toBeGreaterThan(0);
    expect(bot.channel.messages).toEqual([]);
    expect(await bot.rev()).toBe(1);
    const waiting = await bot.store.pendingOutbox(10);
    expect(waiting.map((e) => e.seq)).toEqual(result.seqs);

    release();
    await bot.engine.idle();
    expect(bot.channel.messages).toEqual(result.replies);
    expect(await bot.store.pendingOutbox(10)).toEqual([]);
  });

  it('without it, answers only once the replies are sent', async () => {
    const bot = createTestBot();
    const release = holdSends(bot.channel);
    let answered = false;
    const handled = bot.engine.handle(bot.message({ text: 'hi' })).then(() => (answered = true));

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    await handled;
    expect(bot.channel.messages.length).toBeGreaterThan(0);
  });

  it("keeps the conversation's next message waiting until the replies before it are sent", async () => {
    const bot = createTestBot();
    const release = holdSends(bot.channel);
    const first = await bot.engine.handle(bot.message({ text: 'hi' }), { until: 'committed' });

    let secondAnswered = false;
    const second = bot.engine.handle(bot.message({ text: 'menu' }), { until: 'committed' }).then((result) => {
      secondAnswered = true;
      return result;
    });
    // Long enough for a turn in memory to be saved, were it not waiting behind the first one's replies.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(secondAnswered).toBe(false);
    expect(await bot.rev()).toBe(1);

    release();
    const menu = await second;
    await bot.engine.idle();
    expect(bot.channel.messages).toEqual([...first.replies, ...menu.replies]);
  });

  it('leaves a failure before the commit to the caller', async () => {
    const store = new MemoryStore();
    const bot = createTestBot({ store });
    jest.spyOn(store, 'commitTurn').mockRejectedValueOnce(new Error('disk full'));

    await expect(bot.engine.handle(bot.message({ text: 'hi' }), { until: 'committed' })).rejects.toThrow('disk full');
    await bot.engine.idle();
    expect(bot.channel.messages).toEqual([]);
    expect(await bot.rev()).toBe(0);
  });

  it('logs a failure after the answer instead of throwing it', async () => {
    const lines: Record<string, unknown>[] = [];
    // A lock that loses its hold (Redis gone) once the turn is over.
    const lock: KeyedLock = {
      async run(_key, fn) {
        await fn();
        throw new Error('lock lost');
      },
    };
    const bot = createTestBot({ lock, log: recordingLogger(lines) });

    const result = await bot.engine.handle(bot.message({ text: 'hi' }), { until: 'committed' });
    await bot.engine.idle();

    expect(result.status).toBe('processed');
    expect(bot.channel.messages).toEqual(result.replies);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', event: 'turn-after-answer-failed', err: expect.objectContaining({ message: 'lock lost' }) }));
  });

  it('idle() waits for turns begun while it waits', async () => {
    const bot = createTestBot();
    const release = holdSends(bot.channel);
    const first = await bot.engine.handle(bot.message({ text: 'hi' }), { until: 'committed' });
    const idle = bot.engine.idle();
    const second = bot.engine.handle(bot.message({ text: 'menu' }), { until: 'committed' });

    release();
    await idle;
    const menu = await second;
    expect(bot.channel.messages).toEqual([...first.replies, ...menu.replies]);
    expect(await bot.store.pendingOutbox(10)).toEqual([]);
  });
});
