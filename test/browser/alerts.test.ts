import type { BrowserContext, Page } from 'playwright-core';
import { createStaffUser } from '../../src/handoff/staff';
import { FakeBotApi, telegramWebhookEnv } from '../channels/telegram/fake-bot-api';
import { TelegramPerson, WebchatPerson, type Person, type Seen } from '../handoff/people';
import { BROWSER_TIMEOUT, PHONE, describeWithChromium, useChromium } from '../support/chromium';
import { startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const TELEGRAM_TOKEN = '7000000002:AAH-fake-token-for-alerts_0123456789';
const TELEGRAM_SECRET = 'alerts-webhook-secret_7';
const JOURNEY_TIMEOUT = 240_000;

const LANGUAGES = { en: 'English (en)', ne: 'Nepali (ne)' };

const ADMIN = { email: 'dipa@redcross.test', name: 'Dipa Admin', password: 'dipa-long-password-5' };

const FLOODS = {
  en: 'Floods in Koshi province: stay away from rivers and follow local instructions.',
  ne: 'कोशी प्रदेशमा बाढी: नदी नजिक नजानुहोस् र स्थानीय निर्देशन पालना गर्नुहोस्।',
};
const CURFEW = 'A curfew is in force tonight from 8 pm: stay where you are and keep your phone charged.';
const CURFEW_LIFTED = 'The curfew has ended.';
const ROADS = {
  en: 'The roads to Biratnagar are open again.',
  ne: 'विराटनगर जाने सडक फेरि खुला छन्।',
};

describeWithChromium('alerts sent from the console reach subscribers on their channel, in their language', () => {
  const chromium = useChromium();
  let telegram: FakeBotApi;
  let db: TempDatabase;
  let server: RunningApp;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    telegram = new FakeBotApi(TELEGRAM_TOKEN);
    await telegram.start();
    db = tempDatabase();
    server = await startApp(db.path, {
      env: {
        ...telegramWebhookEnv(telegram, TELEGRAM_TOKEN, TELEGRAM_SECRET, 'vv_alerts_test_bot'),
        // One recipient between two looks at the alert's status: a pause or cancel takes effect before the next person.
        ALERT_SEND_BATCH: '1',
      },
      app: { outboxPollMs: 100 },
    });
    const org = await server.app.handoff.ensureDefaultOrganisation();
    await createStaffUser(server.app.handoffStore, { ...ADMIN, role: 'admin', organisationId: org.id }, Date.now());
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await server?.close();
    await telegram?.stop();
    db?.remove();
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  /** The person's first message, then their language (typed by its own name), then where they are and are from. */
  async function situate(person: Person, language: string | null, here: string, from: string): Promise<void> {
    await person.say('hello');
    if (language) await person.say(language);
    await person.press(`situation.here:${here}`);
    await person.press(`situation.from:${from}`);
  }

  /** The person opens the alerts offer and says yes to alerts about their home country. */
  async function subscribeToOrigin(person: Person): Promise<void> {
    const offer = await person.press('alerts.open');
    expect(offer.flatMap((s) => s.payloads)).toContain('alerts.subscribe:origin');
    const answer = await person.press('alerts.subscribe:origin');
    expect(answer.length).toBeGreaterThan(0);
  }

  /** What reached the person unprompted, waited for until something did (an alert is sent in the background). */
  async function arrives(person: Person): Promise<Seen[]> {
    const until = Date.now() + 30_000;
    for (;;) {
      const seen = await person.news();
      if (seen.length > 0 || Date.now() > until) return seen;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const texts = (seen: Seen[]) => seen.map((s) => s.text);

  async function logIn(page: Page): Promise<void> {
    await page.goto(server.url + '/console');
    const form = page.locator('#login');
    await form.getByLabel('Email').fill(ADMIN.email);
    await form.getByLabel('Password').fill(ADMIN.password);
    await form.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who-name', { hasText: ADMIN.name }).waitFor();
  }

  /** The admin composes an alert to one country (found by searching) in some languages, and previews it. */
  async function compose(page: Page, search: string, country: string, texts: Partial<Record<keyof typeof LANGUAGES, string>>): Promise<void> {
    await page.getByLabel('Find a country').fill(search);
    await page.getByLabel(country, { exact: true }).check();
    await page.getByLabel('Find a country').fill('');
    for (const [code, text] of Object.entries(texts)) {
      const language = LANGUAGES[code as keyof typeof LANGUAGES];
      await page.getByLabel(language, { exact: true }).check();
      await page.getByLabel(`Text in ${language}`).fill(text);
    }
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.locator('#alert-preview-box').waitFor();
  }

  /** The admin's console on a phone, at Admin → Alerts. */
  async function openAlerts(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(BROWSER_TIMEOUT / 2);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await logIn(page);
    await page.getByRole('link', { name: 'Alerts' }).click();
    await page.locator('#alerts-title').waitFor();
    return page;
  }

  /** Resolves once the fake Bot API has been asked to send this text to this chat (answered or held). */
  async function telegramAsked(chatId: number, text: string): Promise<void> {
    const until = Date.now() + 30_000;
    const asked = () => telegram.callsTo('sendMessage').some((c) => String(c.body.chat_id) === String(chatId) && String(c.body.text).includes(text));
    while (!asked()) {
      if (Date.now() > until) throw new Error(`Telegram was never asked to send "${text}" to ${chatId}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const counts = async (page: Page, list: string) =>
    (await page.locator(`#${list} li`).allTextContents()).sort();

  /** Send, confirm, and watch the progress until every subscriber was tried. */
  async function sendAndWatch(page: Page, total: number): Promise<void> {
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    expect(await page.locator('#alert-send-question').textContent()).toBe(`Send this alert to ${total === 1 ? '1 person' : `${total} people`} now?`);
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.locator('#alert-progress[data-status="done"]').waitFor();
    // The channels confirm the last deliveries by themselves: the page keeps looking until they have.
    await page.locator('#progress-remaining', { hasText: /^0$/ }).waitFor();
    expect(await page.locator('#progress-status').textContent()).toBe('Finished');
    expect(await page.locator('#progress-sent').textContent()).toBe(String(total));
    expect(await page.locator('#progress-failed').textContent()).toBe('0');
    // Done: the buttons that change a sending are gone.
    expect(await page.locator('#alert-pause').isHidden()).toBe(true);
    expect(await page.locator('#alert-cancel').isHidden()).toBe(true);
  }

  test(
    'an admin on a phone previews and sends an alert for Nepal in two languages; only subscribers of Nepal get it, each in their language; unsubscribe stops the next',
    async () => {
      // Subscribed to Nepal: on the web chat in Nepali, on Telegram in English, and on the web chat in Hindi (no text in Hindi).
      const webNepali = new WebchatPerson(server.url);
      await situate(webNepali, 'नेपाली', 'QA', 'NP');
      await subscribeToOrigin(webNepali);
      const telegramEnglish = new TelegramPerson(server, telegram, TELEGRAM_SECRET, 5_550_001);
      await situate(telegramEnglish, null, 'QA', 'NP');
      await subscribeToOrigin(telegramEnglish);
      const webHindi = new WebchatPerson(server.url);
      await situate(webHindi, 'हिन्दी', 'QA', 'NP');
      await subscribeToOrigin(webHindi);
      // From Nepal but not subscribed; and subscribed, but to the Philippines.
      const notSubscribed = new WebchatPerson(server.url);
      await situate(notSubscribed, null, 'QA', 'NP');
      const otherCountry = new TelegramPerson(server, telegram, TELEGRAM_SECRET, 5_550_002);
      await situate(otherCountry, null, 'QA', 'PH');
      await subscribeToOrigin(otherCountry);
      const everyone = [webNepali, telegramEnglish, webHindi, notSubscribed, otherCountry];
      for (const person of everyone) await person.news();

      const context = await chromium.phoneContext();
      try {
        const page = await openAlerts(context);
        // Shown once the list of past alerts has loaded, which may be after the title.
        await page.locator('#alerts-none').waitFor({ state: 'visible' });

        // The preview: two people, one per channel and language; the Hindi speaker is not reached and is counted apart.
        await compose(page, 'nep', 'Nepal (NP)', FLOODS);
        expect(await page.locator('#preview-total').textContent()).toBe('This alert would reach 2 people.');
        expect(await counts(page, 'preview-channels')).toEqual(['Telegram: 1', 'Web chat: 1']);
        expect(await counts(page, 'preview-locales')).toEqual(['English (en): 1', 'Nepali (ne): 1']);
        expect(await counts(page, 'preview-without')).toEqual(['Hindi (hi): 1']);
        // Nothing on the phone is wider than the screen.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
        await page.screenshot({ path: '/tmp/console-alert-preview-phone.png', fullPage: true });

        await sendAndWatch(page, 2);
        await page.locator('#notice', { hasText: 'The alert is being sent.' }).waitFor();
        await page.locator('#alerts tr', { has: page.locator('td.status', { hasText: 'Finished' }) }).waitFor();
        await page.screenshot({ path: '/tmp/console-alert-sent-phone.png', fullPage: true });

        // Each subscriber of Nepal gets the text in their language, on their channel (the Bot API's sendMessage for Telegram).
        expect(texts(await arrives(webNepali)).join('\n')).toContain(FLOODS.ne);
        const onTelegram = texts(await arrives(telegramEnglish)).join('\n');
        expect(onTelegram).toContain(FLOODS.en);
        expect(onTelegram).not.toContain(FLOODS.ne);
        expect(telegram.callsTo('sendMessage').filter((c) => String(c.body.text).includes(FLOODS.en)).map((c) => String(c.body.chat_id))).toEqual([
          '5550001',
        ]);
        // Nobody else: not the Hindi speaker, not the person who never subscribed, not the subscriber of another country.
        for (const person of [webHindi, notSubscribed, otherCountry]) expect(await person.news()).toEqual([]);

        // The Telegram subscriber leaves; the next alert reaches the web chat subscriber only.
        expect((await telegramEnglish.say('unsubscribe')).length).toBeGreaterThan(0);
        for (const person of everyone) await person.news();
        await compose(page, 'nep', 'Nepal (NP)', ROADS);
        expect(await page.locator('#preview-total').textContent()).toBe('This alert would reach 1 person.');
        expect(await counts(page, 'preview-channels')).toEqual(['Web chat: 1']);
        // Its sending is answered late, as over a slow phone network: meanwhile the first alert's progress must not pass for this one's.
        await page.route('**/alerts', async (route) => {
          if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, 500));
          await route.continue();
        });
        await sendAndWatch(page, 1);
        expect(texts(await arrives(webNepali)).join('\n')).toContain(ROADS.ne);
        for (const person of [telegramEnglish, webHindi, notSubscribed, otherCountry]) expect(await person.news()).toEqual([]);
        expect(telegram.callsTo('sendMessage').some((c) => String(c.body.text).includes(ROADS.en))).toBe(false);
        expect(await page.locator('#alerts tr').count()).toBe(2);
      } finally {
        await context.close();
      }
    },
    JOURNEY_TIMEOUT,
  );

  test(
    'an admin pauses an alert mid-way and resumes it, and cancels another: nobody past the pause or the cancel gets it meanwhile',
    async () => {
      const first = new TelegramPerson(server, telegram, TELEGRAM_SECRET, 5_550_011);
      const second = new TelegramPerson(server, telegram, TELEGRAM_SECRET, 5_550_012);
      for (const person of [first, second]) {
        await situate(person, null, 'QA', 'LK');
        await subscribeToOrigin(person);
        await person.news();
      }
      const context = await chromium.phoneContext();
      // Telegram holds the first person's alert: the sending stays at that person until released.
      let release = telegram.hold('sendMessage');
      try {
        const page = await openAlerts(context);
        await compose(page, 'sri', 'Sri Lanka (LK)', { en: CURFEW });
        expect(await page.locator('#preview-total').textContent()).toBe('This alert would reach 2 people.');
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        await page.getByRole('button', { name: 'Send now' }).click();
        await page.locator('#alert-progress[data-status="sending"]').waitFor();
        await telegramAsked(first.chatId, CURFEW);

        await page.getByRole('button', { name: 'Pause' }).click();
        await page.locator('#alert-progress[data-status="paused"]').waitFor();
        expect(await page.locator('#progress-status').textContent()).toBe('Paused');
        expect(await page.locator('#alert-pause').isHidden()).toBe(true);
        // The alert in flight goes; the next person waits for the resume.
        release();
        expect(texts(await arrives(first)).join('\n')).toContain(CURFEW);
        await new Promise((r) => setTimeout(r, 1_500));
        expect(await second.news()).toEqual([]);

        await page.getByRole('button', { name: 'Resume' }).click();
        await page.locator('#alert-progress[data-status="done"]').waitFor();
        await page.locator('#progress-remaining', { hasText: /^0$/ }).waitFor();
        expect(await page.locator('#progress-sent').textContent()).toBe('2');
        expect(texts(await arrives(second)).join('\n')).toContain(CURFEW);
        expect(await first.news()).toEqual([]);

        // Cancelled while the first person's alert is in flight: the second person never gets it.
        release = telegram.hold('sendMessage');
        await compose(page, 'sri', 'Sri Lanka (LK)', { en: CURFEW_LIFTED });
        await page.getByRole('button', { name: 'Send', exact: true }).click();
        await page.getByRole('button', { name: 'Send now' }).click();
        await telegramAsked(first.chatId, CURFEW_LIFTED);
        await page.getByRole('button', { name: 'Cancel sending' }).click();
        await page.getByRole('button', { name: 'Cancel it' }).click();
        await page.locator('#alert-progress[data-status="cancelled"]').waitFor();
        expect(await page.locator('#progress-status').textContent()).toBe('Cancelled');
        for (const id of ['#alert-pause', '#alert-resume', '#alert-cancel']) expect(await page.locator(id).isHidden()).toBe(true);
        release();
        expect(texts(await arrives(first)).join('\n')).toContain(CURFEW_LIFTED);
        await new Promise((r) => setTimeout(r, 1_500));
        expect(await second.news()).toEqual([]);
        await page.locator('#alerts tr', { has: page.locator('td.status', { hasText: 'Cancelled' }) }).waitFor();
      } finally {
        release();
        await context.close();
      }
    },
    JOURNEY_TIMEOUT,
  );
});
