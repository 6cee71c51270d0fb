import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type pino from 'pino';
import { errorFields } from '../conversation/logger';
import { clientError, type ErrorBody } from './errors';
import { acceptUtf8JsonOnly } from './json-parser';
import { addSecurityHeaders } from './security-headers';

export interface HttpServerOptions {
  log: pino.Logger;
  /** Largest request body, in bytes. */
  bodyLimit: number;
}

/**
 * The HTTP server every web channel registers its routes on: health, JSON
 * bodies checked as UTF-8, safe headers, and one error format for all routes.
 */
export function buildHttpServer(opts: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    // Typed as fastify's logger: with pino's own, wider type, fastify infers an
    // instance type that no plugin signature (FastifyInstance) accepts.
    loggerInstance: opts.log as FastifyBaseLogger,
    bodyLimit: opts.bodyLimit,
    // Fastify's request lines carry the full URL, query included, where a
    // conversation id (the only key to a transcript) would end up in the
    // logs; the hook below logs the route pattern instead.
    logController: new LogController({ disableRequestLogging: true }),
  });

  acceptUtf8JsonOnly(app);
  addSecurityHeaders(app);

  app.addHook('onResponse', async (request, reply) => {
    request.log.info({
      event: 'http',
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  app.setErrorHandler(async (err, request, reply) => {
    // A route may take more than the server's default (the WhatsApp webhook): a 413 names the route's own limit.
    const known = clientError(err, request.routeOptions.bodyLimit ?? opts.bodyLimit);
    if (known) {
      request.log.info({ event: 'client-error', code: known.code, status: known.statusCode });
      const body: ErrorBody = { error: { code: known.code, message: known.message } };
      if (known.issues) body.error.issues = known.issues;
      return reply.status(known.statusCode).send(body);
    }
    request.log.error({ event: 'server-error', ...errorFields(err) });
    const body: ErrorBody = {
      error: { code: 'internal', message: 'something went wrong on the server; please try again in a moment' },
    };
    return reply.status(500).send(body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const body: ErrorBody = { error: { code: 'not_found', message: `there is nothing at ${request.method} ${path}` } };
    return reply.status(404).send(body);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  return app;
}
