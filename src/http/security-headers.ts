import type { FastifyInstance } from 'fastify';

/**
 * Headers for every response. The page loads nothing from elsewhere and runs
 * no inline script, so a strict policy costs nothing and limits the damage of
 * any injection; no referrer keeps a person's chat address out of the logs of
 * the sites the bot links to.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
}
