import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/errors';
import { readCookie, serializeCookie } from './cookies';
import { sameSecret, type ConsoleSessions, type SignedIn } from './sessions';

export const COOKIE_NAME = 'vv_console';
/** The cookie goes back only to the console: the web chat and channel webhooks never see it. */
export const COOKIE_PATH = '/console';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookie(id: string, secure: boolean): string {
  return serializeCookie(COOKIE_NAME, id, { path: COOKIE_PATH, httpOnly: true, secure, sameSite: 'Strict' });
}

export function clearedCookie(secure: boolean): string {
  return serializeCookie(COOKIE_NAME, '', { path: COOKIE_PATH, httpOnly: true, secure, sameSite: 'Strict', maxAge: 0 });
}

export function cookieSessionId(request: FastifyRequest): string | null {
  return readCookie(request.headers.cookie, COOKIE_NAME);
}

/** Who is signed in on a request that passed `requireSession`. */
const signedIn = new WeakMap<FastifyRequest, SignedIn>();

export function whoIs(request: FastifyRequest): SignedIn {
  const who = signedIn.get(request);
  if (!who) throw new Error('route registered without requireSession');
  return who;
}

/**
 * An onRequest hook: a valid session, and on every change its CSRF token in
 * X-CSRF-Token. Runs before the body is read, so a refused change has done
 * nothing at all.
 */
export function requireSession(sessions: ConsoleSessions, secure: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const id = cookieSessionId(request);
    const who = await sessions.resolve(id);
    if (!who) {
      if (id !== null) reply.header('set-cookie', clearedCookie(secure));
      throw new HttpError(401, 'not_signed_in', 'not signed in');
    }
    if (!SAFE_METHODS.has(request.method)) {
      const token = request.headers['x-csrf-token'];
      if (typeof token !== 'string' || !sameSecret(token, who.session.csrfToken)) {
        throw new HttpError(403, 'csrf', 'missing or wrong CSRF token');
      }
    }
    signedIn.set(request, who);
  };
}

/** An onRequest hook for admin routes, after requireSession (so before the body is read). */
export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (whoIs(request).user.role !== 'admin') throw new HttpError(403, 'admin_only', 'only an admin can do this');
}
