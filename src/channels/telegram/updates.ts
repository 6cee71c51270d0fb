import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { InboundError, type Engine } from '../../conversation/engine';
import type { InboundMessage } from '../../conversation/inbound';
import { errorFields, type Logger } from '../../conversation/logger';
import { toInbound } from './to-inbound';
import type { MessageTracker } from './tracked';

export interface UpdateDeps {
  engine: Engine;
  api: Api;
  log: Logger;
  now?: () => number;
  /** Where the person's message ids are kept for discreet mode (the channel's tracker). */
  tracker?: MessageTracker;
}

export type UpdateOutcome = 'processed' | 'duplicate' | 'ignored' | 'invalid';

/** An object with a whole-number update_id: the least an update must be. */
export function isUpdate(body: unknown): body is Update {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const id = (body as { update_id?: unknown }).update_id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

/**
 * A Bot API call made in the webhook's reply instead of as a request of its
 * own: Telegram makes it when it reads the reply. Its result is not known,
 * which is fine for answering a button press.
 */
export interface WebhookCall {
  method: 'answerCallbackQuery';
  callback_query_id: string;
}

/**
 * One update, from long polling: converted, handed to the engine (which sends
 * the replies through the channel), and a button press answered so that
 * Telegram stops showing it as loading. Updates the bot does not answer, and
 * malformed ones, are logged and dropped: Telegram would only send them
 * again. Failures of the engine itself are thrown.
 *
 * It resolves once the update is saved, before its replies are sent
 * (HandleOptions.until), as the webhook's answer does: grammY's long polling
 * handles a batch's updates one after another, so waiting for the Bot API's
 * round trips would hold back every other chat's updates.
 */
export async function handleUpdate(body: unknown, deps: UpdateDeps): Promise<UpdateOutcome> {
  const { outcome, pressed } = await handle(body, deps);
  if (pressed !== undefined) await answer(deps, pressed);
  return outcome;
}

/**
 * handleUpdate for the webhook: a button press is answered in the webhook's
 * reply (the call returned here), not by a request of its own, so the reply
 * does not wait for a round trip to Telegram and the bot makes one request
 * fewer. When handling fails, the press is answered at once as before, since
 * a failed reply carries nothing.
 *
 * Like handleUpdate, it resolves once the update is saved, before its
 * replies are sent: Telegram keeps at most `max_connections` updates (40 by
 * default) waiting for their answers, so an answer that waited for the Bot
 * API's own round trips would hold back every chat's updates. The replies
 * still go out in order: the conversation's next message waits for them.
 * Saved is enough to answer 200: the outbox sends what is saved, after a
 * crash too.
 */
export async function handleWebhookUpdate(body: unknown, deps: UpdateDeps): Promise<WebhookCall | null> {
  const { pressed } = await handle(body, deps);
  return pressed === undefined ? null : { method: 'answerCallbackQuery', callback_query_id: pressed };
}

/** The outcome, and the id of the button press still to answer (when handling threw, it was answered already). */
async function handle(body: unknown, deps: UpdateDeps): Promise<{ outcome: UpdateOutcome; pressed?: string }> {
  if (!isUpdate(body)) {
    deps.log.warn({ event: 'telegram-update-invalid' });
    return { outcome: 'invalid' };
  }
  let inbound;
  try {
    inbound = toInbound(body, { now: (deps.now ?? Date.now)() });
  } catch (err) {
    deps.log.warn({ event: 'telegram-update-invalid', updateId: body.update_id, ...errorFields(err) });
    return { outcome: 'invalid' };
  }
  const query = body.callback_query;
  const pressed = query && typeof query.id === 'string' ? query.id : undefined;
  let outcome: UpdateOutcome;
  try {
    outcome = await handled(body, inbound, deps);
  } catch (err) {
    if (pressed !== undefined) await answer(deps, pressed);
    throw err;
  }
  return pressed === undefined ? { outcome } : { outcome, pressed };
}

async function handled(body: Update, inbound: InboundMessage | null, deps: UpdateDeps): Promise<UpdateOutcome> {
  if (inbound === null) {
    deps.log.info({ event: 'telegram-update-ignored', updateId: body.update_id, kinds: Object.keys(body) });
    return 'ignored';
  }
  // Tracked before handling, so that a `clear` deletes the message that asked for it too.
  const message = body.message;
  if (deps.tracker && message) deps.tracker.add(inbound.conversationId, message.message_id, message.date * 1000);
  try {
    // Resolved once saved; the replies are sent after (see handleUpdate).
    const result = await deps.engine.handle(inbound, { until: 'committed' });
    return result.status;
  } catch (err) {
    if (!(err instanceof InboundError)) throw err;
    deps.log.warn({ event: 'telegram-update-invalid', updateId: body.update_id, issues: err.issues.length });
    return 'invalid';
  }
}

async function answer(deps: UpdateDeps, id: string): Promise<void> {
  try {
    await deps.api.answerCallbackQuery(id);
  } catch (err) {
    // An unanswered button only spins for a while; the replies are saved, and go out either way.
    deps.log.warn({ event: 'telegram-answer-failed', ...errorFields(err) });
  }
}
