import { english, keyOf } from '../../support';
import { text, until } from './fake-client';
import { FAST, startWithFakeClient, type Harness } from './harness';

const PHONE = '6591234567';
const CHAT = `${PHONE}@c.us`;

let h: Harness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});

const events = (harness: Harness, name: string) => harness.logs.filter((l) => l.event === name);

test('a failed send is tried again, and the replies go out once each, in order', async () => {
  h = await startWithFakeClient();
  h.client.failSends = FAST.sendAttempts - 1;

  await h.client.receive(text(CHAT, 'hi'));

  const keys = h.client.sent.map((m) => keyOf(m.text));
  expect(keys).toEqual(['common:welcome', 'situation:where']);
  expect(h.client.history.filter((e) => e.kind === 'send-failed' || e.kind === 'sent').map((e) => e.kind)).toEqual([
    'send-failed',
    'send-failed',
    'sent',
    'sent',
  ]);
  expect(events(h, 'whatsapp-web-send-failed').map((l) => l.attempt)).toEqual([1, 2]);
  expect(events(h, 'delivery-failed')).toEqual([]);
});

test('a reply that fails every attempt is kept in the outbox and logged; the next turn waits behind it, then all go out in order', async () => {
  h = await startWithFakeClient();
  h.client.failSends = FAST.sendAttempts;
  const first = text(CHAT, 'hi');

  await h.client.receive(first);

  expect(h.client.sent).toEqual([]);
  // One reply per attempt: the first gave up after the sender's own tries; the second was not tried.
  expect(events(h, 'whatsapp-web-send-gave-up')).toEqual([expect.objectContaining({ attempts: FAST.sendAttempts, left: 1 })]);
  expect(events(h, 'delivery-failed')).toHaveLength(1);
  const kept = await h.server.app.store.repliesTo(`whatsapp-web:${PHONE}`, first.id._serialized);
  expect(kept?.map((e) => e.deliveredAt)).toEqual([null, null]);

  await h.client.receive(text(CHAT, 'menu'));
  expect(h.client.sent).toEqual([]);
  // The outbox tries again after its back-off (1 s), now that WhatsApp Web takes messages.
  await until(() => h!.client.sent.length === 3);
  expect(h.client.sent.map((m) => keyOf(m.text))).toEqual(['common:welcome', 'situation:where', 'menu:prompt']);
});

test('after a disconnection the client is closed and started again, and a reply waits for `ready`', async () => {
  h = await startWithFakeClient();
  await h.client.receive(text(CHAT, 'hi'));
  h.client.script = 'manual';

  await h.client.emit('disconnected', 'CONFLICT');
  const turn = h.client.receive(text(CHAT, 'menu'));
  await until(() => h!.client.count('initialize') === 2);
  // Started again after the back-off, but not ready yet: nothing has gone out.
  const sentBefore = h.client.sent.length;
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(h.client.sent).toHaveLength(sentBefore);

  await h.client.emit('ready');
  await turn;

  expect(h.client.sent.slice(sentBefore).map((m) => m.text)).toEqual([expect.stringContaining(english('menu:prompt'))]);
  const order = h.client.history.map((e) => (e.kind === 'emit' ? e.event : e.kind)).filter((e) => e !== 'message');
  const restart = order.lastIndexOf('initialize');
  expect(order.slice(order.indexOf('disconnected'), restart + 1)).toEqual(['disconnected', 'destroy', 'initialize']);
  expect(order.lastIndexOf('ready')).toBeLessThan(order.lastIndexOf('sent'));
  expect(events(h, 'whatsapp-web-disconnected')).toEqual([expect.objectContaining({ reason: 'CONFLICT' })]);
  expect(events(h, 'whatsapp-web-reconnect')).toEqual([expect.objectContaining({ attempt: 1, inMs: FAST.reconnectBaseMs })]);
});

test('a start that fails (no network) is logged and tried again, waiting longer each time up to the cap, until it works', async () => {
  h = await startWithFakeClient({ configure: (client) => (client.failStarts = 3) });

  await until(() => h!.logs.some((l) => l.event === 'whatsapp-web-ready'));

  const failures = events(h, 'whatsapp-web-start-failed');
  expect(failures).toHaveLength(3);
  expect(failures[0]).toMatchObject({ err: { message: 'net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/' } });
  expect(events(h, 'whatsapp-web-reconnect').map((l) => l.inMs)).toEqual([20, 40, 80]);
  expect(h.client.history.map((e) => e.kind).filter((k) => k !== 'emit')).toEqual([
    'initialize-failed',
    'destroy',
    'initialize-failed',
    'destroy',
    'initialize-failed',
    'destroy',
    'initialize',
  ]);

  await h.client.receive(text(CHAT, 'hi'));
  expect(keyOf(h.client.sent[0]!.text)).toBe('common:welcome');
});

test('while the number is not linked, a reply waits a bounded time, then stays in the outbox', async () => {
  h = await startWithFakeClient({ script: 'qr', timing: { readyWaitMs: 50 } });
  const message = text(CHAT, 'hi');

  await h.client.receive(message);

  expect(h.client.sent).toEqual([]);
  expect(events(h, 'whatsapp-web-send-not-ready')).toEqual([expect.objectContaining({ waitedMs: 50 })]);
  expect((await h.server.app.store.repliesTo(`whatsapp-web:${PHONE}`, message.id._serialized))?.every((e) => e.deliveredAt === null)).toBe(true);
});

test('discreet mode: `clear` sends its neutral reply, and says in the log that WhatsApp Web deletes nothing', async () => {
  h = await startWithFakeClient();
  await h.client.receive(text(CHAT, 'hi'));
  const before = h.client.sent.length;

  await h.client.receive(text(CHAT, 'clear'));

  expect(h.client.sent.slice(before).map((m) => m.text)).toEqual([english('common:cleared')]);
  expect(events(h, 'whatsapp-web-clear-not-supported')).toHaveLength(1);
});

test('closing the app closes the browser, and a reply waiting for a connection gives up at once', async () => {
  h = await startWithFakeClient({ script: 'qr', timing: { readyWaitMs: 60_000 } });
  const turn = h.client.receive(text(CHAT, 'hi'));
  await until(() => h!.logs.some((l) => l.event === 'turn'));
  const started = Date.now();

  await h.close();
  await turn;

  expect(Date.now() - started).toBeLessThan(5_000);
  expect(h.client.history.at(-1)).toEqual({ kind: 'destroy' });
  expect(h.client.sent).toEqual([]);
  h = null;
});
