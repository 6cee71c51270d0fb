import { ManualSleep, recordingLogger, settle } from '../../../test/channels/whatsapp-web/manual-sleep';
import { Connection } from './connection';
import type { ClientEvent, ClientEvents, ClientListener, WhatsAppClientPort } from './port';

const TIMING = { reconnectBaseMs: 100, reconnectMaxMs: 400, startTimeoutMs: 1_000 };

/** A client whose starts the test ends: each initialize() waits until resolved or failed, or the browser closes. */
class ControlledStartClient implements WhatsAppClientPort {
  readonly calls: string[] = [];
  private starts: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private readonly listeners = new Map<ClientEvent, ClientListener<ClientEvent>[]>();

  on<E extends ClientEvent>(event: E, listener: ClientListener<E>): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as ClientListener<ClientEvent>]);
  }

  initialize(): Promise<void> {
    this.calls.push('initialize');
    return new Promise((resolve, reject) => this.starts.push({ resolve, reject }));
  }

  async destroy(): Promise<void> {
    this.calls.push('destroy');
    // As puppeteer: closing the browser fails the navigation under way.
    for (const start of this.starts.splice(0)) start.reject(new Error('Navigating frame was detached'));
  }

  async sendMessage(): Promise<void> {}

  async opened(): Promise<void> {
    this.starts.shift()?.resolve();
    await settle();
  }

  async failStart(message = 'net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/'): Promise<void> {
    this.starts.shift()?.reject(new Error(message));
    await settle();
  }

  async emit<E extends ClientEvent>(event: E, ...args: ClientEvents[E]): Promise<void> {
    for (const listener of this.listeners.get(event) ?? []) await (listener as ClientListener<E>)(...args);
    await settle();
  }
}

let client: ControlledStartClient;
let clock: ManualSleep;
let log: ReturnType<typeof recordingLogger>;
let connection: Connection;
let qrs: string[];

beforeEach(() => {
  client = new ControlledStartClient();
  clock = new ManualSleep();
  log = recordingLogger();
  qrs = [];
  connection = new Connection(client, { log, timing: TIMING, sleep: clock.sleep, now: () => 1_000_000, onQr: (qr) => qrs.push(qr) });
});

afterEach(async () => {
  await connection.stop();
});

test('links with a QR code, then gets ready; the code is passed on and shown, never logged', async () => {
  connection.start();
  expect(connection.snapshot()).toMatchObject({ state: 'starting', qr: null });
  await client.opened();

  await client.emit('qr', 'ref-1,keys');
  expect(qrs).toEqual(['ref-1,keys']);
  expect(connection.snapshot()).toMatchObject({ state: 'qr', qr: 'ref-1,keys' });

  await client.emit('authenticated');
  expect(connection.snapshot()).toMatchObject({ state: 'authenticated', qr: null });
  await client.emit('ready');
  expect(connection.snapshot()).toMatchObject({ state: 'ready', qr: null, failures: 0, retryAt: null });
  expect(JSON.stringify(log.lines)).not.toContain('ref-1');
});

test('failed starts are retried after 100, 200, 400, 400 ms (doubling, capped), and the count starts over once ready', async () => {
  connection.start();
  for (const wait of [100, 200, 400, 400]) {
    await client.failStart();
    expect(connection.snapshot()).toMatchObject({ state: 'disconnected', retryAt: 1_000_000 + wait });
    await clock.elapse(wait);
  }
  await client.opened();
  await client.emit('ready');
  expect(client.calls).toEqual(['initialize', 'destroy', 'initialize', 'destroy', 'initialize', 'destroy', 'initialize', 'destroy', 'initialize']);
  expect(log.events('whatsapp-web-start-failed')).toHaveLength(4);
  expect(log.events('whatsapp-web-start-failed')[0]).toMatchObject({ level: 'error', attempt: 1, err: { message: 'net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/' } });

  await client.emit('disconnected', 'CONFLICT');
  expect(log.events('whatsapp-web-reconnect').map((l) => l.inMs)).toEqual([100, 200, 400, 400, 100]);
});

test('a start that neither shows a code nor gets ready in time is abandoned and made again, once', async () => {
  connection.start();
  await client.opened();

  await clock.elapse(TIMING.startTimeoutMs);
  expect(log.events('whatsapp-web-start-timeout')).toEqual([expect.objectContaining({ state: 'starting', ms: 1_000 })]);
  await clock.elapse(100);

  expect(client.calls).toEqual(['initialize', 'destroy', 'initialize']);
  expect(log.events('whatsapp-web-reconnect')).toHaveLength(1);
});

test('a start still loading when it times out fails as the browser closes, without a second reconnection', async () => {
  connection.start();
  await clock.elapse(TIMING.startTimeoutMs);
  await clock.elapse(100);

  expect(client.calls).toEqual(['initialize', 'destroy', 'initialize']);
  expect(log.events('whatsapp-web-reconnect')).toHaveLength(1);
  expect(log.events('whatsapp-web-start-failed')).toEqual([]);
  expect(connection.snapshot().state).toBe('starting');
});

test('a QR code waiting to be scanned is not a hung start', async () => {
  connection.start();
  await client.opened();
  await client.emit('qr', 'ref-1');

  expect(clock.waiting).toEqual([]);
});

test('a loss reported twice (auth failure and disconnection) is one reconnection', async () => {
  connection.start();
  await client.opened();
  await client.emit('ready');

  await client.emit('auth_failure', 'restore failed');
  await client.emit('disconnected', 'UNPAIRED');

  expect(log.events('whatsapp-web-reconnect')).toHaveLength(1);
  expect(log.events('whatsapp-web-disconnected')).toEqual([expect.objectContaining({ level: 'warn', reason: 'UNPAIRED' })]);
  expect(log.events('whatsapp-web-auth-failure')).toEqual([expect.objectContaining({ reason: 'restore failed' })]);
});

test('a reason that is not a WhatsApp state is not logged as it is', async () => {
  connection.start();
  await client.emit('disconnected', 'chat 6591234567@c.us went away');
  expect(log.events('whatsapp-web-disconnected')).toEqual([expect.objectContaining({ reason: 'other' })]);
});

test('a client ready again during the back-off is left alone', async () => {
  connection.start();
  await client.opened();
  await client.emit('disconnected', 'TIMEOUT');
  await client.emit('ready');

  expect(clock.waiting).toEqual([]);
  expect(client.calls).toEqual(['initialize']);
  expect(connection.snapshot()).toMatchObject({ state: 'ready', retryAt: null });
});

test('waitReady: at once when ready, when it gets ready, false after the time given or when stopped', async () => {
  connection.start();
  const early = connection.waitReady(5_000);
  const late = connection.waitReady(50);
  await clock.elapse(50);
  expect(await late).toBe(false);

  await client.opened();
  await client.emit('ready');
  expect(await early).toBe(true);
  expect(await connection.waitReady(5_000)).toBe(true);

  await client.emit('disconnected', 'CONFLICT');
  const cut = connection.waitReady(5_000);
  await connection.stop();
  expect(await cut).toBe(false);
  expect(await connection.waitReady(5_000)).toBe(false);
});

test('stop closes the browser, ends a start under way, and nothing starts again', async () => {
  connection.start();
  await client.failStart();
  expect(clock.waiting).toEqual([100]);

  await connection.stop();
  await client.emit('disconnected', 'CONFLICT');

  expect(clock.waiting).toEqual([]);
  expect(client.calls).toEqual(['initialize', 'destroy']);
  expect(connection.snapshot().state).toBe('disconnected');
});

test('a logout from the phone is left to whatsapp-web.js, which shows a new code in the same browser', async () => {
  connection.start();
  await client.opened();
  await client.emit('ready');

  await client.emit('disconnected', 'LOGOUT');
  expect(connection.snapshot().state).toBe('disconnected');
  await client.emit('qr', 'ref-after-logout');

  expect(connection.snapshot()).toMatchObject({ state: 'qr', qr: 'ref-after-logout' });
  expect(client.calls).toEqual(['initialize']);
  expect(clock.waiting).toEqual([]);
});

test('a logout after which no new code comes in time is a hung start: the browser is started again', async () => {
  connection.start();
  await client.opened();
  await client.emit('ready');

  await client.emit('disconnected', 'LOGOUT');
  await clock.elapse(TIMING.startTimeoutMs);
  await clock.elapse(100);

  expect(log.events('whatsapp-web-start-timeout')).toEqual([expect.objectContaining({ state: 'disconnected' })]);
  expect(client.calls).toEqual(['initialize', 'destroy', 'initialize']);
});
