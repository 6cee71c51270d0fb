import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_CSP, CONSOLE_SCRIPTS } from '../../src/handoff/inbox/page';
import { useRunningApp } from '../support/server';
import { EXTERNAL_REFERENCE, HTML_WRITES, INLINE_CODE, expectRevalidated, expectServed, pageFile } from './page-checks';

const PAGE_DIR = join(__dirname, '..', '..', 'src', 'handoff', 'inbox', 'page');
const SCRIPTS = readdirSync(PAGE_DIR).filter((f) => f.endsWith('.js'));

const server = useRunningApp();

const SERVED: [path: string, file: string, type: RegExp][] = [
  ['/console', 'index.html', /^text\/html; charset=utf-8/],
  ['/console/', 'index.html', /^text\/html; charset=utf-8/],
  ...SCRIPTS.map((file): [string, string, RegExp] => [`/console/${file}`, file, /^text\/javascript; charset=utf-8/]),
  ['/console/style.css', 'style.css', /^text\/css; charset=utf-8/],
];

test.each(SERVED)('%s serves %s with the console policy and revalidation', async (path, file, type) => {
  const headers = await expectServed(server.url + path, PAGE_DIR, file, type);
  expect(headers.get('content-security-policy')).toBe(CONSOLE_CSP);
});

test('the page loads every script of its folder, each once, in the order they are served in', () => {
  const html = pageFile(PAGE_DIR, 'index.html');
  const loaded = [...html.matchAll(/<script src="\/console\/([^"]+)" defer><\/script>/g)].map((m) => m[1]);
  expect(loaded).toEqual([...CONSOLE_SCRIPTS]);
  expect([...loaded].sort()).toEqual([...SCRIPTS].sort());
  // The namespace the others add to comes first; the file that starts the page comes last.
  expect(loaded[0]).toBe('core.js');
  expect(loaded.at(-1)).toBe('main.js');
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
  await expectRevalidated(server.url + '/console/main.js');
});

test('the page loads nothing from other sites and has no inline script or style', () => {
  const html = pageFile(PAGE_DIR, 'index.html');
  expect(html).not.toMatch(EXTERNAL_REFERENCE);
  expect(html).not.toMatch(INLINE_CODE);
  expect(pageFile(PAGE_DIR, 'style.css')).not.toMatch(/@import|url\(/i);
});

test.each(SCRIPTS)('%s never writes text as HTML nor sets inline styles', (file) => {
  const js = pageFile(PAGE_DIR, file);
  expect(js).not.toMatch(HTML_WRITES);
  expect(js).not.toMatch(/\.style\.|setAttribute\('style'/);
});

test('every form field of the page has a label', () => {
  const html = pageFile(PAGE_DIR, 'index.html');
  const fields = [...html.matchAll(/<(input|select|textarea)\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => !/type="hidden"/.test(tag))
    .map((tag) => /\sid="([^"]+)"/.exec(tag)?.[1]);
  expect(fields.length).toBeGreaterThan(10);
  for (const id of fields) expect(html).toContain(`<label for="${id}"`);
});
