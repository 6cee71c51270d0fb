import type { Activity, CloudAdapter, TurnContext } from 'botbuilder';
import type { FastifyPluginAsync } from 'fastify';
import { InboundError, type Engine } from '../../conversation/engine';
import type { InboundMessage } from '../../conversation/inbound';
import { errorFields, type Logger } from '../../conversation/logger';
import { HttpError } from '../../http/errors';
import type { TeamsChannel } from './channel';
import { CHANNEL, scopedId, toInbound } from './to-inbound';

export interface TeamsDeps {
  engine: Engine;
  adapter: CloudAdapter;
  channel: TeamsChannel;
  log: Logger;
}

/** What the first greeting asks the engine for: a newcomer gets the welcome, anyone else the menu. */
export const GREETING_PAYLOAD = 'cmd.menu';

/** botbuilder's view of an HTTP response; collected, then written by fastify. */
class ResponseShim {
  statusCode = 200;
  body: unknown = undefined;
  readonly headers: Record<string, string> = {};
  readonly socket = null;
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  header(name: string, value: unknown): this {
    this.headers[name] = String(value);
    return this;
  }
  send(body: unknown): this {
    this.body = body;
    return this;
  }
  end(): this {
    return this;
  }
}

/**
 * The Bot Framework messaging endpoint. botbuilder authenticates the request
 * (or, without an app id, accepts it as the Emulator sends it) and runs the
 * turn; the engine's replies go out through TeamsChannel.send, which posts
 * them to the activity's connector (serviceUrl) — the only path replies take.
 */
export function teamsRoutes(deps: TeamsDeps): FastifyPluginAsync {
  const { adapter } = deps;
  const logic = (context: TurnContext) => onTurn(deps, context);
  return async (app) => {
    app.post('/api/messages', async (request, reply) => {
      // botbuilder throws (a 500) on these instead of answering 400.
      const body = request.body as { type?: unknown } | null | undefined;
      if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof body.type !== 'string' || body.type === '') {
        throw new HttpError(400, 'invalid_activity', 'the body must be a Bot Framework activity with a type');
      }
      const res = new ResponseShim();
      const req = {
        body: request.body as Record<string, unknown> | undefined,
        headers: request.headers as Record<string, string | string[] | undefined>,
        method: request.method,
      };
      await adapter.process(req, res, logic);
      for (const [name, value] of Object.entries(res.headers)) void reply.header(name, value);
      reply.status(res.statusCode);
      if (res.body === undefined) return reply.send();
      return reply.send(typeof res.body === 'string' ? { error: { code: 'bot_framework', message: res.body } } : res.body);
    });
  };
}

async function onTurn({ engine, channel, log }: TeamsDeps, context: TurnContext): Promise<void> {
  const activity = context.activity;
  // Saved before the turn runs, so its replies (and any sent later) can be delivered.
  await channel.references.remember(activity);
  if (activity.type === 'invoke') {
    // The bot's buttons send messages, never invokes; without an answer botbuilder would say 501.
    log.info({ event: 'teams-invoke-ignored' });
    await context.sendActivity({ type: 'invokeResponse', value: { status: 200 } });
    return;
  }
  let inbound: InboundMessage | null = null;
  if (activity.type === 'message') inbound = toInbound(activity, Date.now());
  else if (activity.type === 'conversationUpdate' && botWasAdded(activity)) inbound = greeting(activity);
  if (!inbound) return;
  try {
    // Answered once saved: the replies go to the connector after, through the outbox, still in the conversation's order.
    await engine.handle(inbound, { until: 'committed' });
  } catch (err) {
    if (!(err instanceof InboundError)) throw err;
    log.info({ event: 'teams-invalid-message', channel: CHANNEL, ...errorFields(err) });
  }
}

function botWasAdded(activity: Activity): boolean {
  const botId = activity.recipient?.id;
  return botId !== undefined && (activity.membersAdded ?? []).some((m) => m.id === botId);
}

/**
 * The bot added to a chat: the engine is run with a menu request under a
 * message id fixed per conversation, so a newcomer gets the welcome once,
 * however many times the update is delivered.
 */
function greeting(activity: Activity): InboundMessage | null {
  const conversationId = activity.conversation?.id;
  const userId = activity.from?.id;
  if (!conversationId || !userId) return null;
  const message: InboundMessage = {
    channel: CHANNEL,
    conversationId,
    userId,
    payload: GREETING_PAYLOAD,
    messageId: scopedId(conversationId, 'bot-added'),
    timestamp: Date.now(),
  };
  if (typeof activity.locale === 'string' && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(activity.locale)) {
    message.locale = activity.locale;
  }
  return message;
}
