import { CURRENT_RECORD_VERSION, RecordError, parseRecord } from '../../src/conversation/record';

const v1 = {
  version: 1,
  ref: { channel: 'webchat', conversationId: 'c1', userId: 'c1' },
  locale: 'fil',
  localeSource: 'chosen',
  country: { current: 'HK', origin: 'PH' },
  flow: { id: 'packing', version: 1, snapshot: { status: 'active', value: 'copies', context: {} } },
  prompt: [{ key: 'packing:copies', params: { step: 2, total: 8 } }],
  choices: [{ label: 'common:choice.next', payload: 'nav.next' }],
  misses: 0,
  createdAt: 1,
  updatedAt: 2,
};

const v2 = {
  ...v1,
  version: 2,
  flow: {
    id: 'packing',
    version: 1,
    snapshot: { status: 'active', value: 'copies', historyValue: {}, context: {}, children: {} },
  },
  prompt: [{ key: 'packing:copies', params: { step: 2, total: 8 }, choices: [{ label: 'common:choice.next', payload: 'nav.next' }] }],
  notices: ['ne'],
};

describe('stored conversation records', () => {
  it('are migrated from version 2 on read, the same record in the version 3 form', () => {
    expect(parseRecord(structuredClone(v2))).toEqual({ ...v2, version: CURRENT_RECORD_VERSION });
  });

  it('refuse a version 2 record whose fields do not fit its schema', () => {
    expect(() => parseRecord({ ...structuredClone(v2), choices: [['common:choice.next', 'nav.next']] })).toThrow(RecordError);
  });

  it('are migrated from version 1 on read, keeping everything', () => {
    const record = parseRecord(structuredClone(v1));
    expect(record.version).toBe(CURRENT_RECORD_VERSION);
    expect(record.notices).toEqual([]);
    expect(record).toMatchObject({ locale: 'fil', country: { current: 'HK', origin: 'PH' }, flow: v1.flow });
  });

  it('refuse a record with no version, or one from a newer build', () => {
    expect(() => parseRecord({ ...v1, version: undefined })).toThrow(RecordError);
    expect(() => parseRecord({ ...v1, version: CURRENT_RECORD_VERSION + 1 })).toThrow(RecordError);
  });

  it('refuse a record whose fields do not fit the schema', () => {
    expect(() => parseRecord({ ...v1, misses: -1 })).toThrow(RecordError);
  });
});
