import type { ClientEvent, ClientEvents, ClientListener, WhatsAppClientPort } from '../../../src/channels/whatsapp-web/port';

export interface SentMessage {
  chatId: string;
  text: string;
}

/** What the fake does when the adapter initializes it. */
export type StartScript =
  /** A saved session: `authenticated`, then `ready`. */
  | 'ready'
  /** Not linked yet: a login QR code, and nothing more until the test emits. */
  | 'qr'
  /** Opens, and then only what the test emits. */
  | 'manual';

/** One thing that happened to the fake, in order, so tests can say what came before what. */
export type FakeEvent =
  | { kind: 'initialize' }
  | { kind: 'initialize-failed' }
  | { kind: 'destroy' }
  | { kind: 'emit'; event: ClientEvent }
  | { kind: 'sent'; chatId: string; text: string }
  | { kind: 'send-failed'; chatId: string };

export const FAKE_QR = '2@fakeRef0123456789abcdef,fakeStaticKey0123456789=,fakeIdentityKey0123456789=,fakeAdvSecret0123=,1';

/**
 * An in-process stand-in for whatsapp-web.js's Client behind the adapter's
 * port: it records what the adapter sends, fails sends or starts on demand,
 * and emits the client's events. `receive` waits until the adapter has
 * handled the message (the engine's turn and its replies included).
 */
export class FakeWhatsAppClient implements WhatsAppClientPort {
  readonly sent: SentMessage[] = [];
  readonly history: FakeEvent[] = [];
  script: StartScript = 'ready';
  /** This many sends fail, then sends work again. */
  failSends = 0;
  /** This many starts fail (as without internet), then starts work again. */
  failStarts = 0;
  private open = false;
  private readonly listeners = new Map<ClientEvent, ClientListener<ClientEvent>[]>();

  on<E extends ClientEvent>(event: E, listener: ClientListener<E>): void {
    const list = this.listeners.get(event) ?? [];
    list.push(listener as ClientListener<ClientEvent>);
    this.listeners.set(event, list);
  }

  async initialize(): Promise<void> {
    if (this.failStarts > 0) {
      this.failStarts--;
      this.history.push({ kind: 'initialize-failed' });
      throw new Error('net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/');
    }
    this.history.push({ kind: 'initialize' });
    this.open = true;
    const script = this.script;
    // As the real client: the page opens first, the login events follow.
    setImmediate(() => {
      if (script === 'ready') void this.emit('authenticated').then(() => this.emit('ready'));
      if (script === 'qr') void this.emit('qr', FAKE_QR);
    });
  }

  async destroy(): Promise<void> {
    this.history.push({ kind: 'destroy' });
    this.open = false;
  }

  async sendMessage(chatId: string, text: string): Promise<void> {
    if (!this.open || this.failSends > 0) {
      if (this.open) this.failSends--;
      this.history.push({ kind: 'send-failed', chatId });
      throw new Error(`Evaluation failed: could not send to ${chatId}`);
    }
    this.sent.push({ chatId, text });
    this.history.push({ kind: 'sent', chatId, text });
  }

  /** Emits an event to the adapter and waits for its listeners. */
  async emit<E extends ClientEvent>(event: E, ...args: ClientEvents[E]): Promise<void> {
    this.history.push({ kind: 'emit', event });
    if (event === 'disconnected') this.open = false;
    const listeners = (this.listeners.get(event) ?? []) as ClientListener<E>[];
    // Listeners may be plain functions; Promise.resolve makes each awaitable alike.
    await Promise.all(listeners.map((listener) => Promise.resolve(listener(...args))));
  }

  /** A message from a person (or a group, a status…), handled to the end. */
  receive(message: FakeMessage): Promise<void> {
    return this.emit('message', message);
  }

  count(kind: FakeEvent['kind']): number {
    return this.history.filter((e) => e.kind === kind).length;
  }
}

/** The fields of a whatsapp-web.js Message the adapter reads, and a few it does not. */
export interface FakeMessage {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  from: string;
  to: string;
  fromMe: boolean;
  isStatus: boolean;
  type: string;
  body: string;
  timestamp: number;
  hasMedia: boolean;
  author?: string;
}

let counter = 0;

/** A message as whatsapp-web.js builds it, from `from` (a chat id) to the bot. */
export function fakeMessage(from: string, fields: Partial<Omit<FakeMessage, 'from'>> & { idSuffix?: string } = {}): FakeMessage {
  const { idSuffix, ...rest } = fields;
  const own = rest.fromMe ?? false;
  const id = idSuffix ?? `3EB0${(++counter).toString(16).toUpperCase().padStart(16, '0')}`;
  return {
    id: { fromMe: own, remote: from, id, _serialized: `${own}_${from}_${id}` },
    from,
    to: '6580000000@c.us',
    fromMe: own,
    isStatus: false,
    type: 'chat',
    body: '',
    timestamp: Math.floor(Date.now() / 1000),
    hasMedia: false,
    ...rest,
  };
}

export const text = (from: string, body: string, fields: Partial<FakeMessage> & { idSuffix?: string } = {}) =>
  fakeMessage(from, { ...fields, type: 'chat', body });

/** Waits until `probe` holds, polling; throws after `ms`. */
export async function until(probe: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
