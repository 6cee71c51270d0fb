import { english } from '../../test/support/english';
import { responseTime } from './response-time';

const said = (minutes: number) => {
  const phrase = responseTime(minutes);
  return english(phrase.key, phrase.params);
};

describe('the expected response time, as the person reads it', () => {
  it.each([
    [5, '5 minutes'],
    [45, '45 minutes'],
    [90, '90 minutes'],
    [60, 'an hour'],
    [120, '2 hours'],
    [1440, 'a day'],
    [2880, '2 days'],
    [1500, '25 hours'],
  ])('%i minutes is "%s"', (minutes, words) => {
    expect(said(minutes)).toBe(words);
  });
});
