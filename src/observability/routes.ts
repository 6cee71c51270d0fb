import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

/** What readiness asks: each check resolves when its dependency answers. */
export interface ReadinessDeps {
  database: () => Promise<unknown>;
  /** Absent without Redis. */
  redis?: () => Promise<unknown>;
  /** Each channel's state: `ok`, or what it is doing instead (`qr`, `disconnected`…). Shown, never blocking. */
  channels: () => Record<string, string>;
  /** True from the moment the instance begins to stop. */
  stopping: () => boolean;
  /** A check that has not answered by then counts as failed. */
  timeoutMs?: number;
}

export interface OpsRouteDeps {
  readiness: ReadinessDeps;
  registry: Registry;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * `GET /readyz`: whether a load balancer should send this instance traffic.
 * 200 when the database (and Redis, when configured) answer and the
 * instance is not stopping; 503 otherwise. Channels are reported but never
 * make the instance unready: a WhatsApp Web number waiting for its QR scan
 * must not take the web chat, the other channels and the QR page itself
 * off the load balancer. `GET /healthz` stays the liveness check.
 *
 * `GET /metrics`: Prometheus text format.
 */
export function opsRoutes(deps: OpsRouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/readyz', async (_request, reply) => {
      const { readiness } = deps;
      const timeoutMs = readiness.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const [database, redis] = await Promise.all([
        check(readiness.database, timeoutMs),
        readiness.redis ? check(readiness.redis, timeoutMs) : Promise.resolve(undefined),
      ]);
      const checks = { database, ...(redis === undefined ? {} : { redis }), channels: readiness.channels() };
      const stopping = readiness.stopping();
      const ready = !stopping && database === 'ok' && (redis === undefined || redis === 'ok');
      reply.header('cache-control', 'no-store');
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : stopping ? 'stopping' : 'unready', checks });
    });

    app.get('/metrics', async (request, reply) => {
      if (deps.metricsToken !== undefined && !bearerMatches(request.headers.authorization, deps.metricsToken)) {
        return reply
          .status(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: { code: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' } });
      }
      const text = await deps.registry.metrics();
      return reply.header('cache-control', 'no-store').type(deps.registry.contentType).send(text);
    });
  };
}

/** `ok`, `timeout` or `unavailable`: never the error's text, which may name a host or a user. */
async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<'ok' | 'timeout' | 'unavailable'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    return await Promise.race([probe().then(() => 'ok' as const), timeout]);
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}

/** Compares in time that depends on neither value. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}
