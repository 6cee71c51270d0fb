import { UNSUPPORTED_INPUT } from '../../conversation/inbound';
import { phoneDigits, toInbound } from './message';

const base = { id: 'wamid.1', from: '9779812345678', timestamp: 1_700_000_000_000 };

describe('toInbound', () => {
  it('makes typed text the text, with the phone number as conversation and user', () => {
    expect(toInbound('whatsapp-cloud', { ...base, kind: 'text', text: 'namaste' })).toEqual({
      channel: 'whatsapp-cloud',
      conversationId: '9779812345678',
      userId: '9779812345678',
      messageId: 'wamid.1',
      timestamp: 1_700_000_000_000,
      text: 'namaste',
      locale: 'ne',
    });
  });

  it('makes a pressed reply the payload', () => {
    expect(toInbound('whatsapp-web', { ...base, kind: 'reply', payload: 'cmd.menu' })).toMatchObject({ payload: 'cmd.menu' });
  });

  it('asks the engine to request typing for anything it cannot read', () => {
    const inbound = toInbound('whatsapp-web', { ...base, kind: 'unsupported' });
    expect(inbound.payload).toBe(UNSUPPORTED_INPUT);
    expect(inbound.text).toBeUndefined();
  });

  it('guesses no language from a number whose calling code names none', () => {
    expect(toInbound('whatsapp-cloud', { ...base, from: '97455512345', kind: 'text', text: 'hi' }).locale).toBeUndefined();
  });
});

describe('phoneDigits', () => {
  it.each([
    ['6591234567@c.us', '6591234567'],
    ['+65 9123 4567', '6591234567'],
    ['639171234567', '639171234567'],
  ])('reads %p as %p', (id, digits) => {
    expect(phoneDigits(id)).toBe(digits);
  });

  it.each(['status@broadcast', '', '12345', '1234567890123456'])('finds no phone number in %p', (id) => {
    expect(phoneDigits(id)).toBeNull();
  });
});
