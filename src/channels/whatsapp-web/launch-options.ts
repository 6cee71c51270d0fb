import { join } from 'node:path';

export interface LaunchSettings {
  /** CHROMIUM_PATH: Debian's Chromium, not a browser downloaded by puppeteer. */
  chromiumPath: string;
  /** WHATSAPP_WEB_DATA_DIR: the linked session (LocalAuth) lives here and survives restarts. */
  dataDir: string;
  /** Chromium's sandbox cannot start as root; elsewhere it stays on. */
  runningAsRoot: boolean;
  /** More Chromium flags (tests use one to keep the browser off the network). */
  extraArgs?: readonly string[];
}

/**
 * Chromium flags for a headless browser on a server: no GPU, shared memory
 * in /tmp rather than a small /dev/shm (containers), none of the browser's
 * own background traffic, and no sandbox only where it cannot run (as root).
 */
export function chromiumArgs(s: Pick<LaunchSettings, 'runningAsRoot' | 'extraArgs'>): string[] {
  return [
    ...(s.runningAsRoot ? ['--no-sandbox', '--disable-setuid-sandbox'] : []),
    '--disable-dev-shm-usage',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    '--mute-audio',
    ...(s.extraArgs ?? []),
  ];
}

/** Where LocalAuth keeps the browser profile with the session: `<dataDir>/session`. */
export function sessionDir(dataDir: string): string {
  return join(dataDir, 'session');
}
