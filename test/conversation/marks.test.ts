import { PROCESSED_MARK_DAYS, PRUNE_MARKS_EVERY } from '../../src/conversation/engine';
import { MemoryStore } from '../../src/store/memory';
import { createTestBot } from '../support/bot';
import { recordingLogger } from '../support/logger';

/**
 * A long conversation's processed marks do not grow with it: every
 * PRUNE_MARKS_EVERY revisions, the marks older than PROCESSED_MARK_DAYS go.
 */
const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);

describe('processed marks of a long conversation', () => {
  it('prunes the marks older than the kept days at every PRUNE_MARKS_EVERY revisions, and only those', async () => {
    let now = T0;
    const lines: Record<string, unknown>[] = [];
    const bot = createTestBot({ clock: () => now, log: recordingLogger(lines) });
    await bot.handle({ messageId: 'first', text: 'hi' });
    await bot.handle({ messageId: 'second', text: 'menu' });
    now = T0 + (PROCESSED_MARK_DAYS + 1) * DAY;
    for (let i = 3; i < PRUNE_MARKS_EVERY; i++) await bot.handle({ messageId: `recent${i}`, text: 'menu' });

    expect(await bot.rev()).toBe(PRUNE_MARKS_EVERY - 1);
    expect(await bot.store.isProcessed(bot.key, 'first')).toBe(true);

    await bot.handle({ messageId: 'fiftieth', text: 'menu' });

    expect(await bot.rev()).toBe(PRUNE_MARKS_EVERY);
    expect(await bot.store.isProcessed(bot.key, 'first')).toBe(false);
    expect(await bot.store.isProcessed(bot.key, 'second')).toBe(false);
    expect(await bot.store.isProcessed(bot.key, 'recent3')).toBe(true);
    expect(await bot.store.isProcessed(bot.key, 'fiftieth')).toBe(true);
    expect(lines.filter((l) => l.event === 'marks-pruned')).toEqual([expect.objectContaining({ level: 'info', marks: 2 })]);
  });

  it('keeps marks younger than the kept days, however many turns pass', async () => {
    let now = T0;
    const bot = createTestBot({ clock: () => now });
    await bot.handle({ messageId: 'first', text: 'hi' });
    now = T0 + (PROCESSED_MARK_DAYS - 1) * DAY;
    for (let i = 2; i <= PRUNE_MARKS_EVERY; i++) await bot.handle({ text: 'menu' });

    expect(await bot.rev()).toBe(PRUNE_MARKS_EVERY);
    expect(await bot.store.isProcessed(bot.key, 'first')).toBe(true);
    // A resend of it within the kept days is still a duplicate.
    expect((await bot.handle({ messageId: 'first', text: 'hi' })).status).toBe('duplicate');
  });

  it('still answers the turn when pruning fails, and logs it', async () => {
    let now = T0;
    const store = new MemoryStore();
    store.pruneProcessed = () => Promise.reject(new Error('disk I/O error'));
    const lines: Record<string, unknown>[] = [];
    const bot = createTestBot({ store, clock: () => now, log: recordingLogger(lines) });
    await bot.handle({ messageId: 'first', text: 'hi' });
    now = T0 + (PROCESSED_MARK_DAYS + 1) * DAY;
    for (let i = 2; i < PRUNE_MARKS_EVERY; i++) await bot.handle({ text: 'menu' });

    const last = await bot.handle({ text: 'menu' });

    expect(last.status).toBe('processed');
    expect(last.replies.length).toBeGreaterThan(0);
    expect(await bot.store.isProcessed(bot.key, 'first')).toBe(true);
    expect(lines.filter((l) => l.event === 'marks-prune-failed')).toEqual([expect.objectContaining({ level: 'warn' })]);
  });
});
