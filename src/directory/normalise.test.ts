import { editDistance, isLatin, normalise } from './normalise';

describe('normalise', () => {
  it('folds case, Latin diacritics and punctuation', () => {
    expect(normalise('  Việt   Nam! ')).toBe('viet nam');
    expect(normalise('U.A.E.')).toBe('u a e');
    expect(normalise('Đài Loan')).toBe('dai loan');
    expect(normalise("People's Republic")).toBe('people s republic');
  });

  it('keeps the vowel signs of other scripts', () => {
    expect(normalise('नेपाल')).toBe('नेपाल');
    expect(isLatin(normalise('नेपाल'))).toBe(false);
    expect(isLatin(normalise('Malé'))).toBe(true);
  });
});

describe('editDistance', () => {
  it.each([
    ['japan', 'japan', 0],
    ['japn', 'japan', 1],
    ['taiwna', 'taiwan', 1],
    ['qatar', 'katar', 1],
    ['phillipines', 'philippines', 2],
    ['oman', 'japan', 2],
  ])('%s ↔ %s = %i (capped at 2)', (a, b, d) => {
    expect(editDistance(a, b, 1)).toBe(Math.min(d, 2));
  });
});
