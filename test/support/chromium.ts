import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { describeIfAvailable } from './needs';

export const CHROMIUM = '/usr/bin/chromium';

/** A describe block that needs Debian's Chromium: see describeIfAvailable. */
export function describeWithChromium(name: string, fn: () => void): void {
  describeIfAvailable(existsSync(CHROMIUM), `${CHROMIUM} is missing`, 'Install it with: apt-get install -y chromium', name, fn);
}

/** Flags for a headless Chromium in a container: no sandbox (root), no GPU, no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The phone the pages are written for: a cheap Android screen. */
export const PHONE = { width: 360, height: 740 };
/** Room for a browser on a busy two-core machine; nothing here measures speed. */
export const BROWSER_TIMEOUT = 60_000;

/**
 * One Chromium for the describe block, launched in beforeAll and closed in
 * afterAll; `phoneContext()` opens a fresh phone-sized context on it.
 */
export function useChromium(): { readonly browser: Browser; phoneContext(): Promise<BrowserContext> } {
  let launched: Browser | null = null;
  const browser = (): Browser => {
    if (!launched) throw new Error('Chromium starts in beforeAll: use it inside a test or hook');
    return launched;
  };
  beforeAll(async () => {
    launched = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, BROWSER_TIMEOUT);
  afterAll(async () => {
    await launched?.close();
  });
  return {
    get browser() {
      return browser();
    },
    phoneContext: () => browser().newContext({ viewport: PHONE, locale: 'en-GB', isMobile: true, hasTouch: true }),
  };
}
