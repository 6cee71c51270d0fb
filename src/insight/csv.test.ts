import { csvCell, insightCsv } from './csv';

describe('insightCsv', () => {
  test('one line per count, small counts as "fewer than 5"', () => {
    const csv = insightCsv([
      { day: '2026-11-01', organisationId: 'o', metric: 'conversation.started', dimension: '', count: 12 },
      { day: '2026-11-01', organisationId: 'o', metric: 'language.used', dimension: 'ne', count: 3 },
      { day: '2026-11-02', organisationId: 'o', metric: 'flow.left', dimension: 'passport/ask', count: 5 },
    ]);
    expect(csv).toBe(
      'day,metric,dimension,count\r\n' +
        '2026-11-01,conversation.started,,12\r\n' +
        '2026-11-01,language.used,ne,fewer than 5\r\n' +
        '2026-11-02,flow.left,passport/ask,5\r\n',
    );
  });
});

describe('csvCell', () => {
  test('a cell a spreadsheet would run as a formula starts with a quote', () => {
    expect(['=1+1', '+1', '-1', '@SUM(A1)', '\tx'].map(csvCell)).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx"]);
  });

  test('commas, quotes and line breaks are quoted', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=a,b')).toBe('"\'=a,b"');
    expect(csvCell('plain')).toBe('plain');
  });
});
