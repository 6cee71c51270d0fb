import { setup } from 'xstate';
import { menuFlow } from '../../flows/menu/machine';
import { flowActions, type FlowDefinition, type FlowEvent, type FlowInput } from '../../flows/types';
import type { Middleware } from '../../src/conversation/turn';
import { createTestBot, keysOf } from '../support';

describe('the same message delivered twice', () => {
  it('is answered once; the second time returns the first replies as a duplicate, on a channel that keeps history', async () => {
    const bot = createTestBot({ keepsHistory: true });
    const msg = bot.message({ text: 'hi' });
    const first = await bot.engine.handle(msg);
    const second = await bot.engine.handle(msg);
    expect(first.status).toBe('processed');
    // The replies' rows, which the web chat's answer names so that its page shows each once.
    expect(first.seqs).toEqual((await bot.store.repliesTo(bot.key, msg.messageId))?.map((e) => e.seq));
    expect(first.seqs).toHaveLength(first.replies.length);
    expect(second).toEqual({ ...first, status: 'duplicate' });
    expect(bot.channel.messages).toEqual(first.replies);
    expect(await bot.rev()).toBe(1);
  });

  it("is answered once on a platform's chat too, where the delivered replies are gone: a duplicate with none to give", async () => {
    const bot = createTestBot();
    const msg = bot.message({ text: 'hi' });
    const first = await bot.engine.handle(msg);
    const second = await bot.engine.handle(msg);
    expect(first.replies.length).toBeGreaterThan(0);
    expect(second).toEqual({ status: 'duplicate', replies: [] });
    expect(bot.channel.messages).toEqual(first.replies);
    expect(await bot.rev()).toBe(1);
  });

  it('is answered once even when both copies arrive at the same time', async () => {
    const bot = createTestBot({ keepsHistory: true });
    const before = [...(await bot.send('hi')), ...(await bot.press('cmd.menu'))];
    const msg = bot.message({ payload: 'topic.open:packing' });
    const results = await Promise.all([bot.engine.handle(msg), bot.engine.handle(msg)]);
    expect(results.map((r) => r.status).sort()).toEqual(['duplicate', 'processed']);
    expect(keysOf(results[0]!.replies)).toEqual(['packing:intro']);
    expect(results[1]!.replies).toEqual(results[0]!.replies);
    expect(bot.channel.messages).toEqual([...before, ...results[0]!.replies]);
  });
});

describe('many messages to one conversation at once', () => {
  it('handles them one at a time and loses no update', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    // Spans the whole chain and yields to the event loop, so overlapping turns would show.
    const measure: Middleware = async (_turn, next) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await next();
      } finally {
        inFlight -= 1;
      }
    };
    const bot = createTestBot({ before: [measure] });
    const before = [...(await bot.send('hi')), ...(await bot.press('cmd.menu'))];

    const N = 50;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => bot.engine.handle(bot.message({ text: `blah ${'x'.repeat(i + 1)}` }))),
    );

    expect(results.every((r) => r.status === 'processed' && r.replies.length > 0)).toBe(true);
    expect(maxInFlight).toBe(1);
    expect(await bot.rev()).toBe(N + 2);
    // Each turn read the miss count the turn before it wrote: exactly two gentle
    // "not understood" replies, then the offer of the menu every time after.
    expect((await bot.record())?.misses).toBe(N);
    const firstKeys = results.map((r) => keysOf(r.replies)[0]);
    expect(firstKeys.filter((k) => k === 'common:notUnderstood')).toHaveLength(2);
    expect(firstKeys.filter((k) => k === 'common:stillNotUnderstood')).toHaveLength(N - 2);
    // Every reply went out once, each turn's in order and after the turn before it.
    expect(bot.channel.messages).toEqual([...before, ...results.flatMap((r) => r.replies)]);
  });
});

describe('a failure inside a turn', () => {
  it('from middleware apologises, shows the menu, and the next message works', async () => {
    const explode: Middleware = async (turn, next) => {
      if (turn.text === 'explode') throw new Error('middleware failed');
      await next();
    };
    const bot = createTestBot({ before: [explode] });
    await bot.send('hi');
    await bot.press('topic.open:packing');
    await bot.press('answer.yes');
    const revBefore = await bot.rev();

    const result = await bot.handle({ text: 'explode' });
    expect(result.status).toBe('processed');
    expect(keysOf(result.replies)).toEqual(['common:error', 'menu:prompt']);
    expect(await bot.rev()).toBe(revBefore + 1);
    expect((await bot.record())?.flow?.id).toBe('menu');

    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['packing:intro']);
  });

  it('from a flow whose guard throws apologises, shows the menu, and the next message works', async () => {
    // Registered as 'packing' so that the real menu opens it.
    const broken: FlowDefinition = {
      id: 'packing',
      version: 1,
      machine: setup({
        types: { events: {} as FlowEvent, input: {} as FlowInput },
        actions: flowActions,
        guards: {
          isReady: () => {
            throw new Error('guard failed');
          },
        },
      }).createMachine({
        id: 'packing',
        initial: 'asking',
        states: {
          asking: {
            entry: {
              type: 'say',
              params: {
                key: 'packing:intro',
                params: { total: 1 },
                choices: [{ label: 'common:choice.yes', payload: 'answer.yes' }],
              },
            },
            on: { 'answer.yes': { guard: 'isReady', target: 'asking' } },
          },
        },
      }),
    };
    const bot = createTestBot({ flows: [menuFlow, broken] });
    await bot.send('hi');
    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['packing:intro']);

    expect(keysOf(await bot.press('answer.yes'))).toEqual(['common:error', 'menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');

    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['packing:intro']);
  });
});
