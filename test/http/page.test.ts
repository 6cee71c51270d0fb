import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const PAGE_DIR = join(__dirname, '..', '..', 'src', 'channels', 'webchat', 'page');

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
  ['/', 'index.html', /^text\/html; charset=utf-8/],
  ['/webchat/app.js', 'app.js', /^text\/javascript; charset=utf-8/],
  ['/webchat/style.css', 'style.css', /^text\/css; charset=utf-8/],
])('%s serves %s with safe headers', async (path, file, type) => {
  const res = await fetch(server.url + path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(type);
  expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await res.text()).toBe(readFileSync(join(PAGE_DIR, file), 'utf8'));
});

test('an unchanged page is not sent again', async () => {
  const first = await fetch(server.url + '/webchat/app.js');
  const etag = first.headers.get('etag');
  expect(etag).toMatch(/^".+"$/);
  const again = await fetch(server.url + '/webchat/app.js', { headers: { 'if-none-match': etag! } });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
});

test('the page loads nothing from other sites and has no inline script or style', () => {
  const html = readFileSync(join(PAGE_DIR, 'index.html'), 'utf8');
  expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  expect(html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
});

test('the page script never writes text as HTML', () => {
  const js = readFileSync(join(PAGE_DIR, 'app.js'), 'utf8');
  expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
});
