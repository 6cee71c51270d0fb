import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { createOrganisation } from '../../src/handoff/organisation-admin';
import { createStaffUser } from '../../src/handoff/staff';
import type { InsightIncrement, InsightMetric } from '../../src/insight/store';
import { BROWSER_TIMEOUT, PHONE, describeWithChromium, useChromium } from '../support/chromium';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const DAY = 86_400_000;
const daysAgo = (n: number): string => new Date(Date.now() - n * DAY).toISOString().slice(0, 10);
const STAFF = { email: 'asha@qrcs.test', name: 'Asha Rahman', password: 'asha-long-password-1' };

function times(n: number, organisationId: string, day: string, metric: InsightMetric, dimension = ''): InsightIncrement[] {
  return Array.from({ length: n }, () => ({ day, organisationId, metric, dimension }));
}

describeWithChromium('the insight dashboard in Chromium', () => {
  const chromium = useChromium();
  let db: TempDatabase;
  let server: RunningApp;
  let context: BrowserContext | null = null;
  /** Script errors, console errors (a refused script or style is one) and CSP violations of the page. */
  const problems: string[] = [];

  beforeAll(async () => {
    db = tempDatabase();
    server = await startApp(db.path);
    const org = await createOrganisation(
      server.app.handoffStore,
      { name: 'Qatar Red Crescent', languages: ['en', 'ne'], countries: ['QA'], expectedResponseMinutes: 30, alertTarget: null },
      Date.now(),
    );
    await createStaffUser(server.app.handoffStore, { ...STAFF, role: 'caseworker', organisationId: org.id }, Date.now());
    await server.app.insightStore.add([
      ...times(12, org.id, daysAgo(2), 'conversation.started'),
      ...times(3, org.id, daysAgo(1), 'conversation.started'),
      ...times(8, org.id, daysAgo(2), 'flow.started', 'passport'),
      ...times(5, org.id, daysAgo(2), 'flow.finished', 'passport'),
      ...times(6, org.id, daysAgo(2), 'language.used', 'ne'),
      ...times(2, org.id, daysAgo(1), 'case.opened', 'passport/normal'),
      ...times(7, org.id, daysAgo(1), 'case.first_reply', '5-15'),
      ...times(9, org.id, daysAgo(2), 'country.current', 'QA'),
    ]);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await server?.close();
    db?.remove();
  });

  afterEach(async () => {
    await context?.close();
    context = null;
    expect(problems.splice(0)).toEqual([]);
  });

  async function phone(): Promise<Page> {
    context = await chromium.phoneContext();
    const page = await context.newPage();
    page.setDefaultTimeout(BROWSER_TIMEOUT / 2);
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // The console page asks /me before anyone logs in: that 401 is an answer, not a fault; the
      // browser's own favicon request is not the page's (the bot has no icon).
      const url = m.location().url;
      if (m.type() === 'error' && !/status of 401/.test(m.text()) && !url.endsWith('/favicon.ico')) problems.push(`console: ${m.text()} ${url}`);
    });
    await page.exposeFunction('reportCsp', (what: string) => problems.push(`CSP: ${what}`));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        void (window as unknown as { reportCsp: (s: string) => void }).reportCsp(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    return page;
  }

  test('signed out, the page offers the console login', async () => {
    const page = await phone();
    await page.goto(`${server.url}/console/insight`);
    await page.getByRole('heading', { name: 'Log in first' }).waitFor();
    expect(await page.getByRole('link', { name: 'Log in to the console' }).getAttribute('href')).toBe('/console');
    expect(await page.locator('#insight').isHidden()).toBe(true);
  });

  test('a caseworker sees the charts, "fewer than 5" for a count of 3, and gets the CSV', async () => {
    const page = await phone();
    await page.goto(`${server.url}/console`);
    const form = page.locator('#login');
    await form.getByLabel('Email').fill(STAFF.email);
    await form.getByLabel('Password').fill(STAFF.password);
    await form.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who-name', { hasText: STAFF.name }).waitFor();
    await page.locator('#nav').getByRole('link', { name: 'Insight' }).click();
    await page.waitForURL(`${server.url}/console/insight`);

    await page.locator('#loading', { hasText: `Showing ${daysAgo(29)} to ${daysAgo(0)}.` }).waitFor();
    expect(await page.locator('#range-from').inputValue()).toBe(daysAgo(29));
    const canvases = page.locator('#charts canvas');
    expect(await canvases.count()).toBe(7);
    // Chart.js drew into every canvas: each has a chart and a size from its box.
    const drawn = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#charts canvas')).map((c) => {
        const chart = (window as unknown as { Chart: { getChart(c: Element): unknown } }).Chart.getChart(c);
        return chart !== undefined && (c as HTMLCanvasElement).width > 0 && (c as HTMLCanvasElement).height > 0;
      }),
    );
    expect(drawn).toEqual([true, true, true, true, true, true, true]);

    const conversations = page.locator('#chart-conversations');
    await conversations.locator('tr', { has: page.locator('th', { hasText: daysAgo(1) }) }).locator('td', { hasText: /^fewer than 5$/ }).waitFor();
    expect(await conversations.locator('tr', { has: page.locator('th', { hasText: daysAgo(2) }) }).locator('td').textContent()).toBe('12');
    await page.locator('#chart-cases td', { hasText: /^fewer than 5$/ }).waitFor();
    expect(await page.locator('#charts').textContent()).not.toMatch(/\b[234]\b(?! min)/);

    // Fits the phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`insight-${daysAgo(29)}-to-${daysAgo(0)}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')).toEqual(
      expect.arrayContaining([
        'day,metric,dimension,count',
        `${daysAgo(2)},conversation.started,,12`,
        `${daysAgo(1)},conversation.started,,fewer than 5`,
        `${daysAgo(1)},case.opened,passport/normal,fewer than 5`,
      ]),
    );

    // Another range: only the day of 12 conversations, so nothing is hidden there.
    await page.locator('#range-from').fill(daysAgo(2));
    await page.locator('#range-to').fill(daysAgo(2));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#loading', { hasText: `Showing ${daysAgo(2)} to ${daysAgo(2)}.` }).waitFor();
    expect(new URL(page.url()).search).toBe(`?from=${daysAgo(2)}&to=${daysAgo(2)}`);
    expect(await page.locator('#chart-conversations').textContent()).not.toContain('fewer than 5');
    expect(await page.locator('#csv').getAttribute('href')).toBe(`/console/api/insight.csv?from=${daysAgo(2)}&to=${daysAgo(2)}`);
  });
});
