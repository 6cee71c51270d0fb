import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the web chat's and the console's page tests check alike: both pages
 * are plain files served by src/http/static-page.ts under a strict policy.
 */

export function pageFile(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}

/** A reference to another site: the pages load everything from this server. */
export const EXTERNAL_REFERENCE = /(src|href)="(https?:)?\/\//;

/** Inline code or style, which the policies refuse: a script without src, a style element or attribute, an event handler attribute. */
export const INLINE_CODE = /<script>|<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i;

/** Ways a script could turn text into markup or code. */
export const HTML_WRITES = /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/;

/**
 * Fetches a served file and checks what every page file gets: 200, its
 * content type, the server-wide safe headers, no-cache, and the file as it
 * is on disk. Returns the headers, for the page's own policy.
 */
export async function expectServed(url: string, dir: string, file: string, type: RegExp): Promise<Headers> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(type);
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await res.text()).toBe(pageFile(dir, file));
  return res.headers;
}

/** Fetches a file, then again with its ETag: the second answer is a bodiless 304. */
export async function expectRevalidated(url: string): Promise<void> {
  const first = await fetch(url);
  const etag = first.headers.get('etag');
  expect(etag).toMatch(/^".+"$/);
  expect(first.headers.get('cache-control')).toBe('no-cache');
  const again = await fetch(url, { headers: { 'if-none-match': etag! } });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
}
