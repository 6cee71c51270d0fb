import { loadDirectory } from './load';

const directory = loadDirectory();

describe('contact look-ups', () => {
  it('gives one number to say once when police, ambulance and fire share it', () => {
    expect(directory.emergencyNumbersFor('QA')).toMatchObject({ single: '999', verified: true });
    expect(directory.emergencyNumbersFor('SG')?.single).toBeUndefined();
  });

  it('keeps the source and the reason with an unverified number', () => {
    const fire = directory.emergencyNumbersFor('AE')?.fire;
    expect(fire?.source.grade).toBe('C');
    expect(fire?.note).toMatch(/third-party/i);
  });

  it('lists other emergency numbers with their labels', () => {
    expect(directory.emergencyNumbersFor('NZ')?.others).toEqual([
      expect.objectContaining({ number: '105', label: 'Police non-emergency line', kind: 'phone', verified: true }),
    ]);
  });

  it('has no emergency numbers or labour lines for a country of origin only', () => {
    expect(directory.emergencyNumbersFor('PH')).toBeUndefined();
    expect(directory.labourLinesFor('PH')).toEqual([]);
    expect(directory.emergencyNumbersFor('XX')).toBeUndefined();
  });

  it('names the body behind each labour line and keeps its languages', () => {
    const line = directory.labourLinesFor('HK').find((l) => l.number === '2157 9537');
    expect(line).toMatchObject({ body: 'Labour Department', languages: ['tl', 'id', 'th', 'ne', 'hi', 'pa', 'ur'] });
  });

  it('adds other hotlines after the labour bodies', () => {
    expect(directory.labourLinesFor('AU').map((l) => l.number)).toEqual(['13 13 94', '131 450', '13 18 81']);
  });

  it('lists an origin agency, its help lines and the national society line', () => {
    const lines = directory.originLinesFor('PH');
    expect(lines.map((l) => l.number)).toEqual(['1348', '8722-1144', '8722-1155', '911', '143']);
    expect(lines.at(-1)?.body).toBe('Philippine Red Cross (PRC)');
  });

  it('says where a line can be dialled from and how', () => {
    const lines = directory.originLinesFor('ID');
    expect(lines.find((l) => l.number === '0-800-1000')?.availableIn).toEqual(['ID']);
    expect(lines.find((l) => l.number === '0811-8080-141')?.kind).toBe('whatsapp');
    expect(directory.originLinesFor('IN').find((l) => l.number === '800 46342')?.availableIn).toEqual(['AE']);
  });
});
