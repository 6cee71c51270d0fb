import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { loadStaticFiles, type PageFile, type StaticFile } from '../../http/static-page';
import { consolePageRoutes } from './page';

export const INSIGHT_PAGE = '/console/insight';
export const CHART_JS_URL = '/console/vendor/chart.umd.min.js';

const FILES: readonly PageFile[] = [
  { url: INSIGHT_PAGE, file: 'insight.html' },
  { url: '/console/insight-charts.js', file: 'insight-charts.js' },
  { url: '/console/insight.js', file: 'insight.js' },
  { url: '/console/insight.css', file: 'insight.css' },
];

/**
 * Chart.js as npm installed it, served by the bot so that the page loads
 * nothing from another site (the console's policy allows only 'self'). The
 * source map comment goes: the map is not served, and a browser's developer
 * tools would only ask for it in vain.
 */
function loadChartJs(): StaticFile {
  // The package exports only its module entry (dist/chart.cjs); the browser build lies beside it.
  const file = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  const body = readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
  return { body, type: 'text/javascript; charset=utf-8', etag };
}

/** Read once at start-up, like the console page: a missing file stops the server, not a caseworker's page. */
export function loadInsightPage(dir: string = join(__dirname, 'insight-page')): Map<string, StaticFile> {
  const files = loadStaticFiles(dir, FILES);
  files.set(CHART_JS_URL, loadChartJs());
  return files;
}

/**
 * The insight dashboard's page at /console/insight, with the console's
 * policy: its data comes from /console/api/insight after the same login.
 */
export function insightPageRoutes(files: ReadonlyMap<string, StaticFile> = loadInsightPage()): FastifyPluginAsync {
  // The console's own serving, policy and headers, with these files.
  return consolePageRoutes(files);
}
