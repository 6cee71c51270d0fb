import type { Locator, Page } from 'playwright-core';
import { english } from '../support';
import { BROWSER_TIMEOUT, describeWithChromium, useChromium } from '../support/chromium';
import { useRunningApp } from '../support/server';

const step = (name: string, i: number) => english(`packing:${name}`, { step: i, total: 8 });

/** A message's text as the browser renders it (the bubble also holds a hidden "You:" or "Virtual Volunteer:"). */
const texts = (page: Page, who: 'bot' | 'user') => page.locator(`#log .msg.${who} .text`);
const choice = (page: Page, label: string): Locator =>
  page.locator('#log .msg.bot .choice:enabled', { hasText: label });

describeWithChromium('the web chat page in Chromium', () => {
  const server = useRunningApp();
  const chrome = useChromium();
  let page: Page;
  const consoleErrors: string[] = [];

  beforeEach(async () => {
    const context = await chrome.phoneContext();
    page = await context.newPage();
    consoleErrors.length = 0;
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  afterEach(async () => {
    await page.context().close();
  });

  test('a conversation on a phone: menu, packing, next, and a reload that keeps it all', async () => {
    await page.goto(server.url + '/');
    await expectVisibleText(page, 'h1', 'Virtual Volunteer');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-GB');

    // A first visit starts the conversation with the welcome, without a message from the person.
    await texts(page, 'bot').filter({ hasText: english('common:welcome', { language: 'English' }) }).waitFor();
    expect(await texts(page, 'bot').first().textContent()).toBe(english('common:welcome', { language: 'English' }));
    expect(await texts(page, 'user').count()).toBe(0);
    const conversationId = await page.evaluate(() => localStorage.getItem('vv.conversationId'));
    expect(conversationId).toMatch(/^[0-9a-f-]{36}$/);

    await send(page, 'menu');
    await texts(page, 'bot').filter({ hasText: english('menu:prompt') }).waitFor();
    await choice(page, english('menu:audience.preparing')).click();
    await choice(page, english('menu:topics.packing')).click();
    await texts(page, 'bot').filter({ hasText: english('packing:intro', { total: 8 }) }).waitFor();
    // The labels pressed show as the person's messages.
    expect(await texts(page, 'user').allTextContents()).toEqual([
      'menu',
      english('menu:audience.preparing'),
      english('menu:topics.packing'),
    ]);

    await choice(page, english('common:choice.yes')).click();
    await texts(page, 'bot').filter({ hasText: step('documents', 1) }).waitFor();
    // Newlines in the bot's text stay line breaks.
    const firstStep = texts(page, 'bot').last();
    expect(await firstStep.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('pre-wrap');
    expect(await firstStep.textContent()).toBe(step('documents', 1));
    // Older choices can no longer be pressed; the latest can.
    expect(await page.locator('#log .choice', { hasText: english('common:choice.yes') }).isDisabled()).toBe(true);

    await choice(page, english('common:choice.next')).click();
    await texts(page, 'bot').filter({ hasText: step('copies', 2) }).waitFor();
    await scrolledIntoView(texts(page, 'bot').last());

    const before = await texts(page, 'bot').allTextContents();
    const youBefore = await texts(page, 'user').allTextContents();
    await page.reload();
    await texts(page, 'bot').filter({ hasText: step('copies', 2) }).waitFor();
    expect(await texts(page, 'bot').allTextContents()).toEqual(before);
    expect(await texts(page, 'user').allTextContents()).toEqual(youBefore);
    expect(await page.evaluate(() => localStorage.getItem('vv.conversationId'))).toBe(conversationId);

    // The last answer's buttons still work after the reload.
    await choice(page, english('common:choice.next')).click();
    await texts(page, 'bot').filter({ hasText: step('memorise', 3) }).waitFor();
    await scrolledIntoView(texts(page, 'bot').last());
    await page.screenshot({ path: '/tmp/webchat.png' });
    expect(consoleErrors).toEqual([]);
  }, BROWSER_TIMEOUT);

  test('typed text is shown as text, never as markup, and Enter sends it', async () => {
    await page.goto(server.url + '/');
    await texts(page, 'bot').filter({ hasText: english('common:welcome', { language: 'English' }) }).waitFor();
    const answered = await texts(page, 'bot').count();

    const typed = '<img src=x onerror="document.title=1"> <b>help</b>\u200f';
    await page.getByLabel('Your message').fill(typed);
    await page.getByLabel('Your message').press('Enter');
    await texts(page, 'bot').nth(answered).waitFor();

    expect(await texts(page, 'user').last().textContent()).toBe(typed);
    expect(await page.locator('#log img, #log b').count()).toBe(0);
    expect(await page.getByLabel('Your message').inputValue()).toBe('');
    expect(await page.title()).toBe('Virtual Volunteer');
  }, BROWSER_TIMEOUT);

  test('a failed send shows an error, and Try again sends the same message once', async () => {
    await page.goto(server.url + '/');
    await texts(page, 'bot').filter({ hasText: english('common:welcome', { language: 'English' }) }).waitFor();

    let failures = 1;
    await page.route('**/api/webchat/messages', async (route) => {
      if (route.request().method() === 'POST' && failures-- > 0) return route.abort('connectionfailed');
      return route.continue();
    });
    await page.getByLabel('Your message').fill('help');
    await page.getByRole('button', { name: 'Send' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('could not be reached');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Try again' }).click();
    await texts(page, 'bot').filter({ hasText: english('common:help') }).waitFor();
    expect(await alert.isHidden()).toBe(true);
    expect(await texts(page, 'user').allTextContents()).toEqual(['help']);
    expect(await texts(page, 'bot').filter({ hasText: english('common:help') }).count()).toBe(1);
  }, BROWSER_TIMEOUT);

  test('links open in a new tab without access to this one, and right-to-left replies are marked', async () => {
    await page.route('**/api/webchat/messages', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      // The bot has no link or right-to-left language yet; this reply is how the API will carry them.
      return route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          status: 'processed',
          lastSeq: 1,
          replies: [
            {
              text: 'مدد کے لیے یہاں دیکھیں',
              locale: 'ur',
              dir: 'rtl',
              links: [
                { label: 'Red Cross', url: 'https://www.icrc.org/' },
                { label: 'bad', url: 'javascript:alert(1)' },
              ],
            },
          ],
        }),
      });
    });
    await page.goto(server.url + '/');
    const message = page.locator('#log .msg.bot').first();
    await message.waitFor();

    expect(await message.getAttribute('dir')).toBe('rtl');
    expect(await message.getAttribute('lang')).toBe('ur');
    const links = message.locator('a');
    expect(await links.count()).toBe(1);
    expect(await links.first().getAttribute('href')).toBe('https://www.icrc.org/');
    expect(await links.first().getAttribute('target')).toBe('_blank');
    expect(await links.first().getAttribute('rel')).toContain('noopener');
  }, BROWSER_TIMEOUT);
});

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Your message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

async function expectVisibleText(page: Page, selector: string, text: string): Promise<void> {
  const el = page.locator(selector);
  await el.waitFor();
  expect(await el.textContent()).toBe(text);
}

/**
 * Waits until a new reply is shown from its start: its top at the top of the
 * message list, or the whole reply visible when the list cannot scroll further.
 */
async function scrolledIntoView(locator: Locator): Promise<void> {
  const handle = await locator.elementHandle();
  await locator.page().waitForFunction((el) => {
    const log = document.getElementById('log')!.getBoundingClientRect();
    const box = el!.getBoundingClientRect();
    const atTop = Math.abs(box.top - log.top) <= 2;
    const whole = box.top >= log.top - 1 && box.bottom <= log.bottom + 1;
    return atTop || whole;
  }, handle);
}
