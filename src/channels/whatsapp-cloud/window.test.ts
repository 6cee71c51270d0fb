import type { OutboundMessage } from '../../conversation/channel';
import {
  MAX_WAITING,
  WINDOW_MARGIN_MS,
  WINDOW_MS,
  addWaiting,
  afterInbound,
  isOpen,
  parseWindowState,
  templateDue,
  type WindowState,
} from './window';

const T0 = 1_750_000_000_000;
const HOUR = 60 * 60 * 1000;
const reply = (text: string): OutboundMessage => ({ text, locale: 'en', dir: 'ltr' });
const opened: WindowState = { v: 1, lastInboundAt: T0, waiting: [] };

describe('the window', () => {
  test('is open for 24 hours after the last message, less a margin', () => {
    expect(isOpen(opened, T0)).toBe(true);
    expect(isOpen(opened, T0 + 23 * HOUR)).toBe(true);
    expect(isOpen(opened, T0 + WINDOW_MS - WINDOW_MARGIN_MS - 1)).toBe(true);
    expect(isOpen(opened, T0 + WINDOW_MS - WINDOW_MARGIN_MS)).toBe(false);
    expect(isOpen(opened, T0 + 25 * HOUR)).toBe(false);
  });

  test('a first message opens it', () => {
    expect(afterInbound(null, T0, T0 + 1000)).toEqual({ v: 1, lastInboundAt: T0, waiting: [] });
  });

  test('a later message moves it on, and waiting replies are kept', () => {
    const state: WindowState = { v: 1, lastInboundAt: T0, waiting: [reply('held')] };
    expect(afterInbound(state, T0 + 2 * HOUR, T0 + 2 * HOUR)).toEqual({ ...state, lastInboundAt: T0 + 2 * HOUR });
  });

  test('is counted from when the message was sent: a copy Meta delivers a day late does not reopen it', () => {
    const late = afterInbound(opened, T0 + HOUR, T0 + 30 * HOUR);
    expect(late.lastInboundAt).toBe(T0 + HOUR);
    expect(isOpen(late, T0 + 30 * HOUR)).toBe(false);
  });

  test('an older message never moves it back, and a sender clock ahead of ours cannot move it past now', () => {
    expect(afterInbound(opened, T0 - HOUR, T0).lastInboundAt).toBe(T0);
    expect(afterInbound(opened, T0 + 5 * HOUR, T0 + HOUR).lastInboundAt).toBe(T0 + HOUR);
  });
});

describe('the template', () => {
  test('is due when none was sent', () => {
    expect(templateDue(opened)).toBe(true);
  });

  test('is sent once per closed window', () => {
    expect(templateDue({ ...opened, templateSentAt: T0 + 25 * HOUR })).toBe(false);
  });

  test('is due again once the person has written, even within the same second as the template', () => {
    const sent = { ...opened, templateSentAt: T0 + 25 * HOUR };
    const reopened = afterInbound(sent, T0 + 25 * HOUR, T0 + 25 * HOUR);
    expect(reopened).not.toHaveProperty('templateSentAt');
    expect(templateDue(reopened)).toBe(true);
  });

  test('is not due again after a late copy of an old message, which leaves the window closed', () => {
    const sent = { ...opened, templateSentAt: T0 + 25 * HOUR };
    const late = afterInbound(sent, T0 + HOUR, T0 + 26 * HOUR);
    expect(late.templateSentAt).toBe(T0 + 25 * HOUR);
    expect(templateDue(late)).toBe(false);
  });
});

describe('waiting replies', () => {
  test('are kept in order, as copies', () => {
    const first = reply('one');
    const { state, dropped } = addWaiting(opened, [first, reply('two')]);
    first.text = 'changed';
    expect(state.waiting.map((m) => m.text)).toEqual(['one', 'two']);
    expect(addWaiting(state, [reply('three')]).state.waiting.map((m) => m.text)).toEqual(['one', 'two', 'three']);
    expect(dropped).toBe(0);
  });

  test(`are at most ${MAX_WAITING}: the oldest go first`, () => {
    const many = Array.from({ length: MAX_WAITING + 3 }, (_, i) => reply(`r${i}`));
    const { state, dropped } = addWaiting(opened, many);
    expect(dropped).toBe(3);
    expect(state.waiting).toHaveLength(MAX_WAITING);
    expect(state.waiting[0]!.text).toBe('r3');
  });
});

describe('the stored state', () => {
  test('round-trips through JSON, with buttons, links and direction', () => {
    const state: WindowState = {
      v: 1,
      lastInboundAt: T0,
      templateSentAt: T0 + 25 * HOUR,
      waiting: [{ ...reply('held'), dir: 'rtl', locale: 'ur', buttons: [{ label: 'Menu', payload: 'cmd.menu' }], links: [{ label: 'x', url: 'https://example.org' }] }],
    };
    expect(parseWindowState(JSON.parse(JSON.stringify(state)))).toEqual(state);
  });

  test.each<[string, unknown]>([
    ['nothing', null],
    ['another version', { ...opened, v: 2 }],
    ['a bad time', { ...opened, lastInboundAt: 'yesterday' }],
    ['a malformed waiting reply', { ...opened, waiting: [{ text: 'x' }] }],
  ])('%s reads as no state', (_name, raw) => {
    expect(parseWindowState(raw)).toBeNull();
  });
});
