import { InboundMessageSchema } from '../../conversation/inbound';
import { toInbound } from './to-inbound';

const ctx = { now: 1_750_000_000_000, messageId: '6c0d7f5e-1b2a-4e3f-8d9c-0a1b2c3d4e5f' };

test('a line becomes a text message of the one local conversation', () => {
  const message = toInbound('hi there', ctx);
  expect(message).toEqual({
    channel: 'terminal',
    conversationId: 'local',
    userId: 'local',
    text: 'hi there',
    messageId: ctx.messageId,
    timestamp: ctx.now,
  });
  expect(InboundMessageSchema.safeParse(message).success).toBe(true);
});

test.each([
  ['a carriage return from a Windows terminal', '2\r', '2'],
  ['inner and outer spaces', '  main menu ', '  main menu '],
  ['another script', 'मदद', 'मदद'],
])('%s is kept as typed', (_name, line, text) => {
  expect(toInbound(line, ctx)?.text).toBe(text);
});

test.each([[''], ['   '], ['\r'], ['\t']])('blank line %j is not a message', (line) => {
  expect(toInbound(line, ctx)).toBeNull();
});
