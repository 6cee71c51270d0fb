import { PACKING_STEPS } from '../../flows/packing/steps';
import { newRecord, type ConversationRecord } from '../../src/conversation/record';
import { buttonsOf, createTestBot, english, keysOf, numberOf, type TestBot, type TestBotOptions } from '../support';

const TOTAL = PACKING_STEPS.length;
const stepKeys = PACKING_STEPS.map((s) => `packing:${s}`);
/** A step's choices as a channel without (enough) buttons shows them. */
const stepList = ['next', 'back', 'menu'].map((c, i) => `${i + 1}. ${english(`common:choice.${c}`)}`).join('\n');

/**
 * Greets a new bot, skips where the person is, and opens the packing topic
 * the way a person would: "preparing to go abroad", then the topic.
 */
async function openPacking(bot: TestBot) {
  await bot.send('hi');
  await bot.press('situation.skip');
  await bot.press('situation.skip');
  await bot.press('menu.audience:preparing');
  return bot.press('topic.open:packing');
}

/** A bot that has been greeted and has opened the packing topic. */
async function inPacking(options?: TestBotOptions): Promise<TestBot> {
  const bot = createTestBot(options);
  await openPacking(bot);
  return bot;
}

/** A bot standing at step `index` (0-based) of the checklist. */
async function atStep(index: number, options?: TestBotOptions): Promise<TestBot> {
  const bot = await inPacking(options);
  await bot.press('answer.yes');
  for (let i = 0; i < index; i++) await bot.press('nav.next');
  return bot;
}

describe('packing flow through the engine', () => {
  it('asks first whether to show the checklist, with Yes and Main menu', async () => {
    const bot = createTestBot();
    const replies = await openPacking(bot);
    expect(replies).toContainKey('packing:intro', { total: TOTAL });
    expect(buttonsOf(replies)).toEqual([
      { label: english('common:choice.yes'), payload: 'answer.yes' },
      { label: english('common:choice.menu'), payload: 'cmd.menu' },
    ]);
  });

  it('starts the checklist when the person types yes', async () => {
    const bot = await inPacking();
    expect(keysOf(await bot.send('yes'))).toEqual(['packing:documents']);
  });

  it('walks every step with Next, then says it is done and shows the menu', async () => {
    const bot = await inPacking();
    let replies = await bot.press('answer.yes');
    for (const [i, key] of stepKeys.entries()) {
      expect(keysOf(replies)).toEqual([key]);
      expect(replies).toContainKey(key, { step: i + 1, total: TOTAL });
      expect(buttonsOf(replies)).toEqual([
        { label: english('common:choice.next'), payload: 'nav.next' },
        { label: english('common:choice.back'), payload: 'nav.back' },
        { label: english('common:choice.menu'), payload: 'cmd.menu' },
      ]);
      replies = await bot.press('nav.next');
    }
    expect(keysOf(replies)).toEqual(['packing:done', 'menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it('moves on when the person types Next', async () => {
    const bot = await atStep(0);
    expect(keysOf(await bot.send('next'))).toEqual([stepKeys[1]]);
  });

  it.each(PACKING_STEPS.map((step, i) => [step, i] as const))(
    'goes back from %s to the step before',
    async (_step, i) => {
      const bot = await atStep(i);
      expect(keysOf(await bot.send('back'))).toEqual([stepKeys[i - 1] ?? 'packing:intro']);
    },
  );

  it('goes back the same way by button and by another word for back', async () => {
    const bot = await atStep(2);
    expect(keysOf(await bot.press('nav.back'))).toEqual([stepKeys[1]]);
    expect(keysOf(await bot.send('go back'))).toEqual([stepKeys[0]]);
  });

  it('goes back from the intro to the menu', async () => {
    const bot = await inPacking();
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it('goes to the menu from inside the checklist, by word, by button and by number', async () => {
    const byWord = await atStep(3);
    expect(keysOf(await byWord.send('menu'))).toEqual(['menu:prompt']);
    expect((await byWord.record())?.flow?.id).toBe('menu');

    const byButton = await atStep(3);
    expect(keysOf(await byButton.press('cmd.menu'))).toEqual(['menu:prompt']);

    const byNumber = await atStep(3, { capabilities: { buttons: false } });
    const [step] = await byNumber.press('nav.next');
    const number = numberOf([step!], 'common:choice.menu');
    expect(number).toBe('3');
    expect(keysOf(await byNumber.send(number!))).toEqual(['menu:prompt']);
  });

  it('says the current step again after help', async () => {
    const bot = await atStep(1);
    const replies = await bot.send('help');
    expect(keysOf(replies)).toEqual(['common:help', stepKeys[1]]);
    expect(replies).toContainKey(stepKeys[1]!, { step: 2, total: TOTAL });
    expect(keysOf(await bot.press('nav.next'))).toEqual([stepKeys[2]]);
  });

  it('after stop, answers any message with the menu, not the checklist', async () => {
    const bot = await atStep(4);
    expect(keysOf(await bot.send('stop'))).toEqual(['common:stopped']);
    expect(keysOf(await bot.send('ok'))).toEqual(['menu:prompt']);
  });

  it('repeats the step twice for messages it does not understand, then offers the menu', async () => {
    const bot = await atStep(2);
    expect(keysOf(await bot.send('what is this'))).toEqual(['common:notUnderstood', stepKeys[2]]);
    expect(keysOf(await bot.send('?!'))).toEqual(['common:notUnderstood', stepKeys[2]]);
    expect(keysOf(await bot.send('hmm'))).toEqual(['common:stillNotUnderstood']);
    // Help from that offer leads back into the same step.
    expect(keysOf(await bot.press('cmd.help'))).toEqual(['common:help', stepKeys[2]]);
    expect(keysOf(await bot.press('nav.next'))).toEqual([stepKeys[3]]);
  });

  it('writes the choices as a numbered list on a channel without buttons, and takes their numbers', async () => {
    const bot = await inPacking({ capabilities: { buttons: false } });
    const [step] = await bot.send('1');
    expect(step?.buttons).toBeUndefined();
    expect(step?.text).toBe(`${english(stepKeys[0]!, { step: 1, total: TOTAL })}\n\n${stepList}`);
    expect(keysOf(await bot.send('1'))).toEqual([stepKeys[1]]);
    expect(keysOf(await bot.send('2'))).toEqual([stepKeys[0]]);
  });

  it('uses buttons for two choices and a numbered list for three on a channel with two buttons at most', async () => {
    const bot = createTestBot({ capabilities: { maxButtons: 2 } });
    const [intro] = await openPacking(bot);
    expect(intro?.buttons?.map((b) => b.payload)).toEqual(['answer.yes', 'cmd.menu']);

    const [step] = await bot.press('answer.yes');
    expect(step?.buttons).toBeUndefined();
    expect(step?.text.endsWith(`\n\n${stepList}`)).toBe(true);
    expect(keysOf(await bot.send('1'))).toEqual([stepKeys[1]]);
  });
});

describe('packing snapshots saved by an older version', () => {
  /** Stores a conversation whose packing flow was saved as `flow`, as an older release (record version 2) would have. */
  async function seeded(flow: ConversationRecord['flow']): Promise<TestBot> {
    const bot = createTestBot();
    const record: ConversationRecord = { ...newRecord(bot.ref, 'en', 1), flow, prompt: [{ key: 'packing:intro' }] };
    const result = await bot.store.commitTurn({
      conversationKey: bot.key,
      channel: bot.ref.channel,
      userId: bot.ref.userId,
      expectedRev: 0,
      record: { ...record, version: 2 },
      messageId: 'seed',
      outbox: [],
      now: 1,
    });
    expect(result.ok).toBe(true);
    return bot;
  }

  const active = (value: string) => ({ status: 'active', value, context: {}, children: {}, historyValue: {} });

  it.each([
    ['an older flow version', { id: 'packing', version: 0, snapshot: active('documents') }],
    ['a step that no longer exists', { id: 'packing', version: 1, snapshot: active('visaTips') }],
    ['a flow that no longer exists', { id: 'visa', version: 1, snapshot: active('intro') }],
    ['a snapshot that is not active', { id: 'packing', version: 1, snapshot: { status: 'done', value: 'done' } }],
  ])('apologises and shows the menu for %s, then carries on', async (_what, flow) => {
    const bot = await seeded(flow);
    const result = await bot.handle({ text: 'next' });
    expect(result.status).toBe('processed');
    expect(keysOf(result.replies)).toEqual(['common:stale', 'menu:prompt']);
    expect((await bot.record())?.flow?.id).toBe('menu');
    expect(keysOf(await bot.press('topic.open:packing'))).toEqual(['packing:intro']);
  });

  it('still understands a snapshot saved by the current version', async () => {
    const bot = await seeded({ id: 'packing', version: 1, snapshot: active('documents') });
    expect(keysOf(await bot.press('nav.next'))).toEqual([stepKeys[1]]);
  });
});
