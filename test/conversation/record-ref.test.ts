import { RecordError, newRecord, parseRef } from '../../src/conversation/record';

/** The outbox reads only a stored record's address to send a saved reply. */
describe('parseRef', () => {
  const ref = { channel: 'telegram', conversationId: '42', userId: '42' };

  it('reads the address of a current record', () => {
    expect(parseRef(JSON.parse(JSON.stringify(newRecord(ref, 'en', 1))))).toEqual(ref);
  });

  it('reads it from a record of an older version, whose address has the same shape', () => {
    expect(parseRef({ version: 1, ref, locale: 'en' })).toEqual(ref);
  });

  it.each([
    ['no record', null],
    ['no address', { version: 2, locale: 'en' }],
    ['an address without a user', { ref: { channel: 'telegram', conversationId: '42' } }],
    ['an address of the wrong type', { ref: 'telegram:42' }],
  ])('refuses %s with a RecordError', (_what, raw) => {
    expect(() => parseRef(raw)).toThrow(RecordError);
  });
});
