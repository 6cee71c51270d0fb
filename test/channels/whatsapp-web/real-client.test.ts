import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWhatsAppWeb } from '../../../src/channels/whatsapp-web/channel';
import { createWhatsAppWebClient } from '../../../src/channels/whatsapp-web/client';
import { sessionDir } from '../../../src/channels/whatsapp-web/launch-options';
import { CHROMIUM, describeWithChromium } from '../../support/chromium';
import { until } from './fake-client';
import { recordingLogger } from './manual-sleep';

/** Live processes (not zombies) whose command line names this text: the browser and its helpers. */
function processesWith(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z /.test(stat)) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

/**
 * The real whatsapp-web.js client (client.ts) against Debian's Chromium, as
 * far as this machine can take it: the browser launches with the session
 * folder, opens https://web.whatsapp.com/ and the navigation fails
 * (ERR_NAME_NOT_RESOLVED: no network). The host resolver rule makes that the
 * outcome on a machine with a network too, so tests never reach WhatsApp.
 */
describeWithChromium('whatsapp-web.js driving Debian’s Chromium, without a network', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vv-wweb-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('launches the browser, fails to load WhatsApp Web, logs it, starts again, and leaves no browser behind when stopped', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const log = recordingLogger();
    const profile = sessionDir(dir);
    const whatsapp = createWhatsAppWeb({
      createClient: () =>
        createWhatsAppWebClient({
          chromiumPath: CHROMIUM,
          dataDir: dir,
          runningAsRoot: process.getuid?.() === 0,
          extraArgs: ['--host-resolver-rules=MAP * ~NOTFOUND'],
        }),
      log,
      qrOutput: null,
      timing: { reconnectBaseMs: 500, reconnectMaxMs: 1_000, startTimeoutMs: 60_000 },
    });

    let sawBrowser = false;
    try {
      whatsapp.start(async () => undefined);
      await until(() => {
        sawBrowser ||= processesWith(profile).length > 0;
        return log.events('whatsapp-web-start-failed').length >= 2;
      }, 90_000);
    } finally {
      await whatsapp.stop();
      process.off('unhandledRejection', onUnhandled);
    }

    expect(sawBrowser).toBe(true);
    // LocalAuth keeps the browser profile, where the session would be, in the data folder.
    expect(existsSync(join(profile, 'Default'))).toBe(true);
    const failures = log.events('whatsapp-web-start-failed');
    expect(failures[0]).toMatchObject({ level: 'error', attempt: 1, err: { message: 'net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/' } });
    expect(failures[1]).toMatchObject({ attempt: 2 });
    expect(log.events('whatsapp-web-reconnect').map((l) => l.inMs).slice(0, 2)).toEqual([500, 1_000]);
    expect(whatsapp.status().state).toBe('disconnected');
    expect(unhandled).toEqual([]);
    await until(() => processesWith(profile).length === 0, 10_000);
  }, 120_000);
});
