import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_CSP } from '../../src/handoff/inbox/page';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const PAGE_DIR = join(__dirname, '..', '..', 'src', 'handoff', 'inbox', 'page');

let db: TempDatabase;
let server: RunningApp;

beforeAll(async () => {
  db = tempDatabase();
  server = await startApp(db.path);
});

afterAll(async () => {
  await server.close();
  db.remove();
});

test.each([
  ['/console', 'index.html', /^text\/html; charset=utf-8/],
  ['/console/', 'index.html', /^text\/html; charset=utf-8/],
  ['/console/app.js', 'app.js', /^text\/javascript; charset=utf-8/],
  ['/console/style.css', 'style.css', /^text\/css; charset=utf-8/],
])('%s serves %s with the console policy and revalidation', async (path, file, type) => {
  const res = await fetch(server.url + path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(type);
  expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await res.text()).toBe(readFileSync(join(PAGE_DIR, file), 'utf8'));
});

test('the console policy allows only its own scripts, styles and connections, and no framing', () => {
  const directives = Object.fromEntries(CONSOLE_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
  expect(directives).toEqual({
    'default-src': "'none'",
    'script-src': "'self'",
    'style-src': "'self'",
    'connect-src': "'self'",
    'img-src': "'self'",
    'base-uri': "'none'",
    'form-action': "'self'",
    'frame-ancestors': "'none'",
  });
});

test('the web chat keeps the server-wide policy: the console policy stays on the console routes', async () => {
  const res = await fetch(server.url + '/');
  expect(res.headers.get('content-security-policy')).not.toBe(CONSOLE_CSP);
  expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
});

test('an unchanged file is not sent again', async () => {
  const first = await fetch(server.url + '/console/app.js');
  const etag = first.headers.get('etag');
  expect(etag).toMatch(/^".+"$/);
  const again = await fetch(server.url + '/console/app.js', { headers: { 'if-none-match': etag! } });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
});

test('the page loads nothing from other sites and has no inline script or style', () => {
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  expect(html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  const css = readFileSync(join(PAGE_DIR, 'style.css'), 'utf8');
  expect(css).not.toMatch(/@import|url\(/i);
});

test('the page script never writes text as HTML nor sets inline styles', () => {
  const js = readFileSync(join(PAGE_DIR, 'app.js'), 'utf8');
  expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|\.style\.|setAttribute\('style'/);
});

test('every form field of the page has a label', () => {
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  const fields = [...html.matchAll(/<(input|select|textarea)\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => !/type="hidden"/.test(tag))
    .map((tag) => /\sid="([^"]+)"/.exec(tag)?.[1]);
  expect(fields.length).toBeGreaterThan(10);
  for (const id of fields) expect(html).toContain(`<label for="${id}"`);
});
