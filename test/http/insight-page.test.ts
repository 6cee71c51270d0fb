import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_JS_URL, INSIGHT_PAGE } from '../../src/handoff/inbox/insight-page';
import { CONSOLE_CSP } from '../../src/handoff/inbox/page';
import { useRunningApp } from '../support/server';
import { EXTERNAL_REFERENCE, HTML_WRITES, INLINE_CODE, expectRevalidated, expectServed, pageFile } from './page-checks';

const PAGE_DIR = join(__dirname, '..', '..', 'src', 'handoff', 'inbox', 'insight-page');
const SCRIPTS = readdirSync(PAGE_DIR).filter((f) => f.endsWith('.js'));

const server = useRunningApp();

const SERVED: [path: string, file: string, type: RegExp][] = [
  [INSIGHT_PAGE, 'insight.html', /^text\/html; charset=utf-8/],
  ...SCRIPTS.map((file): [string, string, RegExp] => [`/console/${file}`, file, /^text\/javascript; charset=utf-8/]),
  ['/console/insight.css', 'insight.css', /^text\/css; charset=utf-8/],
];

test.each(SERVED)('%s serves %s with the console policy and revalidation', async (path, file, type) => {
  const headers = await expectServed(server.url + path, PAGE_DIR, file, type);
  expect(headers.get('content-security-policy')).toBe(CONSOLE_CSP);
});

test('Chart.js comes from the installed package, from this server, under the same policy', async () => {
  const res = await fetch(server.url + CHART_JS_URL);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
  const installed = readFileSync(join(__dirname, '..', '..', 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'), 'utf8');
  const body = await res.text();
  expect(body).not.toContain('sourceMappingURL');
  expect(installed.startsWith(body.trimEnd())).toBe(true);
  await expectRevalidated(server.url + CHART_JS_URL);
});

test('the page loads its scripts after Chart.js, nothing from other sites, and no inline script or style', () => {
  const html = pageFile(PAGE_DIR, 'insight.html');
  const loaded = [...html.matchAll(/<script src="\/console\/([^"]+)" defer><\/script>/g)].map((m) => m[1]);
  expect(loaded).toEqual(['vendor/chart.umd.min.js', 'insight-charts.js', 'insight.js']);
  expect(html).not.toMatch(EXTERNAL_REFERENCE);
  expect(html).not.toMatch(INLINE_CODE);
  expect(pageFile(PAGE_DIR, 'insight.css')).not.toMatch(/@import|url\(/i);
});

test.each(SCRIPTS)('%s never writes text as HTML nor sets inline styles', (file) => {
  const js = pageFile(PAGE_DIR, file);
  expect(js).not.toMatch(HTML_WRITES);
  expect(js).not.toMatch(/\.style\.|setAttribute\('style'/);
});

test('every form field of the page has a label', () => {
  const html = pageFile(PAGE_DIR, 'insight.html');
  const fields = [...html.matchAll(/<(input|select|textarea)\b[^>]*>/g)].map((m) => /\sid="([^"]+)"/.exec(m[0])?.[1]);
  expect(fields).toEqual(['range-from', 'range-to']);
  for (const id of fields) expect(html).toContain(`<label for="${id}"`);
});

test('the console links to the insight page', () => {
  const console = pageFile(join(PAGE_DIR, '..', 'page'), 'index.html');
  expect(console).toContain(`<a id="nav-insight" href="${INSIGHT_PAGE}">Insight</a>`);
});
