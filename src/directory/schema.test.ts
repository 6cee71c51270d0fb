import { LineSchema, PhoneSchema, SourceSchema, WebAddressSchema } from './schema';

const source = { url: 'https://example.org/a', date: '2024', grade: 'A' };

describe('SourceSchema', () => {
  it.each(['2024', '2024-06', '2024-06-21', 'undated'])('accepts the date %s', (date) => {
    expect(SourceSchema.safeParse({ ...source, date }).success).toBe(true);
  });

  it.each(['2018/10/22', '2018-13', '2018-02-32', 'c.2023', ''])('rejects the date %s', (date) => {
    expect(SourceSchema.safeParse({ ...source, date }).success).toBe(false);
  });

  it('rejects a grade other than A, B or C and an address that is not http(s)', () => {
    expect(SourceSchema.safeParse({ ...source, grade: 'D' }).success).toBe(false);
    expect(SourceSchema.safeParse({ ...source, url: 'ftp://example.org' }).success).toBe(false);
  });
});

describe('numbers and addresses', () => {
  it.each(['999', '000', '03-8000 8000', '+62 21 2924 4800', '0-800-1000'])('accepts the number %s', (n) => {
    expect(PhoneSchema.safeParse(n).success).toBe(true);
  });

  it.each(['nine', '999 ', '(02) 1234', '12+3'])('rejects the number %j', (n) => {
    expect(PhoneSchema.safeParse(n).success).toBe(false);
  });

  it('takes web addresses as the source writes them, without a scheme', () => {
    expect(WebAddressSchema.safeParse('www.dmw.gov.ph').success).toBe(true);
    expect(WebAddressSchema.safeParse('https://www.dmw.gov.ph').success).toBe(false);
  });
});

describe('LineSchema', () => {
  const line = { value: '1955', source, verified: true, label: 'Hotline' };

  it('needs a reason when the line is unverified', () => {
    expect(LineSchema.safeParse({ ...line, verified: false }).success).toBe(false);
    expect(LineSchema.safeParse({ ...line, verified: false, note: 'Third-party only.' }).success).toBe(true);
  });

  it('takes languages as ISO 639-1 codes only', () => {
    expect(LineSchema.safeParse({ ...line, languages: ['tl', 'id'] }).success).toBe(true);
    expect(LineSchema.safeParse({ ...line, languages: ['fil'] }).success).toBe(false);
  });
});
