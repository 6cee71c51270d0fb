import { CURRENT_RECORD_VERSION, RecordError, newRecord, parseRecord, toStoredRecord, type ConversationRecord } from '../../src/conversation/record';
import { createTestBot } from '../support';

const ref = { channel: 'telegram', conversationId: '42', userId: '42' };
const snapshot = (value: string, context: Record<string, unknown> = {}) => ({
  status: 'active',
  value,
  historyValue: {},
  context,
  children: {},
});
const countries = ['AU', 'HK', 'QA', 'SA', 'SG'].map((c) => ({ label: `countries:${c}`, payload: `situation.here:${c}` }));

const lookalikes = [
  { label: 'common:choice.menu', payload: 'cmd.menu' },
  { label: 'countries:AU', payload: 'situation.here:AU' },
  { label: 'countries:HK', payload: 'situation.here:HK' },
  { label: 'countries:QA', payload: 'situation.origin:QA' },
  { label: 'countries:SA', payload: 'situation.origin:SA', params: { n: 1 } },
  { label: 'countries:SG', payload: 'situation.origin:SG' },
  { label: 'countries:', payload: 'situation.here:' },
  { label: 'countries:', payload: 'situation.here:' },
  { label: 'no colon', payload: 'no colon' },
  { label: 'no colon', payload: 'no colon' },
  { label: 'a:x', payload: 'b:y' },
  { label: 'a:x', payload: 'b:x' },
];

/** What a store hands back: the stored form after a trip through JSON. */
const throughStore = (record: ConversationRecord) => JSON.parse(JSON.stringify(toStoredRecord(record))) as unknown;

const asked: ConversationRecord = {
  ...newRecord(ref, 'en', 1_000),
  flow: { id: 'situation', version: 1, snapshot: snapshot('where') },
  prompt: [{ key: 'situation:where', choices: countries }],
  choices: countries,
  updatedAt: 2_000,
};

const everything: ConversationRecord = {
  version: CURRENT_RECORD_VERSION,
  ref,
  locale: 'ar',
  localeSource: 'chosen',
  country: { current: 'QA', origin: 'NP' },
  flow: {
    id: 'rfl',
    version: 2,
    snapshot: { status: 'done', value: { ask: 'name' }, historyValue: { x: 1 }, context: { name: 'Sita' }, children: {}, output: 1 },
  },
  prompt: [
    { key: 'rfl:saved', aside: true },
    {
      key: 'rfl:name',
      params: { step: 2, country: { key: 'countries:NP' }, list: [{ key: 'a' }, { key: 'b', params: { n: 1 } }] },
      expects: 'text',
      links: [{ label: 'common:link.more', url: 'https://example.org', params: { n: 2 } }],
      locale: 'en',
      clearChat: true,
      choices: [{ label: 'common:choice.step', payload: 'nav.step', params: { n: 3 } }],
    },
  ],
  // Offered by a command after the prompt, so not the prompt's.
  choices: [{ label: 'language:choice', payload: 'cmd.language:ne' }],
  misses: 2,
  notices: ['ne'],
  caseId: 'case-7',
  createdAt: 1,
  updatedAt: 9,
};

describe('the stored form of a conversation record (version 3)', () => {
  it.each([
    ['a new record', newRecord(ref, 'en', 5)],
    ['a question with choices', asked],
    ['a record with every field set', everything],
    ['choices cleared while the prompt still offers some', { ...asked, choices: [] }],
    ['the same choices as new objects', { ...asked, choices: countries.map((c) => ({ ...c })) }],
    ['choices that only look like a list of countries', { ...asked, choices: lookalikes }],
  ])('reads back as the same record: %s', (_name, record) => {
    expect(parseRecord(throughStore(record))).toEqual(record);
  });

  it('leaves out defaults, and does not write the prompt’s choices twice', () => {
    const stored = toStoredRecord(asked);
    expect(stored).not.toHaveProperty('choices');
    for (const field of ['localeSource', 'country', 'misses', 'notices', 'caseId']) expect(stored).not.toHaveProperty(field);
    expect(stored.flow?.snapshot).toEqual({ value: 'where' });
    expect(toStoredRecord({ ...asked, prompt: [{ key: 'x', choices: [countries[0]!] }] }).prompt?.[0]?.choices).toEqual([
      ['countries:AU', 'situation.here:AU'],
    ]);
    expect(toStoredRecord({ ...asked, choices: [] }).choices).toEqual([]);
  });

  it('writes a list of countries as its heads and tails, and anything else choice by choice', () => {
    const stored = toStoredRecord({ ...asked, choices: lookalikes }).choices;
    expect(stored).toEqual([
      ['common:choice.menu', 'cmd.menu'],
      { label: 'countries:', payload: 'situation.here:', each: ['AU', 'HK'] },
      ['countries:QA', 'situation.origin:QA'],
      ['countries:SA', 'situation.origin:SA', { n: 1 }],
      ['countries:SG', 'situation.origin:SG'],
      ['countries:', 'situation.here:'],
      ['countries:', 'situation.here:'],
      ['no colon', 'no colon'],
      ['no colon', 'no colon'],
      ['a:x', 'b:y'],
      ['a:x', 'b:x'],
    ]);
    expect(toStoredRecord(asked).prompt?.[0]?.choices).toEqual([
      { label: 'countries:', payload: 'situation.here:', each: ['AU', 'HK', 'QA', 'SA', 'SG'] },
    ]);
  });

  it('is less than half the size of the record as version 2 stored it', () => {
    const v2 = JSON.stringify({ ...asked, version: 2 });
    expect(JSON.stringify(toStoredRecord(asked)).length).toBeLessThan(v2.length / 2);
  });

  it('keeps a snapshot that is not an object as it is', () => {
    const odd = { ...asked, flow: { id: 'x', version: 1, snapshot: 'legacy' } };
    expect(parseRecord(throughStore(odd))).toEqual(odd);
  });

  it('refuses choices that are not [label, payload], [label, payload, params] or a run of them', () => {
    const stored = throughStore(asked) as { prompt: { choices: unknown[] }[] };
    expect(() => parseRecord({ ...stored, choices: [['only a label']] })).toThrow(RecordError);
    expect(() => parseRecord({ ...stored, choices: [['a', 'b', { n: 1 }, 'extra']] })).toThrow(RecordError);
    expect(() => parseRecord({ ...stored, choices: [{ label: 'a', payload: 'b' }] })).toThrow(RecordError);
    expect(() => parseRecord({ ...stored, choices: [{ label: 'a:', payload: 'b:', each: [] }] })).toThrow(RecordError);
  });

  it('refuses a version 3 record without its address or times', () => {
    const stored = throughStore(asked) as Record<string, unknown>;
    for (const field of ['ref', 'locale', 'createdAt', 'updatedAt']) {
      expect(() => parseRecord({ ...stored, [field]: undefined })).toThrow(RecordError);
    }
  });
});

describe('a new conversation’s record', () => {
  it('is created at the time of the turn that saves it, not after it', async () => {
    let now = 1_000;
    // Every reading of the clock is a millisecond later, as on a busy server.
    const bot = createTestBot({ clock: () => now++ });
    await bot.send('hi');
    const record = await bot.record();
    expect(record?.createdAt).toBe(record?.updatedAt);
  });
});
