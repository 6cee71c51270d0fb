import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Without Debian's Chromium they are
 * skipped with a message on a developer's machine, but in CI (CI=true) a
 * missing browser is a failure: CI installs it, so its absence is a bug.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium)`);
  }
  console.warn(`Browser tests skipped: ${CHROMIUM} is missing. Install it with: apt-get install -y chromium`);
  return false;
}

/**
 * `describe` when Chromium is there, otherwise a skip that jest reports as
 * skipped (a silent early return would pass as if the page had been tested).
 */
export function describeWithChromium(name: string, fn: () => void): void {
  if (chromiumAvailable()) describe(name, fn);
  else describe.skip(name, fn);
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
