/**
 * The little of RFC 6265 the console needs, without @fastify/cookie: read
 * one name from a Cookie header, and write a Set-Cookie line.
 */

/**
 * The value of the first cookie called `name`, or null. Pairs without `=`
 * and values that are not valid percent-encoding are skipped, never thrown
 * on: the header is whatever the client sent.
 */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    if (pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  return null;
}

export interface CookieOptions {
  path: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'Strict' | 'Lax';
  /** Seconds; 0 deletes the cookie; absent makes it last until the browser closes. */
  maxAge?: number;
}

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PATH = /^\/[\x21-\x3a\x3c-\x7e]*$/;

export function serializeCookie(name: string, value: string, opts: CookieOptions): string {
  if (!NAME.test(name)) throw new Error('invalid cookie name');
  if (!PATH.test(opts.path)) throw new Error('invalid cookie path');
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path}`];
  if (opts.maxAge !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`);
  if (opts.httpOnly) parts.push('HttpOnly');
  if (opts.secure) parts.push('Secure');
  parts.push(`SameSite=${opts.sameSite}`);
  return parts.join('; ');
}
