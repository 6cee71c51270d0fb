import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { errorFields, type Logger } from '../../conversation/logger';
import { HttpError, clientError } from '../../http/errors';
import { HandoffError } from '../service';

const STATUS: Record<HandoffError['code'], number> = {
  'not-found': 404,
  forbidden: 403,
  conflict: 409,
  invalid: 400,
};

/** Parses input with a zod schema, or throws a 400 naming each field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'the body'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) =>
    i.path.length === 0 ? `${what}: ${i.message}` : `${i.path.join('.')}: ${i.message}`,
  );
  throw new HttpError(400, 'invalid_input', issues.join('; '), issues);
}

/**
 * The console's error answers, `{ error: "<sentence>" }` (API.md), for every
 * route under its prefix: refusals of the handoff service keep their reason,
 * fastify's own errors get the app's plain sentences, and anything else is
 * logged and answered with a 500 that says nothing of the cause.
 */
export function consoleErrors(app: FastifyInstance, bodyLimit: number, log: Logger): void {
  app.setErrorHandler(async (err, request, reply) => {
    reply.header('cache-control', 'no-store');
    if (err instanceof HandoffError) {
      return reply.status(STATUS[err.code]).send({ error: err.message });
    }
    const known = clientError(err, bodyLimit);
    if (known) {
      return reply.status(known.statusCode).send(known.issues ? { error: known.message, issues: known.issues } : { error: known.message });
    }
    log.error({ event: 'console-error', route: request.routeOptions.url ?? 'unmatched', ...errorFields(err) });
    return reply.status(500).send({ error: 'something went wrong on the server; try again' });
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    reply.header('cache-control', 'no-store');
    return reply.status(404).send({ error: `there is nothing at ${request.method} ${path}` });
  });
}
