import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createOrganisation } from '../../src/handoff/organisation-admin';
import { createStaffUser } from '../../src/handoff/staff';
import type { Organisation } from '../../src/handoff/types';
import { english } from '../support';
import { CHROMIUM, CHROMIUM_ARGS, describeWithChromium } from '../support/chromium';
import { postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

const LAPTOP = { width: 1280, height: 860 };
const PHONE = { width: 360, height: 740 };
/** Room for three browsers on a busy two-core machine; nothing here measures speed. */
const BROWSER_TIMEOUT = 60_000;
const JOURNEY_TIMEOUT = 180_000;

const HOST_ORG = 'Qatar Red Crescent';
const HOME_ORG = 'Nepal Red Cross';

interface Staff {
  email: string;
  name: string;
  password: string;
}

const ASHA: Staff = { email: 'asha@qrcs.test', name: 'Asha Rahman', password: 'asha-long-password-1' };
const BIKASH: Staff = { email: 'bikash@nrcs.test', name: 'Bikash Thapa', password: 'bikash-long-password-2' };
const AMIRA: Staff = { email: 'amira@qrcs.test', name: 'Amira Admin', password: 'amira-long-password-3' };

const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
/** The fixed start of a message with one placeholder, e.g. up to where the waiting time goes. */
const before = (key: string, params: Record<string, string>, at: string) => english(key, { ...params, [at]: '@@@' }).split('@@@')[0]!;

describeWithChromium('the caseworker console in Chromium', () => {
  let db: TempDatabase;
  let server: RunningApp;
  let browser: Browser;
  let hostOrg: Organisation;
  let homeOrg: Organisation;
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    db = tempDatabase();
    server = await startApp(db.path);
    const store = server.app.handoffStore;
    // A person in Qatar from Nepal: a case goes to the Red Crescent where they are, and may move to the one at home.
    hostOrg = await createOrganisation(
      store,
      { name: HOST_ORG, languages: ['en', 'ne', 'ur'], countries: ['QA'], expectedResponseMinutes: 30, alertTarget: null },
      Date.now(),
    );
    homeOrg = await createOrganisation(
      store,
      { name: HOME_ORG, languages: ['en', 'ne'], countries: ['NP'], expectedResponseMinutes: 120, alertTarget: null },
      Date.now(),
    );
    const now = Date.now();
    await createStaffUser(store, { ...ASHA, role: 'caseworker', organisationId: hostOrg.id }, now);
    await createStaffUser(store, { ...BIKASH, role: 'caseworker', organisationId: homeOrg.id }, now);
    await createStaffUser(store, { ...AMIRA, role: 'admin', organisationId: hostOrg.id }, now);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    db?.remove();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    // Script errors of any page; refused requests (401 before login, the forged 403s) are answers, not errors.
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function open(viewport: { width: number; height: number }, phone = false): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-GB', isMobile: phone, hasTouch: phone });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(BROWSER_TIMEOUT / 2);
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  async function logIn(page: Page, staff: Staff): Promise<void> {
    await page.goto(server.url + '/console');
    const form = page.locator('#login');
    await form.getByLabel('Email').fill(staff.email);
    await form.getByLabel('Password').fill(staff.password);
    await form.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#who-name', { hasText: staff.name }).waitFor();
    // The live stream is listening: from now on nothing that happens is missed.
    await page.locator('body[data-live="on"]').waitFor({ state: 'attached' });
  }

  const queueItem = (page: Page, caseId: string) => page.locator(`#queue .queue-item[data-case-id="${caseId}"]`);
  const transcriptLine = (page: Page, author: string, text: string) =>
    page.locator(`#transcript li[data-author="${author}"]`).filter({ has: page.locator('.text', { hasText: exactly(text) }) });

  /** The web chat, as a person on a phone sees it. */
  async function openWebchat(): Promise<Page> {
    const page = await open(PHONE, true);
    await page.goto(server.url + '/');
    await page.locator('#log .msg.bot .text', { hasText: english('common:welcome', { language: 'English' }) }).waitFor();
    // Set once: still there later proves the page never reloaded.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    return page;
  }

  /** Where the person is and is from, as the bot asks first; then the menu. */
  async function situate(chat: Page): Promise<void> {
    await botSaid(chat, english('situation:where').split('\n')[0]!).waitFor();
    await type(chat, english('countries:QA'));
    await press(chat, english('countries:NP'));
    await botSaid(chat, english('situation:saved.both', { country: english('countries:QA'), origin: english('countries:NP') })).waitFor();
  }

  async function press(chat: Page, label: string): Promise<void> {
    await chat.locator('#log .msg.bot .choice:enabled').filter({ hasText: exactly(label) }).last().click();
  }

  async function type(chat: Page, text: string): Promise<void> {
    await chat.getByLabel('Your message').fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();
  }

  const botSaid = (chat: Page, text: string | RegExp) => chat.locator('#log .msg.bot .text', { hasText: text });

  /** A reply written to the person from the console shows in the open web chat by itself, once. */
  async function arrivesLive(chat: Page, text: string): Promise<void> {
    await botSaid(chat, text).first().waitFor();
    expect(await botSaid(chat, text).count()).toBe(1);
    expect(await chat.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  }

  /** A person in danger asks for a caseworker through the web chat's JSON API; gives the case id. */
  async function raiseCaseByApi(): Promise<string> {
    const conversationId = randomUUID();
    let buttons: { label: string; payload: string }[] = [];
    const say = async (fields: Record<string, string>) => {
      const res = await postJson<{ replies: { buttons?: { label: string; payload: string }[] }[] }>(
        server.url + '/api/webchat/messages',
        { conversationId, messageId: randomUUID(), locale: 'en', ...fields },
      );
      expect(res.status).toBe(200);
      buttons = res.body.replies.flatMap((r) => r.buttons ?? []);
    };
    const pressLabel = async (label: string) => {
      const button = buttons.find((b) => b.label === label);
      if (!button) throw new Error(`no button "${label}" among ${buttons.map((b) => b.label).join(', ')}`);
      await say({ payload: button.payload });
    };
    await say({ text: 'hello' });
    await say({ text: english('countries:QA') });
    await pressLabel(english('countries:NP'));
    await pressLabel(english('menu:topics.danger'));
    await pressLabel(english('common:choice.person'));
    await pressLabel(english('handoff:choice.yes'));
    const opened = await server.app.handoffStore.openCaseOf(`webchat:${conversationId}`);
    if (!opened) throw new Error('the web chat conversation has no open case');
    return opened.id;
  }

  /** fetch() from inside the page: same origin, the session cookie, no CSRF header unless given. */
  function fetchFromPage(page: Page, method: string, path: string, headers: Record<string, string> = {}) {
    return page.evaluate(
      async ({ method, path, headers }) => {
        const res = await fetch(path, { method, headers, credentials: 'same-origin' });
        return { status: res.status, body: (await res.json().catch(() => null)) as { error?: string } | null };
      },
      { method, path, headers },
    );
  }

  test(
    'a case from the web chat, end to end: it appears live, is claimed, answered, transferred, and closed by the other organisation',
    async () => {
      const asha = await open(LAPTOP);
      await asha.clock.install();
      await logIn(asha, ASHA);
      // Set once: still there later proves the page never reloaded.
      await asha.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

      // The person, on the web chat: danger, talk to a person, the consent explanation, yes.
      const person = await openWebchat();
      await situate(person);
      await press(person, english('menu:topics.danger'));
      await press(person, english('common:choice.person'));
      await botSaid(person, english('handoff:consent.explain', { organisation: HOST_ORG })).waitFor();
      await press(person, english('handoff:choice.yes'));
      await botSaid(person, before('handoff:opened', { organisation: HOST_ORG }, 'time')).waitFor();

      // The new urgent case appears in the caseworker's queue without a reload, and is announced.
      const item = asha.locator('#queue .queue-item.urgent');
      await item.waitFor();
      const caseId = (await item.getAttribute('data-case-id'))!;
      expect(caseId).toBeTruthy();
      expect(await item.locator('.badge.urgent').textContent()).toBe('Urgent');
      expect(await item.locator('.category').textContent()).toBe('Danger');
      expect(await item.locator('.meta').first().textContent()).toBe('English (en) · in Qatar (QA) · from Nepal (NP)');
      expect(await asha.locator('#live').textContent()).toBe('New urgent case: Danger, English (en).');
      expect(await asha.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      // The waiting time counts on by itself.
      expect(await item.locator('.waiting').textContent()).toBe('Waiting for under a minute');
      await asha.clock.fastForward('03:00');
      await item.locator('.waiting', { hasText: 'Waiting for 3 min' }).waitFor();

      // The case view: what the person writes shows up live, right-to-left text read right to left.
      await item.locator('.case-link').click();
      await asha.locator('#case-title', { hasText: 'Danger case' }).waitFor();
      expect(asha.url()).toBe(`${server.url}/console#/cases/${caseId}`);
      await type(person, 'My employer locked me in the room');
      const written = transcriptLine(asha, 'person', 'My employer locked me in the room');
      await written.waitFor();
      expect(await written.locator('.lang').textContent()).toBe('English (en)');
      await type(person, 'شکریہ');
      const urdu = transcriptLine(asha, 'person', 'شکریہ').locator('.text');
      await urdu.waitFor();
      expect(await urdu.getAttribute('dir')).toBe('auto');
      expect(await urdu.evaluate((el) => el.matches(':dir(rtl)'))).toBe(true);

      // Claim, then reply: the reply is delivered, and the person reads it in the web chat.
      await asha.getByRole('button', { name: 'Claim' }).click();
      await asha.locator('#case-badges .badge.status-assigned').waitFor();
      expect(await asha.locator('#case-facts dd').first().textContent()).toBe('You');
      const reply = 'We are here to help you. Are you safe right now?';
      await asha.getByLabel('Reply to the person').fill(reply);
      await asha.getByRole('button', { name: 'Send reply' }).click();
      await transcriptLine(asha, 'caseworker', reply).locator('.delivery.ok', { hasText: 'Delivered' }).waitFor();
      expect(await transcriptLine(asha, 'caseworker', reply).locator('.author').textContent()).toBe(ASHA.name);
      expect(await asha.getByLabel('Reply to the person').inputValue()).toBe('');
      await asha.screenshot({ path: '/tmp/console-laptop.png', fullPage: true });
      await arrivesLive(person, english('handoff:reply', { organisation: HOST_ORG, text: reply }));

      // An internal note, then a transfer to the person's home country's National Society.
      await asha.getByLabel('New note').fill('Called the hotline; no answer yet.');
      await asha.getByRole('button', { name: 'Add note' }).click();
      await asha.locator('#notes .text', { hasText: 'Called the hotline; no answer yet.' }).waitFor();
      await asha.getByLabel('Transfer to').selectOption({ label: HOME_ORG });
      await asha.getByLabel('Note for the receiving organisation').fill('The family is in Nepal and can help.');
      await asha.getByRole('button', { name: 'Transfer', exact: true }).click();
      await asha.locator('#notice', { hasText: `The case was transferred to ${HOME_ORG}.` }).waitFor();
      await queueItem(asha, caseId).waitFor({ state: 'detached' });
      // Gone for the sender: the page says so, and so does the API.
      await asha.goto(`${server.url}/console#/cases/${caseId}`);
      await asha.locator('#problem', { hasText: "This case is not in your organisation's inbox" }).waitFor();
      expect(await asha.locator('#case').isHidden()).toBe(true);
      expect((await fetchFromPage(asha, 'GET', `/console/api/cases/${caseId}`)).status).toBe(404);

      // The home organisation's caseworker, on a phone, finds it with its history and closes it.
      const bikash = await open(PHONE, true);
      await logIn(bikash, BIKASH);
      const theirs = queueItem(bikash, caseId);
      await theirs.waitFor();
      await usableOnPhone(bikash);
      await theirs.locator('.case-link').click();
      await bikash.locator('#case-title', { hasText: 'Danger case' }).waitFor();
      // One pane at a time on a phone: the case replaces the list.
      expect(await bikash.locator('#queue-pane').isHidden()).toBe(true);
      await bikash.locator('#transfers .author', { hasText: `${HOST_ORG} → ${HOME_ORG}` }).waitFor();
      expect(await bikash.locator('#transfers .text').textContent()).toBe('The family is in Nepal and can help.');
      expect(await bikash.locator('#transfers .by').textContent()).toBe(`by ${ASHA.name}`);
      await transcriptLine(bikash, 'person', 'My employer locked me in the room').waitFor();
      await transcriptLine(bikash, 'caseworker', reply).waitFor();
      await usableOnPhone(bikash);
      await bikash.screenshot({ path: '/tmp/console-phone.png', fullPage: true });
      await bikash.getByRole('button', { name: 'Close case' }).click();
      await bikash.getByRole('button', { name: 'Close it' }).click();
      await bikash.locator('#case-badges .badge.status-closed').waitFor();
      expect(await bikash.getByLabel('Reply to the person').isHidden()).toBe(true);

      // The person was told of the transfer and of the end, and the bot answers again.
      await arrivesLive(person, english('handoff:closed', { organisation: HOME_ORG }));
      expect(await botSaid(person, english('handoff:transferred', { organisation: HOME_ORG })).count()).toBe(1);
      const said = await person.locator('#log .msg.bot .text').allTextContents();
      expect(said.indexOf(english('handoff:transferred', { organisation: HOME_ORG }))).toBeLessThan(
        said.indexOf(english('handoff:closed', { organisation: HOME_ORG })),
      );
      const answered = await person.locator('#log .msg.bot').count();
      await type(person, 'help');
      await botSaid(person, english('common:help')).nth(0).waitFor();
      expect(await person.locator('#log .msg.bot').count()).toBeGreaterThan(answered);
    },
    JOURNEY_TIMEOUT,
  );

  test(
    'a case left waiting too long is highlighted as soon as its alert is raised; an undelivered reply shows why',
    async () => {
      const asha = await open(LAPTOP);
      await logIn(asha, ASHA);
      // Opened as if ten minutes ago, past the five minutes an urgent case may wait (HANDOFF_URGENT_ALERT_MINUTES).
      const conversationId = randomUUID();
      const ref = { channel: 'webchat', conversationId, userId: conversationId };
      const at = Date.now() - 10 * 60_000;
      const { case: opened } = await server.app.handoff.open({
        ref,
        conversationKey: `webchat:${conversationId}`,
        category: 'danger',
        locale: 'en',
        country: { current: 'QA' },
        consent: { version: 'handoff:consent.explain', locale: 'en', text: 'explained', at },
        tracing: null,
        sourceId: randomUUID(),
        now: at,
      });
      const item = queueItem(asha, opened.id);
      await item.waitFor();
      expect(await item.getAttribute('class')).not.toContain('overdue');
      expect(await item.locator('.waiting').textContent()).toBe('Waiting for 10 min');

      expect((await server.app.alerts.check()).map((a) => a.caseId)).toContain(opened.id);
      await asha.locator(`#queue .queue-item.overdue[data-case-id="${opened.id}"]`).waitFor();
      // Still marked new: nobody has opened it since it arrived.
      expect(await item.locator('.badge').allTextContents()).toEqual(['Urgent', 'Overdue', 'New']);

      // This case has no conversation behind it (opened straight through the service): a reply cannot be
      // delivered, and the caseworker sees that on the message, with the reason.
      await item.locator('.case-link').click();
      await asha.getByLabel('Reply to the person').fill('Are you still there?');
      await asha.getByRole('button', { name: 'Send reply' }).click();
      const failed = transcriptLine(asha, 'caseworker', 'Are you still there?');
      await failed.locator('.delivery.failed').waitFor();
      expect(await failed.getAttribute('class')).toContain('undelivered');
      expect(await failed.locator('.delivery').textContent()).toMatch(/^Not delivered: .+\.$/);
    },
    BROWSER_TIMEOUT,
  );

  test(
    'wrong passwords and changes without the CSRF token are refused',
    async () => {
      const page = await open(LAPTOP);
      await page.goto(server.url + '/console');
      const form = page.locator('#login');
      await form.getByLabel('Email').fill(ASHA.email);
      await form.getByLabel('Password').fill('not-the-password-at-all');
      await form.getByRole('button', { name: 'Log in' }).click();
      await page.locator('#login-error', { hasText: 'Wrong email or password.' }).waitFor();
      expect(await page.locator('#inbox').isHidden()).toBe(true);
      expect(await form.getByLabel('Password').evaluate((el) => el === document.activeElement)).toBe(true);

      await logIn(page, ASHA);
      const caseId = await raiseCaseByApi();
      await queueItem(page, caseId).waitFor();

      // A forged change from the page's own origin, with the session cookie but without the token: refused.
      const forged = await fetchFromPage(page, 'POST', `/console/api/cases/${caseId}/claim`);
      expect(forged).toEqual({ status: 403, body: { error: 'missing or wrong CSRF token' } });
      const wrong = await fetchFromPage(page, 'POST', `/console/api/cases/${caseId}/close`, { 'x-csrf-token': 'guessed' });
      expect(wrong.status).toBe(403);
      expect((await server.app.handoffStore.getCase(caseId))?.status).toBe('waiting');

      // The page's own buttons send the token.
      await page.goto(`${server.url}/console#/cases/${caseId}`);
      await page.getByRole('button', { name: 'Claim' }).click();
      await page.locator('#case-badges .badge.status-assigned').waitFor();
      expect((await server.app.handoffStore.getCase(caseId))?.status).toBe('assigned');

      // After logging out the session is gone, in this page and at the API.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.locator('#login').waitFor();
      // Nothing of the cases stays in the page, hidden or not, for the next person at this computer.
      expect(await page.locator('#queue li, #transcript li, #case-facts *').count()).toBe(0);
      expect((await fetchFromPage(page, 'GET', '/console/api/me')).status).toBe(401);
    },
    BROWSER_TIMEOUT * 2,
  );

  test(
    "a caseworker never sees another organisation's cases, in the page or at the API",
    async () => {
      const caseId = await raiseCaseByApi();
      expect((await server.app.handoffStore.getCase(caseId))?.organisationId).toBe(hostOrg.id);

      const bikash = await open(LAPTOP);
      await logIn(bikash, BIKASH);
      for (const status of ['open', 'waiting', 'assigned', 'closed']) {
        await bikash.getByLabel('Status').selectOption(status);
        await bikash.locator('#queue-empty:not([hidden]), #queue .queue-item').first().waitFor();
        expect(await queueItem(bikash, caseId).count()).toBe(0);
      }
      await bikash.goto(`${server.url}/console#/cases/${caseId}`);
      await bikash.locator('#problem', { hasText: "This case is not in your organisation's inbox" }).waitFor();
      expect(await bikash.locator('#transcript li').count()).toBe(0);
      for (const [method, path] of [
        ['GET', `/console/api/cases/${caseId}`],
        ['POST', `/console/api/cases/${caseId}/claim`],
      ] as const) {
        const csrf = await bikash.evaluate(async () => ((await (await fetch('/console/api/me')).json()) as { csrfToken: string }).csrfToken);
        expect((await fetchFromPage(bikash, method, path, { 'x-csrf-token': csrf })).status).toBe(404);
      }

      // The case's own organisation does see it.
      const asha = await open(LAPTOP);
      await logIn(asha, ASHA);
      await queueItem(asha, caseId).waitFor();
    },
    BROWSER_TIMEOUT * 2,
  );

  test(
    'an admin manages organisations and users and reads the audit log; a caseworker cannot',
    async () => {
      const admin = await open(LAPTOP);
      await logIn(admin, AMIRA);
      await admin.getByRole('link', { name: 'Organisations' }).click();
      await admin.locator('#orgs tr', { hasText: HOME_ORG }).waitFor();
      const orgForm = admin.locator('#org-form');
      await orgForm.getByLabel('Name').fill('Sri Lanka Red Cross');
      await orgForm.getByLabel('Languages (codes, separated by commas)').fill('si, ta, en');
      await orgForm.getByLabel('Countries served (ISO codes, separated by commas)').fill('lk');
      await orgForm.getByLabel('Usually answers within (minutes)').fill('90');
      await orgForm.getByRole('button', { name: 'Add organisation' }).click();
      const row = admin.locator('#orgs tr', { hasText: 'Sri Lanka Red Cross' });
      await row.waitFor();
      expect(await row.locator('td').allTextContents()).toEqual(['Sri Lanka Red Cross', 'si, ta, en', 'LK', '1 h 30 min', 'Inbox only', 'Edit']);

      await admin.getByRole('link', { name: 'Users' }).click();
      await admin.locator('#users tr', { hasText: ASHA.email }).waitFor();
      const userForm = admin.locator('#user-form');
      await userForm.getByLabel('Name').fill('Chamari Perera');
      await userForm.getByLabel('Email').fill('chamari@slrcs.test');
      await userForm.getByLabel('Password').fill('chamari-long-password-4');
      await userForm.getByLabel('Organisation').selectOption({ label: 'Sri Lanka Red Cross' });
      await userForm.getByRole('button', { name: 'Add user' }).click();
      await admin.locator('#users tr', { hasText: 'chamari@slrcs.test' }).waitFor();
      // Disabling takes effect at once.
      await admin.getByRole('button', { name: 'Disable Chamari Perera' }).click();
      await admin.locator('#users tr', { hasText: 'chamari@slrcs.test' }).locator('td', { hasText: exactly('Disabled') }).waitFor();

      await admin.getByRole('link', { name: 'Audit log' }).click();
      await admin.locator('#audit tr').first().waitFor();
      const actions = await admin.locator('#audit tr td:nth-child(3)').allTextContents();
      expect(actions.length).toBeGreaterThanOrEqual(3);
      expect(await admin.locator('#audit tr', { hasText: AMIRA.name }).count()).toBeGreaterThan(0);

      // A caseworker has no admin screens, and the admin API refuses them.
      const asha = await open(LAPTOP);
      await logIn(asha, ASHA);
      expect(await asha.getByRole('link', { name: 'Users' }).count()).toBe(0);
      await asha.goto(`${server.url}/console#/admin/users`);
      await asha.locator('#inbox').waitFor();
      expect(await asha.locator('#admin-users').isHidden()).toBe(true);
      expect((await fetchFromPage(asha, 'GET', '/console/api/admin/users')).status).toBe(403);
      expect((await fetchFromPage(asha, 'GET', '/console/api/admin/audit')).status).toBe(403);
    },
    BROWSER_TIMEOUT * 2,
  );
});

/**
 * On a 360 px phone: nothing wider than the screen, and every control big
 * enough for a thumb (44 px, the usual guideline for touch targets).
 */
async function usableOnPhone(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const small = await page.evaluate(() =>
    Array.from(document.querySelectorAll('button, select, input, textarea, .case-link'))
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .map((el) => ({ what: el.textContent?.trim() || el.id, height: el.getBoundingClientRect().height }))
      .filter((b) => b.height < 43.5),
  );
  expect(small).toEqual([]);
}
