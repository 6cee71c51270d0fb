import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../../conversation/logger';
import type { Handoff } from '../service';
import type { HandoffStore } from '../store';
import { registerAdmin } from './admin';
import { registerAlerts, type ConsoleAlerts } from './alerts';
import { requireSession, whoIs } from './auth';
import { registerCases } from './cases';
import type { InsightStore } from '../../insight/store';
import { registerInsight } from './insight';
import type { ConsoleContext } from './context';
import { consoleErrors } from './http-errors';
import { KEEP_ALIVE_MS, LiveStreams } from './live';
import { registerLogin } from './login';
import { MemoryFailureLimiter, type FailureLimiterFactory } from './rate-limit';
import { ConsoleSessions } from './sessions';

export const CONSOLE_API_PREFIX = '/console/api';

export interface ConsoleApiOptions {
  store: HandoffStore;
  handoff: Handoff;
  /** The languages the bot speaks. */
  locales: readonly string[];
  /** CONSOLE_SESSION_HOURS */
  sessionHours: number;
  /** Cookies with `Secure`: true when served over https (PUBLIC_URL set, or production). */
  secureCookies: boolean;
  /** PUBLIC_URL, whose origin a login may come from behind a TLS proxy. */
  publicUrl?: string;
  /** Largest request body (HTTP_BODY_LIMIT), for the error that names it. */
  bodyLimit: number;
  log: Logger;
  clock?: () => number;
  keepAliveMs?: number;
  /** Where failed logins are counted; in this process's memory when not given (one instance). */
  failureLimiter?: FailureLimiterFactory;
  /** The insight counts behind /insight and /insight.csv; those routes are absent without it. */
  insight?: InsightStore;
  /** Alert broadcasts to subscribers (admins only); those routes are absent without it. */
  alerts?: ConsoleAlerts;
}

/**
 * The caseworker console's JSON API under /console/api (API.md beside this
 * file). The page itself (GET /console and its files) is served apart.
 */
export function consoleApiRoutes(opts: ConsoleApiOptions): FastifyPluginAsync {
  return async (app) => {
    await app.register(
      async (api) => {
        const clock = opts.clock ?? Date.now;
        const log = opts.log.child({ area: 'console' });
        const sessions = new ConsoleSessions(opts.store, { hours: opts.sessionHours, clock });
        const live = new LiveStreams(opts.handoff, sessions, log, opts.keepAliveMs ?? KEEP_ALIVE_MS);
        const ctx: ConsoleContext = {
          store: opts.store,
          handoff: opts.handoff,
          sessions,
          live,
          secure: opts.secureCookies,
          publicOrigin: opts.publicUrl ? new URL(opts.publicUrl).origin : null,
          locales: opts.locales,
          clock,
          log,
          failureLimiter: opts.failureLimiter ?? ((_name, rule) => new MemoryFailureLimiter(rule, clock)),
        };

        consoleErrors(api, opts.bodyLimit, log);
        // Every answer here is about people or staff: never kept by a browser or proxy cache.
        api.addHook('onSend', async (_request, reply, payload) => {
          reply.header('cache-control', 'no-store');
          return payload;
        });
        // Open streams would keep the server's close() waiting for browsers that never hang up.
        api.addHook('preClose', async () => live.endAll());

        registerLogin(api, ctx);
        await api.register(async (signed) => {
          signed.addHook('onRequest', requireSession(sessions, ctx.secure));
          registerCases(signed, ctx);
          signed.get('/events', async (request, reply) => {
            live.open(reply, whoIs(request));
          });
          const insight = opts.insight;
          if (insight) registerInsight(signed, ctx, insight);
          await signed.register(async (admin) => registerAdmin(admin, ctx));
          const alerts = opts.alerts;
          if (alerts) await signed.register(async (admin) => registerAlerts(admin, ctx, alerts));
        });
      },
      { prefix: CONSOLE_API_PREFIX },
    );
  };
}
