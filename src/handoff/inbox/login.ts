import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../../http/errors';
import { dummyVerify, verifyPassword, PASSWORD_MAX_LENGTH } from '../passwords';
import { staffUserView } from '../staff';
import type { StaffUser } from '../types';
import { clearedCookie, cookieSessionId, requireSession, sessionCookie, whoIs } from './auth';
import type { ConsoleContext } from './context';
import { parseInput } from './http-errors';

const WINDOW_MS = 15 * 60_000;
/** Failed logins allowed per email, and per client address (an office may share one), in 15 minutes. */
export const LOGIN_LIMITS = { perEmail: 5, perAddress: 20, windowMs: WINDOW_MS };

const LoginBody = z.strictObject({
  email: z.string({ error: 'must be text' }).trim().min(1, 'must not be empty').max(254, 'at most 254 characters'),
  password: z.string({ error: 'must be text' }).min(1, 'must not be empty').max(PASSWORD_MAX_LENGTH, `at most ${PASSWORD_MAX_LENGTH} characters`),
});

const WRONG = 'wrong email or password';

/** An email in the audit log and in memory: enough to link attempts, not to read the address back. */
export function emailTag(email: string): string {
  return createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 16);
}

export function consoleUser(user: StaffUser) {
  const { id, email, name, role, organisationId } = staffUserView(user);
  return { id, email, name, role, organisationId };
}

/**
 * A browser says where a request comes from; a login posted from another
 * site (login CSRF, which would sign a caseworker into an attacker's
 * account) is refused. Tools that send no Origin (curl) are let through.
 */
function foreignOrigin(request: FastifyRequest, publicOrigin: string | null): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  const own = `${request.protocol}://${request.host}`;
  return origin !== own && origin !== publicOrigin;
}

/** Login, logout and "who am I" (API.md, Sessions and CSRF). */
export function registerLogin(app: FastifyInstance, ctx: ConsoleContext): void {
  const { store, sessions, secure, clock, log } = ctx;
  const byEmail = ctx.failureLimiter('login-email', { max: LOGIN_LIMITS.perEmail, windowMs: LOGIN_LIMITS.windowMs });
  const byAddress = ctx.failureLimiter('login-address', { max: LOGIN_LIMITS.perAddress, windowMs: LOGIN_LIMITS.windowMs });

  app.post('/login', async (request, reply) => {
    if (foreignOrigin(request, ctx.publicOrigin)) throw new HttpError(403, 'foreign_origin', 'a login from another site is refused');
    const { email: given, password } = parseInput(LoginBody, request.body);
    const email = given.toLowerCase();
    const emailKey = emailTag(email);
    const address = request.ip;
    const wait = Math.max(await byEmail.retryAfter(emailKey), await byAddress.retryAfter(address));
    if (wait > 0) {
      log.warn({ event: 'console-login-limited' });
      reply.header('retry-after', String(wait));
      const minutes = Math.ceil(wait / 60);
      const when = minutes === 1 ? 'a minute' : `${minutes} minutes`;
      throw new HttpError(429, 'too_many_attempts', `too many failed attempts: try again in ${when}`);
    }

    const user = await store.findUserByEmail(email);
    const ok = user ? await verifyPassword(password, user.passwordHash) : await dummyVerify(password);
    if (!user || !ok) {
      await byEmail.fail(emailKey);
      await byAddress.fail(address);
      await store.audit({
        at: clock(),
        userId: user?.id ?? null,
        action: 'login.failed',
        caseId: null,
        detail: user ? { reason: 'password' } : { reason: 'unknown email', email: emailKey },
      });
      throw new HttpError(401, 'wrong_credentials', WRONG);
    }
    if (user.disabled) {
      await store.audit({ at: clock(), userId: user.id, action: 'login.failed', caseId: null, detail: { reason: 'disabled' } });
      throw new HttpError(403, 'disabled', 'this account is disabled');
    }
    await byEmail.forget(emailKey);
    // A login over an existing session (another user at the same browser) ends that one rather than leave it behind.
    await sessions.end(cookieSessionId(request));
    const { id, session } = await sessions.start(user.id);
    await store.audit({ at: clock(), userId: user.id, action: 'login', caseId: null, detail: {} });
    reply.header('set-cookie', sessionCookie(id, secure)).header('cache-control', 'no-store');
    return { user: consoleUser(user), csrfToken: session.csrfToken };
  });

  app.register(async (signed) => {
    signed.addHook('onRequest', requireSession(sessions, secure));

    signed.get('/me', async (request, reply) => {
      const { user, session } = whoIs(request);
      const org = await store.getOrganisation(user.organisationId);
      reply.header('cache-control', 'no-store');
      return {
        user: consoleUser(user),
        organisation: org && {
          id: org.id,
          name: org.name,
          languages: org.languages,
          countries: org.countries,
          expectedResponseMinutes: org.expectedResponseMinutes,
        },
        csrfToken: session.csrfToken,
      };
    });

    signed.post('/logout', async (request, reply) => {
      const { user, session } = whoIs(request);
      await sessions.end(cookieSessionId(request));
      ctx.live.endSession(session.idHash);
      await store.audit({ at: clock(), userId: user.id, action: 'logout', caseId: null, detail: {} });
      return reply.header('set-cookie', clearedCookie(secure)).header('cache-control', 'no-store').status(204).send();
    });
  });
}
