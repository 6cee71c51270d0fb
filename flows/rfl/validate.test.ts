import { MAX_ANSWER, asciiDigits, isAgeOrBirthDate, isContact, isText, isValid } from './validate';

describe('tracing answer checks', () => {
  it.each([
    ['Maria Santos', true],
    ['  Ana  ', true],
    ['2019', true],
    ['', false],
    ['   ', false],
    ['?!', false],
    ['a'.repeat(MAX_ANSWER), true],
    ['a'.repeat(MAX_ANSWER + 1), false],
    // Length counts characters as people see them, not UTF-16 units.
    ['😀'.repeat(MAX_ANSWER - 1) + 'a', true],
  ])('text %j is %s', (text, ok) => {
    expect(isText(text)).toBe(ok);
  });

  it.each([
    ['34', true],
    ['0', true],
    ['120', true],
    ['about 34 years', true],
    ['1990', true],
    ['12/03/1990', true],
    ['03/12/1990', true],
    ['1990-03-12', true],
    ['12 March 1990', true],
    ['March 12, 1990', true],
    ['৩৫', true],
    ['٣٤ سنة', true],
    ['121', false],
    ['150 years', false],
    ['1850', false],
    ['about forty', false],
    ['32/13/1990', false],
    ['1990-13-01', false],
    ['12 13 14 15', false],
    ['', false],
  ])('age or birth date %j is %s', (text, ok) => {
    expect(isAgeOrBirthDate(text)).toBe(ok);
  });

  it.each([
    ['+63 917 123 4567', true],
    ['WhatsApp 0917-123-4567', true],
    ['12345', true],
    ['maria.santos@example.org', true],
    ['email me: maria@example.org please', true],
    ['٠٥٠١٢٣٤٥٦٧', true],
    ['1234', false],
    ['facebook Maria Santos', false],
    ['maria@', false],
    ['', false],
  ])('contact %j is %s', (text, ok) => {
    expect(isContact(text)).toBe(ok);
  });

  it('refuses a contact longer than an answer may be', () => {
    expect(isContact(`+63 ${'9'.repeat(MAX_ANSWER)}`)).toBe(false);
  });

  it('reads digits of the scripts people in the region type', () => {
    expect(asciiDigits('৩৫ ४२ ๑๒ ၁၉ ១០ ٣٤ ۵۶ １２')).toBe('35 42 12 19 10 34 56 12');
    expect(asciiDigits('no digits')).toBe('no digits');
  });

  it('dispatches on what a question expects', () => {
    expect(isValid('text', 'Cebu City')).toBe(true);
    expect(isValid('age', 'Cebu City')).toBe(false);
    expect(isValid('contact', '34')).toBe(false);
    expect(isValid('contact', '+63 917 123 4567')).toBe(true);
  });
});
