import type { ChannelPort } from '../../conversation/channel';
import { InboundError } from '../../conversation/engine';
import { conversationKey, type InboundMessage } from '../../conversation/inbound';
import { hashKey, type Logger } from '../../conversation/logger';
import { MAX_TEXT_LENGTH } from '../whatsapp/message';
import { Connection, type ConnectionSnapshot } from './connection';
import type { WhatsAppClientPort } from './port';
import { safeErrorFields } from './safe-log';
import { OrderedSender } from './sender';
import { printQr, type TextOutput } from './terminal-qr';
import { DEFAULT_TIMING, sleep as realSleep, type Sleep, type Timing } from './timing';
import { CHANNEL, chatIdOf, toIncoming } from './to-inbound';

export interface WhatsAppWebOptions {
  /** Makes the client once; the composition root passes the real one (client.ts). */
  createClient: () => WhatsAppClientPort;
  log: Logger;
  /** Where the login QR code is drawn; null draws it nowhere (the page still shows it). */
  qrOutput: TextOutput | null;
  timing?: Partial<Timing>;
  sleep?: Sleep;
  now?: () => number;
}

/** What the composition root lets tests replace: a fake client, no terminal drawing, short waits. */
export type WhatsAppWebOverrides = Partial<Pick<WhatsAppWebOptions, 'createClient' | 'qrOutput' | 'timing' | 'sleep'>>;

/** Hands a message to the engine; the engine sends the replies through `channel`. */
export type InboundHandler = (message: InboundMessage) => Promise<unknown>;

export interface WhatsAppWeb {
  channel: ChannelPort;
  status(): ConnectionSnapshot;
  /** Launches the client; incoming messages go to `handle`. Returns at once. */
  start(handle: InboundHandler): void;
  /** Closes the browser, and waits for the messages being handled. */
  stop(): Promise<void>;
}

/**
 * WhatsApp through whatsapp-web.js: an unofficial client that drives
 * WhatsApp Web in Chromium, for pilots on one machine. Private messages go to
 * the engine; replies are plain text, choices a numbered list (the renderer
 * writes it: the channel has no buttons).
 *
 * Discreet mode (`clearBefore`) is not honoured, on purpose. WhatsApp Web
 * can delete the bot's own messages "for everyone" only for a limited time,
 * and each deletion leaves "This message was deleted" on the person's phone,
 * which draws the eye to the chat; it cannot touch the person's own messages;
 * and clearing the chat here clears only the bot's side. None of that
 * protects someone whose phone is checked, so the neutral reply is sent as
 * it is, and the person deletes the chat on their phone (README).
 */
export function createWhatsAppWeb(opts: WhatsAppWebOptions): WhatsAppWeb {
  const timing: Timing = { ...DEFAULT_TIMING, ...opts.timing };
  const sleep = opts.sleep ?? realSleep;
  const now = opts.now ?? Date.now;
  const { log } = opts;
  const client = opts.createClient();
  const stopper = new AbortController();
  const qrOutput = opts.qrOutput;
  const connection = new Connection(client, {
    log,
    timing,
    sleep,
    now,
    onQr: qrOutput === null ? undefined : (qr) => printQr(qr, qrOutput),
  });
  const sender = new OrderedSender({
    client,
    waitReady: (ms) => connection.waitReady(ms),
    log,
    timing,
    sleep,
    signal: stopper.signal,
  });

  let handle: InboundHandler | null = null;
  const handling = new Set<Promise<void>>();

  const receive = async (raw: unknown): Promise<void> => {
    if (handle === null || stopper.signal.aborted) return;
    const incoming = toIncoming(raw);
    if (incoming.kind === 'ignored') {
      log.info({ event: 'whatsapp-web-message-ignored', reason: incoming.reason });
      return;
    }
    const conversation = hashKey(conversationKey(incoming.inbound));
    try {
      await handle(incoming.inbound);
    } catch (err) {
      // Never thrown back: the library calls this from an event, where a rejection would be unhandled.
      if (err instanceof InboundError) log.warn({ event: 'whatsapp-web-message-invalid', conversation, issues: err.issues.length });
      else log.error({ event: 'whatsapp-web-message-failed', conversation, ...safeErrorFields(err) });
    }
  };

  client.on('message', (raw) => {
    const task = receive(raw);
    handling.add(task);
    return task.finally(() => handling.delete(task));
  });

  const channel: ChannelPort = {
    name: CHANNEL,
    capabilities: {
      buttons: false,
      maxButtons: 0,
      maxButtonLabel: 0,
      linkButtons: false,
      maxTextLength: MAX_TEXT_LENGTH,
    },
    async send(ref, messages) {
      const conversation = hashKey(conversationKey(ref));
      if (messages.some((m) => m.clearBefore === true)) {
        log.info({ event: 'whatsapp-web-clear-not-supported', conversation });
      }
      await sender.send(
        chatIdOf(ref.conversationId),
        messages.map((m) => m.text),
        conversation,
      );
    },
  };

  return {
    channel,
    status: () => connection.snapshot(),
    start(h) {
      handle = h;
      connection.start();
    },
    async stop() {
      stopper.abort();
      await connection.stop();
      await Promise.allSettled([...handling]);
    },
  };
}
