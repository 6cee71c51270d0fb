import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { OutboundMessage } from '../../conversation/channel';
import { InboundError, type Engine } from '../../conversation/engine';
import { conversationKey } from '../../conversation/inbound';
import type { Store } from '../../store/store';
import { HttpError } from '../../http/errors';
import { CHANNEL, toInbound } from './to-inbound';

/** Replies returned by one history request; a client asks again after the last seq for more. */
export const HISTORY_PAGE = 100;

const HistoryQuery = z.object({
  conversationId: z
    .string({ error: (i) => (i.input === undefined ? 'conversationId is missing' : 'give conversationId once') })
    .regex(/^[A-Za-z0-9_-]{8,64}$/, "conversationId must be 8 to 64 letters, digits, '-' or '_'"),
  after: z
    .string({ error: 'give after once' })
    .regex(/^\d{1,15}$/, 'after must be a whole number, 0 or more')
    .transform(Number)
    .default(0),
});

function invalid(issues: string[]): HttpError {
  return new HttpError(400, 'invalid_message', issues.join('; '), issues);
}

export interface WebchatDeps {
  engine: Engine;
  store: Store;
}

/** The web chat's JSON API; see API.md beside this file. */
export function registerApi(app: FastifyInstance, { engine, store }: WebchatDeps): void {
  app.post('/api/webchat/messages', async (request, reply) => {
    const parsed = toInbound(request.body, { now: Date.now(), newId: randomUUID });
    if (!parsed.ok) throw invalid(parsed.issues);
    let result;
    try {
      result = await engine.handle(parsed.message);
    } catch (err) {
      if (err instanceof InboundError) throw invalid(err.issues);
      throw err;
    }
    // Each reply carries its outbox seq so that a client that also polls the history shows it once
    // (none after "delete my data", whose goodbye is not kept).
    const { seqs } = result;
    const replies = seqs ? result.replies.map((r, i) => ({ seq: seqs[i], ...r })) : result.replies;
    reply.header('cache-control', 'no-store');
    return { status: result.status, replies, lastSeq: seqs?.at(-1) ?? null };
  });

  app.get('/api/webchat/messages', async (request, reply) => {
    const query = HistoryQuery.safeParse(request.query);
    if (!query.success) {
      const issues = query.error.issues.map((i) => i.message);
      throw new HttpError(400, 'invalid_query', issues.join('; '), issues);
    }
    const { conversationId, after } = query.data;
    const entries = await store.outboxSince(conversationKey({ channel: CHANNEL, conversationId }), after, HISTORY_PAGE);
    reply.header('cache-control', 'no-store');
    return {
      messages: entries.map((e) => ({ seq: e.seq, ...(e.message as OutboundMessage) })),
      lastSeq: entries.at(-1)?.seq ?? after,
    };
  });
}
