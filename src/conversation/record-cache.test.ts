import { newRecord, type ConversationRecord } from './record';
import { RecordCache } from './record-cache';

const ref = { channel: 'web', conversationId: 'c1', userId: 'u1' };

function saved(updatedAt: number): ConversationRecord {
  return { ...newRecord(ref, 'en', 1_000), updatedAt, country: { current: 'MY' }, notices: ['ne'] };
}

/** What the store hands back: the same record after a trip through JSON. */
const asStored = (record: ConversationRecord): unknown => JSON.parse(JSON.stringify(record));

describe('RecordCache', () => {
  it('gives back what was saved when the stored revision and timestamps are the saved ones', () => {
    const cache = new RecordCache();
    const record = saved(2_000);
    cache.remember('k', 3, record);
    expect(cache.get('k', 3, asStored(record))).toEqual(record);
  });

  it('gives nothing for another revision, other timestamps or another conversation', () => {
    const cache = new RecordCache();
    const record = saved(2_000);
    cache.remember('k', 3, record);
    expect(cache.get('k', 4, asStored(record))).toBeUndefined();
    expect(cache.get('k', 3, asStored(saved(2_001)))).toBeUndefined();
    // Erased and started again: same key and revision, another creation time.
    expect(cache.get('k', 3, asStored({ ...record, createdAt: 1_500 }))).toBeUndefined();
    expect(cache.get('other', 3, asStored(record))).toBeUndefined();
    expect(cache.get('k', 3, null)).toBeUndefined();
  });

  it('hands out copies: a turn replacing a field does not change what the next turn gets', () => {
    const cache = new RecordCache();
    const record = saved(2_000);
    cache.remember('k', 1, record);
    const first = cache.get('k', 1, asStored(record))!;
    first.locale = 'ne';
    first.country = {};
    expect(cache.get('k', 1, asStored(record))).toMatchObject({ locale: 'en', country: { current: 'MY' } });
  });

  it('when frozen, throws on a change in place of a nested object, which copies would share', () => {
    const cache = new RecordCache({ freeze: true });
    const record = saved(2_000);
    cache.remember('k', 1, record);
    const loaded = cache.get('k', 1, asStored(record))!;
    expect(() => {
      (loaded.country as { current?: string }).current = 'SG';
    }).toThrow(TypeError);
    expect(() => loaded.notices.push('bn')).toThrow(TypeError);
  });

  it('forgets the least recently used beyond its size, and on request', () => {
    const cache = new RecordCache({ size: 2 });
    const [a, b, c] = [saved(1), saved(2), saved(3)];
    cache.remember('a', 1, a);
    cache.remember('b', 1, b);
    cache.get('a', 1, asStored(a));
    cache.remember('c', 1, c);
    expect(cache.count).toBe(2);
    expect(cache.get('b', 1, asStored(b))).toBeUndefined();
    expect(cache.get('a', 1, asStored(a))).toBeDefined();
    cache.forget('a');
    expect(cache.get('a', 1, asStored(a))).toBeUndefined();
    expect(cache.get('c', 1, asStored(c))).toBeDefined();
  });

  it('remembers nothing with a size of 0', () => {
    const cache = new RecordCache({ size: 0 });
    const record = saved(2_000);
    cache.remember('k', 1, record);
    expect(cache.get('k', 1, asStored(record))).toBeUndefined();
  });
});
