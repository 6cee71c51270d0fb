import { redact, safeErrorFields, safeReason } from './safe-log';

test.each([
  ['Evaluation failed: no chat 6591234567@c.us', 'Evaluation failed: no chat [chat]'],
  ['wid 123456789012345@lid unknown', 'wid [chat] unknown'],
  ['group 120363025246125486@g.us', 'group [chat]'],
  ['to +65 9123 4567 failed', 'to [number] failed'],
  ['net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/', 'net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/'],
  ['at Client.sendMessage (Client.js:1542:17)', 'at Client.sendMessage (Client.js:1542:17)'],
])('redact(%p) is %p', (text, expected) => {
  expect(redact(text)).toBe(expected);
});

test('an error keeps its type, and loses the chat from its message and stack', () => {
  const err = new TypeError('cannot read chat 6591234567@c.us');
  const fields = safeErrorFields(err) as { err: { type: string; message: string; stack: string } };
  expect(fields.err.type).toBe('TypeError');
  expect(fields.err.message).toBe('cannot read chat [chat]');
  expect(fields.err.stack).toContain('cannot read chat [chat]');
  expect(JSON.stringify(fields)).not.toContain('6591234567');
});

test('a thrown string (whatsapp-web.js throws some) becomes the message', () => {
  expect(safeErrorFields('auth timeout')).toMatchObject({ err: { type: 'Thrown', message: 'auth timeout' } });
  expect(safeErrorFields(42)).toMatchObject({ err: { message: 'a thrown number' } });
});

test('a disconnection reason is logged only when it looks like a WhatsApp state', () => {
  expect(safeReason('CONFLICT')).toBe('CONFLICT');
  expect(safeReason('Max qrcode retries reached')).toBe('Max qrcode retries reached');
  expect(safeReason('6591234567')).toBe('other');
  expect(safeReason(undefined)).toBe('other');
});
