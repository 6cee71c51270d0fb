import type { Capabilities, ChannelPort, OutboundMessage } from '../../conversation/channel';
import { conversationKey } from '../../conversation/inbound';
import { MemoryLock } from '../../conversation/lock';
import { errorFields, hashKey, type Logger } from '../../conversation/logger';
import type { ConversationRef } from '../../conversation/record';
import type { Store } from '../../store/store';
import type { WhatsAppIncoming } from '../whatsapp/message';
import { BackgroundWork } from './background';
import { GraphError, REENGAGEMENT_ERROR, graphErrorFields, type GraphClient } from './graph-client';
import { CHANNEL } from './to-inbound';
import { templateRequest, toOutbound } from './to-outbound';
import { addWaiting, afterInbound, isOpen, parseWindowState, templateDue, type WindowState } from './window';

export interface WhatsAppCloudOptions {
  graph: GraphClient;
  store: Store;
  log: Logger;
  /** The approved template that says a reply is waiting. */
  templateName: string;
  /** The template's WhatsApp language code for a bot locale. */
  templateLanguage: (locale: string) => string;
  /** The label of the button that opens a list, in a locale (`whatsapp:listButton`). */
  listButton: (locale: string) => string;
  now?: () => number;
}

/**
 * The engine's port onto the WhatsApp Cloud API, and the keeper of each
 * person's 24-hour window (see window.ts). Inside the window replies are sent
 * as they are. Outside it they are held in the store, the approved template
 * tells the person a reply is waiting (once per closed window), and the held
 * replies go out, in order, when the person next writes, before the bot
 * answers that message.
 *
 * Each conversation's window state is read and written under a per-key lock,
 * so a webhook and a send (a reply, a caseworker's message) never race on it.
 * Nothing is cached in memory: a person's erasure, made through the store,
 * takes their window state and held replies with it.
 */
export class WhatsAppCloudChannel implements ChannelPort {
  readonly name = CHANNEL;
  readonly capabilities: Capabilities = {
    buttons: true,
    maxButtons: 10,
    maxButtonLabel: 20,
    linkButtons: false,
    maxTextLength: 4096,
  };
  /** Webhook work still running after its request was answered. */
  readonly background = new BackgroundWork();
  private readonly lock = new MemoryLock();
  private readonly now: () => number;

  constructor(private readonly opts: WhatsAppCloudOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Sends replies in order, or holds them when the window is closed. Throws
   * (leaving them in the engine's outbox) when a send fails for another
   * reason than the window.
   */
  async send(ref: ConversationRef, messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const key = conversationKey(ref);
    await this.lock.run(key, async () => {
      const state = await this.load(key);
      if (state === null) {
        // Every message from the person stores a state before the engine sees it, so none
        // means the person's data was just erased: the goodbye is sent, and nothing is kept.
        for (const message of messages) await this.deliver(ref, key, message, false);
        return;
      }
      const held = isOpen(state, this.now()) ? await this.deliverInWindow(ref, key, messages) : messages;
      if (held.length > 0) await this.hold(ref, key, state, held);
    });
  }

  /**
   * A message from the person, before the engine sees it: the window opens
   * (or moves on) and replies held for the person are delivered first. A
   * failure to deliver them is logged and they stay held; the person's
   * message is answered either way.
   */
  async receive(incoming: WhatsAppIncoming): Promise<void> {
    const ref: ConversationRef = { channel: CHANNEL, conversationId: incoming.from, userId: incoming.from };
    const key = conversationKey(ref);
    await this.lock.run(key, async () => {
      const now = this.now();
      const state = afterInbound(await this.load(key), incoming.timestamp, now);
      if (state.waiting.length > 0 && isOpen(state, now)) {
        const waiting = state.waiting;
        let sent = 0;
        try {
          for (const message of waiting) {
            await this.deliver(ref, key, message, true);
            sent++;
          }
        } catch (err) {
          const left = waiting.length - sent;
          this.opts.log.error({ event: 'whatsapp-cloud-waiting-failed', conversation: hashKey(key), left, ...graphErrorFields(err) });
        }
        state.waiting = waiting.slice(sent);
        if (sent > 0) this.opts.log.info({ event: 'whatsapp-cloud-waiting-sent', conversation: hashKey(key), sent });
      }
      await this.save(key, ref.userId, state);
    });
  }

  /** Resolves when no webhook work is left running. */
  idle(): Promise<void> {
    return this.background.idle();
  }

  /** Sends in order; returns the messages WhatsApp refused because the window had in fact closed. */
  private async deliverInWindow(ref: ConversationRef, key: string, messages: OutboundMessage[]): Promise<OutboundMessage[]> {
    for (let i = 0; i < messages.length; i++) {
      try {
        await this.deliver(ref, key, messages[i]!, true);
      } catch (err) {
        if (err instanceof GraphError && err.code === REENGAGEMENT_ERROR) {
          this.opts.log.warn({ event: 'whatsapp-cloud-window-closed', conversation: hashKey(key) });
          return messages.slice(i);
        }
        throw err;
      }
    }
    return [];
  }

  /** One reply: one request, or two when its text is too long for an interactive body. */
  private async deliver(ref: ConversationRef, key: string, message: OutboundMessage, record: boolean): Promise<void> {
    const { requests, skipped } = toOutbound(message, ref.conversationId, this.opts.listButton(message.locale));
    // Payloads are never logged: they can name a topic a person chose.
    if (skipped.length > 0) this.opts.log.warn({ event: 'whatsapp-cloud-payload-too-long', skipped: skipped.length });
    for (const request of requests) {
      let wamid: string | null;
      try {
        wamid = await this.opts.graph.send(request);
      } catch (err) {
        this.opts.log.error({ event: 'whatsapp-cloud-send-failed', conversation: hashKey(key), ...graphErrorFields(err) });
        throw err;
      }
      if (record && wamid !== null) await this.accepted(ref, key, wamid);
    }
  }

  /**
   * Keeps replies for the person's next message and, once per closed window,
   * sends the template in the language of the first of them. A template that
   * fails is logged and tried again with the next held reply; the replies are
   * kept either way, since the person will get them on writing again.
   */
  private async hold(ref: ConversationRef, key: string, state: WindowState, messages: OutboundMessage[]): Promise<void> {
    const { state: next, dropped } = addWaiting(state, messages);
    const log = this.opts.log;
    if (dropped > 0) log.warn({ event: 'whatsapp-cloud-waiting-dropped', conversation: hashKey(key), dropped });
    if (templateDue(next)) {
      const language = this.opts.templateLanguage(messages[0]!.locale);
      try {
        const wamid = await this.opts.graph.send(templateRequest(ref.conversationId, this.opts.templateName, language));
        next.templateSentAt = this.now();
        if (wamid !== null) await this.accepted(ref, key, wamid);
        log.info({ event: 'whatsapp-cloud-template-sent', conversation: hashKey(key), language });
      } catch (err) {
        log.error({ event: 'whatsapp-cloud-template-failed', conversation: hashKey(key), language, ...graphErrorFields(err) });
      }
    }
    await this.save(key, ref.userId, next);
    log.info({ event: 'whatsapp-cloud-held', conversation: hashKey(key), waiting: next.waiting.length });
  }

  private async accepted(ref: ConversationRef, key: string, wamid: string): Promise<void> {
    try {
      await this.opts.store.recordDelivery({
        channel: CHANNEL,
        externalId: wamid,
        conversationKey: key,
        userId: ref.userId,
        state: 'accepted',
        errorCode: null,
        errorTitle: null,
        updatedAt: this.now(),
      });
    } catch (err) {
      // The message went out; failing now would only send it twice.
      this.opts.log.error({ event: 'whatsapp-cloud-record-failed', conversation: hashKey(key), ...errorFields(err) });
    }
  }

  private async load(key: string): Promise<WindowState | null> {
    const raw = await this.opts.store.getReference(key);
    if (raw === null) return null;
    const state = parseWindowState(raw);
    if (state === null) this.opts.log.error({ event: 'whatsapp-cloud-state-unreadable', conversation: hashKey(key) });
    return state;
  }

  private save(key: string, userId: string, state: WindowState): Promise<void> {
    return this.opts.store.saveReference(key, CHANNEL, userId, state, this.now());
  }
}
