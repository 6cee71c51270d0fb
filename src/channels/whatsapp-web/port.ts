/**
 * The part of a whatsapp-web.js `Client` the adapter uses, so that the
 * adapter can be tested against an in-process fake and the browser-driving
 * library stays in one file (client.ts).
 */
export interface ClientEvents {
  /** A new login QR code (the library refreshes it every 20 seconds or so until it is scanned). */
  qr: [qr: string];
  authenticated: [];
  /** A saved session could not be restored. */
  auth_failure: [message: string];
  /** Linked and synced: messages can be sent and received. */
  ready: [];
  /** A WhatsApp state (`CONFLICT`, `UNPAIRED`, `UNLAUNCHED`…) or `LOGOUT`. */
  disconnected: [reason: string];
  /** An incoming message, as the library gives it: read through to-inbound.ts, never trusted. */
  message: [message: unknown];
}

export type ClientEvent = keyof ClientEvents;

/**
 * A listener may return a promise; the real client ignores it (an
 * EventEmitter), the fake awaits it so that tests know when a turn is over.
 * Listeners must therefore never reject.
 */
export type ClientListener<E extends ClientEvent> = (...args: ClientEvents[E]) => void | Promise<void>;

export interface WhatsAppClientPort {
  on<E extends ClientEvent>(event: E, listener: ClientListener<E>): void;
  /** Launches the browser and opens WhatsApp Web; rejects when either fails. */
  initialize(): Promise<void>;
  /** Closes the browser. Safe to call when it is not open. */
  destroy(): Promise<void>;
  /** Sends a plain text message; rejects when WhatsApp Web did not take it. */
  sendMessage(chatId: string, text: string): Promise<void>;
}
