import { randomUUID } from 'node:crypto';
import type { Page, Route } from 'playwright-core';
import type { ConversationRef } from '../../src/conversation/record';
import { english } from '../support';
import { BROWSER_TIMEOUT, describeWithChromium, useChromium } from '../support/chromium';
import { useRunningApp } from '../support/server';

const ORGANISATION = 'Qatar Red Crescent';

const botTexts = (page: Page) => page.locator('#log .msg.bot .text').allTextContents();
const userTexts = (page: Page) => page.locator('#log .msg.user .text').allTextContents();
const caseworker = (text: string) => english('handoff:reply', { organisation: ORGANISATION, text });
const isPoll = (url: string, method: string) => method === 'GET' && new URL(url).pathname === '/api/webchat/messages';
/** Route matchers: the history the page polls, and the message it sends. */
const history = (url: URL) => url.pathname === '/api/webchat/messages' && url.search !== '';
const sending = (url: URL) => url.pathname === '/api/webchat/messages' && url.search === '';

/** What the page's own polling did, counted inside the page: requests started, and most at once. */
interface PollCount {
  started: number;
  inFlight: number;
  most: number;
}

declare global {
  interface Window {
    polls: PollCount;
    notReloaded?: boolean;
  }
}

describeWithChromium('the web chat page shows new replies without a reload', () => {
  const server = useRunningApp();
  const chrome = useChromium();
  let page: Page;
  const pageErrors: string[] = [];

  beforeEach(async () => {
    const context = await chrome.phoneContext();
    page = await context.newPage();
    page.setDefaultTimeout(BROWSER_TIMEOUT / 2);
    pageErrors.length = 0;
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Counts the history requests the page makes, from inside it, so that the count does not depend on
    // when the browser reports them.
    await page.addInitScript(() => {
      const polls = { started: 0, inFlight: 0, most: 0 };
      window.polls = polls;
      const original = window.fetch.bind(window);
      window.fetch = (input, init) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        if ((init?.method ?? 'GET') !== 'GET' || !url.startsWith('/api/webchat/messages?')) return original(input, init);
        polls.started++;
        polls.most = Math.max(polls.most, ++polls.inFlight);
        const done = () => void polls.inFlight--;
        return original(input, init).then(
          (res) => {
            done();
            return res;
          },
          (err: unknown) => {
            done();
            throw err;
          },
        );
      };
    });
  });

  afterEach(async () => {
    await page.context().close();
    expect(pageErrors).toEqual([]);
  });

  async function openChat(): Promise<ConversationRef> {
    await page.goto(server.url + '/');
    await page.locator('#log .msg.bot .text', { hasText: english('common:welcome', { language: 'English' }) }).waitFor();
    const id = await page.evaluate(() => localStorage.getItem('vv.conversationId'));
    if (!id) throw new Error('the page made no conversation id');
    await page.evaluate(() => (window.notReloaded = true));
    return { channel: 'webchat', conversationId: id, userId: id };
  }

  /** Writes to the conversation from outside the page, as a caseworker's reply does. */
  async function writeFromOutside(ref: ConversationRef, text: string): Promise<void> {
    await server.app.engine.write(ref, randomUUID(), (turn) =>
      turn.say({ key: 'handoff:reply', params: { organisation: ORGANISATION, text } }),
    );
  }

  /** Holds the page's next history request before it reaches the server; the function returned lets it go. */
  async function holdNextPoll(): Promise<() => Promise<void>> {
    let held: Route | null = null;
    await new Promise<void>((resolve) => {
      void page.route(history, async (route) => {
        if (held) return route.continue();
        held = route;
        resolve();
      });
    });
    return async () => {
      await held!.continue();
      await page.unroute(history);
    };
  }

  async function send(text: string): Promise<void> {
    await page.getByLabel('Your message').fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
  }

  /** Waits until the page has asked the history `n` more times, and each answer has arrived. */
  async function polled(n: number): Promise<void> {
    for (let i = 0; i < n; i++) await page.waitForResponse((res) => isPoll(res.url(), res.request().method()));
  }

  test('replies written from elsewhere appear in the open page, once each and in order, also around a message the person sends', async () => {
    const ref = await openChat();
    const welcome = await botTexts(page);

    // Two replies written one after the other, with nothing from the person.
    await writeFromOutside(ref, 'Are you safe right now?');
    await writeFromOutside(ref, 'Please write when you can.');
    await page.locator('#log .msg.bot .text', { hasText: 'Please write when you can.' }).waitFor();
    expect(await botTexts(page)).toEqual([
      ...welcome,
      caseworker('Are you safe right now?'),
      caseworker('Please write when you can.'),
    ]);

    // A reply written just before the person sends a message, while a poll is on its way: the answer to
    // the message shows first, and the poll, read after both, brings the reply and the answer again.
    const release = await holdNextPoll();
    const beforeSend = await botTexts(page);
    await writeFromOutside(ref, 'I am calling you now.');
    await send('help');
    await page.locator('#log .msg.bot .text', { hasText: english('common:help') }).waitFor();
    const answer = (await botTexts(page)).slice(beforeSend.length);
    expect(answer[0]).toBe(english('common:help'));
    expect(await page.locator('#log .msg.bot .text', { hasText: 'I am calling you now.' }).count()).toBe(0);
    await release();
    await page.locator('#log .msg.bot .text', { hasText: 'I am calling you now.' }).waitFor();

    // Before the answer, which it came before; after the person's message, which the person wrote before seeing it.
    const expected = [...beforeSend, caseworker('I am calling you now.'), ...answer];
    expect(await botTexts(page)).toEqual(expected);
    // Later polls add nothing, and a reload shows the same conversation.
    await polled(2);
    expect(await botTexts(page)).toEqual(expected);
    expect(await userTexts(page)).toEqual(['help']);
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);
    expect(await page.evaluate(() => window.polls.most)).toBe(1);
    await page.reload();
    await page.locator('#log .msg.bot .text', { hasText: english('common:help') }).waitFor();
    await polled(1);
    expect(await botTexts(page)).toEqual(expected);
  }, BROWSER_TIMEOUT);

  test('an answer that arrives after a poll already showed its replies adds nothing', async () => {
    await openChat();
    const before = await botTexts(page);
    const release = await holdNextPoll();
    let answer: (() => Promise<void>) | null = null;
    const handled = new Promise<void>((resolve) => {
      void page.route(sending, async (route) => {
        const response = await route.fetch();
        answer = () => route.fulfill({ response });
        resolve();
      });
    });
    await send('help');
    // The server has handled the message; its answer waits while the held poll goes and reads the replies.
    await handled;
    await release();
    await page.locator('#log .msg.bot .text', { hasText: english('common:help') }).waitFor();
    const shown = await botTexts(page);
    expect(shown.slice(before.length)[0]).toBe(english('common:help'));

    await answer!();
    await page.locator('#send:enabled').waitFor();
    expect(await botTexts(page)).toEqual(shown);
    await polled(1);
    expect(await botTexts(page)).toEqual(shown);
    expect(await userTexts(page)).toEqual(['help']);
  }, BROWSER_TIMEOUT);

  test('it asks every 3 seconds in view, every 10 when left alone, every 30 in the background, at once on return, and less after failures', async () => {
    await page.clock.install();
    const ref = await openChat();
    await page.clock.pauseAt(Date.now() + 1000);

    const started = () => page.evaluate(() => window.polls.started);
    /**
     * Moves the page's clock on in steps. With `settle`, each request the page makes finishes before the
     * next step, so that the count does not depend on how fast this machine is.
     */
    async function advance(ms: number, step = 1000, settle = true): Promise<number> {
      const before = await started();
      for (let t = 0; t < ms; t += step) {
        await page.clock.runFor(step);
        while (settle && (await page.evaluate(() => window.polls.inFlight)) > 0) await new Promise((r) => setTimeout(r, 10));
      }
      return (await started()) - before;
    }

    // In view and in use: every 3 seconds; the reply written meanwhile shows.
    await writeFromOutside(ref, 'Are you safe right now?');
    expect(await advance(30_000)).toBeGreaterThanOrEqual(9);
    expect(await botTexts(page)).toContain(caseworker('Are you safe right now?'));

    // Left alone for five minutes: every 10 seconds.
    await advance(5 * 60_000, 3000);
    expect(await advance(60_000)).toBeLessThanOrEqual(7);
    // Touched again: at once, then every 3 seconds.
    await page.getByLabel('Your message').press('a');
    expect(await advance(30_000)).toBeGreaterThanOrEqual(9);

    // Behind another app: every 30 seconds; back in front: at once.
    await setHidden(page, true);
    expect(await advance(90_000)).toBeLessThanOrEqual(4);
    await writeFromOutside(ref, 'Please write when you can.');
    await setHidden(page, false);
    expect(await advance(500, 500)).toBe(1);
    expect(await botTexts(page)).toContain(caseworker('Please write when you can.'));

    // A request that never ends is given up after 20 seconds; there is never a second one beside it.
    const hanging: Route[] = [];
    await page.route(history, (route) => void hanging.push(route));
    expect(await advance(60_000, 500, false)).toBe(2);
    expect(hanging).toHaveLength(2);
    expect(await page.evaluate(() => window.polls.most)).toBe(1);
    await page.unroute(history);

    // The server failing: 6, 12, 24, 48 … seconds apart instead of 3, and no error shown for it.
    await page.route(history, (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":{"code":"internal","message":"down"}}' }),
    );
    expect(await advance(120_000, 3000)).toBeLessThanOrEqual(5);
    expect(await page.getByRole('alert').isHidden()).toBe(true);
    await page.unroute(history);

    // Working again: the person's next touch asks at once, and the pace is back to every 3 seconds.
    await writeFromOutside(ref, 'I am calling you now.');
    await page.getByLabel('Your message').press('b');
    expect(await advance(30_000)).toBeGreaterThanOrEqual(9);
    const shown = await botTexts(page);
    expect(shown.filter((t) => t === caseworker('I am calling you now.'))).toHaveLength(1);
    expect(shown.filter((t) => t === caseworker('Are you safe right now?'))).toHaveLength(1);
    expect(await page.evaluate(() => window.polls.most)).toBe(1);
  }, BROWSER_TIMEOUT * 2);
});

/** What a phone does when the person switches to another app, or back. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}
