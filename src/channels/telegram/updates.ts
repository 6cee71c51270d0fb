import type { Api } from 'grammy';
import type { Update } from 'grammy/types';
import { InboundError, type Engine } from '../../conversation/engine';
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
 * One update, from the webhook or from long polling: converted, handed to the
 * engine (which sends the replies through the channel), and a button press
 * answered so that Telegram stops showing it as loading. Updates the bot does
 * not answer, and malformed ones, are logged and dropped: Telegram would only
 * send them again. Failures of the engine itself are thrown.
 */
export async function handleUpdate(body: unknown, deps: UpdateDeps): Promise<UpdateOutcome> {
  if (!isUpdate(body)) {
    deps.log.warn({ event: 'telegram-update-invalid' });
    return 'invalid';
  }
  let inbound;
  try {
    inbound = toInbound(body, { now: (deps.now ?? Date.now)() });
  } catch (err) {
    deps.log.warn({ event: 'telegram-update-invalid', updateId: body.update_id, ...errorFields(err) });
    return 'invalid';
  }
  const query = body.callback_query;
  try {
    if (inbound === null) {
      deps.log.info({ event: 'telegram-update-ignored', updateId: body.update_id, kinds: Object.keys(body) });
      return 'ignored';
    }
    // Tracked before handling, so that a `clear` deletes the message that asked for it too.
    const message = body.message;
    if (deps.tracker && message) deps.tracker.add(inbound.conversationId, message.message_id, message.date * 1000);
    try {
      const result = await deps.engine.handle(inbound);
      return result.status;
    } catch (err) {
      if (!(err instanceof InboundError)) throw err;
      deps.log.warn({ event: 'telegram-update-invalid', updateId: body.update_id, issues: err.issues.length });
      return 'invalid';
    }
  } finally {
    if (query && typeof query.id === 'string') await answer(deps, query.id);
  }
}

async function answer(deps: UpdateDeps, id: string): Promise<void> {
  try {
    await deps.api.answerCallbackQuery(id);
  } catch (err) {
    // An unanswered button only spins for a while; the replies went out.
    deps.log.warn({ event: 'telegram-answer-failed', ...errorFields(err) });
  }
}
