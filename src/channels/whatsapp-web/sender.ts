import type { Logger } from '../../conversation/logger';
import type { WhatsAppClientPort } from './port';
import { safeErrorFields } from './safe-log';
import { backoff, type Sleep, type Timing } from './timing';

/** A reply that did not go out: the engine keeps it in its outbox. */
export class SendError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'SendError';
  }
}

export interface SenderOptions {
  client: Pick<WhatsAppClientPort, 'sendMessage'>;
  /** Resolves true once the client is ready, false when it was not within `ms`. */
  waitReady: (ms: number) => Promise<boolean>;
  log: Logger;
  timing: Pick<Timing, 'readyWaitMs' | 'sendAttempts' | 'sendRetryBaseMs' | 'sendRetryMaxMs'>;
  sleep: Sleep;
  /** Aborted when the channel stops: waiting replies give up at once. */
  signal: AbortSignal;
}

/**
 * Sends texts to chats, in order per chat: a batch starts only when the
 * chat's previous batch is done, and within a batch a text is sent only
 * after the one before it went out. A text waits (a bounded time) for the
 * client to be ready, and a failed send is tried again after a growing
 * pause, a few times. When it still fails, the batch stops there and the
 * error is thrown, so that the engine keeps the replies: none is dropped
 * silently, and none overtakes an earlier one.
 */
export class OrderedSender {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly opts: SenderOptions) {}

  /** `conversation` is the hashed key that stands for the chat in logs. */
  send(chatId: string, texts: readonly string[], conversation: string): Promise<void> {
    const previous = this.tails.get(chatId) ?? Promise.resolve();
    // A failed batch has been reported to its own caller; the next one still goes.
    const run = previous.then(() => this.deliver(chatId, texts, conversation));
    const tail = run.catch(() => undefined);
    this.tails.set(chatId, tail);
    void tail.then(() => {
      if (this.tails.get(chatId) === tail) this.tails.delete(chatId);
    });
    return run;
  }

  private async deliver(chatId: string, texts: readonly string[], conversation: string): Promise<void> {
    const { log, timing } = this.opts;
    for (const [index, text] of texts.entries()) {
      for (let attempt = 1; ; attempt++) {
        if (this.opts.signal.aborted) throw new SendError('the WhatsApp Web channel has stopped');
        if (!(await this.opts.waitReady(timing.readyWaitMs))) {
          log.warn({ event: 'whatsapp-web-send-not-ready', conversation, waitedMs: timing.readyWaitMs, left: texts.length - index });
          throw new SendError(`WhatsApp Web was not ready within ${timing.readyWaitMs} ms`);
        }
        try {
          await this.opts.client.sendMessage(chatId, text);
          break;
        } catch (err) {
          if (attempt >= timing.sendAttempts) {
            log.error({ event: 'whatsapp-web-send-gave-up', conversation, attempts: attempt, left: texts.length - index, ...safeErrorFields(err) });
            throw new SendError(`WhatsApp Web did not take a reply after ${attempt} attempts`, err);
          }
          const delay = backoff(attempt, timing.sendRetryBaseMs, timing.sendRetryMaxMs);
          log.warn({ event: 'whatsapp-web-send-failed', conversation, attempt, retryInMs: delay, ...safeErrorFields(err) });
          await this.opts.sleep(delay, this.opts.signal);
        }
      }
    }
  }
}
