import { join } from 'node:path';
import { useRunningApp } from '../support/server';
import { EXTERNAL_REFERENCE, HTML_WRITES, INLINE_CODE, expectRevalidated, expectServed, pageFile } from './page-checks';

const PAGE_DIR = join(__dirname, '..', '..', 'src', 'channels', 'webchat', 'page');

const server = useRunningApp();

test.each([
  ['/', 'index.html', /^text\/html; charset=utf-8/],
  ['/webchat/app.js', 'app.js', /^text\/javascript; charset=utf-8/],
  ['/webchat/style.css', 'style.css', /^text\/css; charset=utf-8/],
])('%s serves %s with safe headers', async (path, file, type) => {
  const headers = await expectServed(server.url + path, PAGE_DIR, file, type);
  expect(headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
});

test('an unchanged page is not sent again', async () => {
  await expectRevalidated(server.url + '/webchat/app.js');
});

test('the page loads nothing from other sites and has no inline script or style', () => {
  const html = pageFile(PAGE_DIR, 'index.html');
  expect(html).not.toMatch(EXTERNAL_REFERENCE);
  expect(html).not.toMatch(INLINE_CODE);
});

test('the page script never writes text as HTML', () => {
  expect(pageFile(PAGE_DIR, 'app.js')).not.toMatch(HTML_WRITES);
});
