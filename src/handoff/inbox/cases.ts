import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../../http/errors';
import { TEXT_MAX } from '../staff-side';
import { CATEGORIES } from '../types';
import { whoIs } from './auth';
import type { ConsoleContext } from './context';
import { parseInput } from './http-errors';
import { Names, caseSummary, caseViewBody, messageView, noteView } from './views';

/** Cases listed at most per request: a queue longer than this is a staffing problem, not a paging one. */
const LIST_LIMIT = 500;

const Text = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, 'must not be empty')
  .max(TEXT_MAX, `at most ${TEXT_MAX} characters`);

const ListQuery = z.object({
  status: z.enum(['open', 'waiting', 'assigned', 'closed'], { error: 'must be open, waiting, assigned or closed' }).default('open'),
  category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
  locale: z.string({ error: 'give locale once' }).regex(/^[a-z]{2,3}$/, 'must be a language code, e.g. en').optional(),
});

const TextBody = z.strictObject({ text: Text });
const TransferBody = z.strictObject({
  organisationId: z.string({ error: 'must be text' }).min(1, 'must not be empty').max(64, 'at most 64 characters'),
  note: Text,
});
/** claim and close take no fields: no body, or `{}`. */
const NoBody = z.strictObject({}).optional();

/** Case ids are short and URL-safe; anything else cannot be a case, so it is simply not found. */
const CASE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function caseId(params: unknown): string {
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !CASE_ID.test(id)) throw new HttpError(404, 'not_found', 'no such case');
  return id;
}

/**
 * The case endpoints (API.md, Cases). Each goes through the Handoff service,
 * which limits a caseworker to their organisation's cases (another's is
 * `not-found`) and writes the audit log.
 */
export function registerCases(app: FastifyInstance, ctx: ConsoleContext): void {
  const { handoff, store, clock } = ctx;

  app.get('/cases', async (request) => {
    const { user } = whoIs(request);
    const query = parseInput(ListQuery, request.query, 'the query');
    const cases = await handoff.listCases(user, query, LIST_LIMIT);
    const names = new Names(store);
    const now = clock();
    return { cases: await Promise.all(cases.map((c) => caseSummary(c, names, now))) };
  });

  app.get('/cases/:id', async (request) => {
    const { user } = whoIs(request);
    const view = await handoff.view(user, caseId(request.params));
    return caseViewBody(view, new Names(store), clock());
  });

  app.post('/cases/:id/claim', async (request) => {
    const { user } = whoIs(request);
    parseInput(NoBody, request.body);
    const c = await handoff.claim(user, caseId(request.params));
    return { case: await caseSummary(c, new Names(store), clock()) };
  });

  app.post('/cases/:id/reply', async (request) => {
    const { user } = whoIs(request);
    const id = caseId(request.params);
    const { text } = parseInput(TextBody, request.body);
    const message = await handoff.reply(user, id, text);
    return { message: await messageView(message, new Names(store)) };
  });

  app.post('/cases/:id/notes', async (request) => {
    const { user } = whoIs(request);
    const id = caseId(request.params);
    const { text } = parseInput(TextBody, request.body);
    const note = await handoff.note(user, id, text);
    return { note: await noteView(note, new Names(store)) };
  });

  app.post('/cases/:id/transfer', async (request) => {
    const { user } = whoIs(request);
    const id = caseId(request.params);
    const { organisationId, note } = parseInput(TransferBody, request.body);
    const c = await handoff.transfer(user, id, organisationId, note);
    return { case: await caseSummary(c, new Names(store), clock()) };
  });

  app.post('/cases/:id/close', async (request) => {
    const { user } = whoIs(request);
    parseInput(NoBody, request.body);
    const c = await handoff.close(user, caseId(request.params));
    return { case: await caseSummary(c, new Names(store), clock()) };
  });

  app.get('/organisations', async () => {
    const organisations = await store.listOrganisations();
    return { organisations: organisations.map((o) => ({ id: o.id, name: o.name })) };
  });
}
