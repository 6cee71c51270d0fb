import { InboundError, type Engine } from '../../conversation/engine';
import { conversationKey } from '../../conversation/inbound';
import { errorFields, hashKey, type Logger } from '../../conversation/logger';
import type { DeliveryState, Store } from '../../store/store';
import { phoneDigits, toInbound } from '../whatsapp/message';
import type { WhatsAppCloudChannel } from './channel';
import { CHANNEL, toIncoming } from './to-inbound';
import type { CloudMessage, CloudStatus, MessagesValue, WebhookPayload } from './webhook-schema';

export interface WebhookDeps {
  engine: Engine;
  channel: WhatsAppCloudChannel;
  store: Store;
  log: Logger;
  /** This bot's phone number id: changes for any other number of the account are ignored. */
  phoneNumberId: string;
}

const STATES: Readonly<Record<string, DeliveryState>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
};

/**
 * Handles validated webhook payloads after their request was answered.
 * Meta delivers at least once and retries what it thinks was missed, so the
 * same message can arrive twice, even twice at once: the engine skips a
 * message id it has processed, and the ids being handled right now are kept
 * here so that a second copy arriving meanwhile is dropped at once.
 */
export class WebhookProcessor {
  private readonly inFlight = new Set<string>();

  constructor(private readonly deps: WebhookDeps) {}

  /** Starts handling the payload in the background (see BackgroundWork) and returns at once. */
  accept(payload: WebhookPayload): void {
    this.deps.channel.background.run(
      () => this.process(payload),
      (err) => this.deps.log.error({ event: 'whatsapp-cloud-webhook-failed', ...errorFields(err) }),
    );
  }

  /** Every change of the payload, in order: statuses first, then messages, each one on its own. */
  async process(payload: WebhookPayload): Promise<void> {
    for (const entry of payload.entry) {
      for (const change of entry.changes) {
        if (change.value === null) {
          this.deps.log.info({ event: 'whatsapp-cloud-change-ignored', field: change.field });
          continue;
        }
        await this.processValue(change.value);
      }
    }
  }

  private async processValue(value: MessagesValue): Promise<void> {
    const { log } = this.deps;
    if (value.metadata.phone_number_id !== this.deps.phoneNumberId) {
      log.warn({
        event: 'whatsapp-cloud-other-number',
        messages: value.messages?.length ?? 0,
        statuses: value.statuses?.length ?? 0,
      });
      return;
    }
    for (const status of value.statuses ?? []) {
      try {
        await this.recordStatus(status);
      } catch (err) {
        log.error({ event: 'whatsapp-cloud-status-failed-to-record', ...errorFields(err) });
      }
    }
    for (const message of value.messages ?? []) {
      try {
        await this.handleMessage(message);
      } catch (err) {
        log.error({ event: 'whatsapp-cloud-message-failed', ...errorFields(err) });
      }
    }
  }

  private async handleMessage(message: CloudMessage): Promise<void> {
    const { log } = this.deps;
    const incoming = toIncoming(message);
    if (incoming === null) {
      log.info({ event: 'whatsapp-cloud-message-ignored', type: message.type });
      return;
    }
    if (this.inFlight.has(incoming.id)) {
      log.info({ event: 'whatsapp-cloud-duplicate-in-flight' });
      return;
    }
    this.inFlight.add(incoming.id);
    try {
      // The window first: it must be open, and held replies sent, before the engine answers.
      await this.deps.channel.receive(incoming);
      await this.deps.engine.handle(toInbound(CHANNEL, incoming));
    } catch (err) {
      if (!(err instanceof InboundError)) throw err;
      log.warn({ event: 'whatsapp-cloud-message-invalid', type: message.type, issues: err.issues.length });
    } finally {
      this.inFlight.delete(incoming.id);
    }
  }

  /**
   * A status of a message the bot sent, recorded against its wamid (the
   * store keeps the furthest state). Only for people the bot still knows: a
   * late status for someone whose data was erased must not bring a record of
   * them back.
   */
  private async recordStatus(status: CloudStatus): Promise<void> {
    const { log, store } = this.deps;
    const state = STATES[status.status];
    if (state === undefined) {
      log.info({ event: 'whatsapp-cloud-status-ignored', status: status.status.slice(0, 32) });
      return;
    }
    const recipient = phoneDigits(status.recipient_id);
    if (recipient === null) {
      log.info({ event: 'whatsapp-cloud-status-ignored', status: state });
      return;
    }
    const key = conversationKey({ channel: CHANNEL, conversationId: recipient });
    const error = status.errors?.[0];
    if (state === 'failed') {
      log.warn({ event: 'whatsapp-cloud-status-failed', conversation: hashKey(key), code: error?.code ?? null });
    }
    if ((await store.getReference(key)) === null) {
      log.info({ event: 'whatsapp-cloud-status-unknown', conversation: hashKey(key), status: state });
      return;
    }
    await store.recordDelivery({
      channel: CHANNEL,
      externalId: status.id,
      conversationKey: key,
      userId: recipient,
      state,
      errorCode: error?.code ?? null,
      errorTitle: error?.title ?? null,
      updatedAt: Number(status.timestamp) * 1000,
    });
  }
}
