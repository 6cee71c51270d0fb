import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutboundMessage } from '../../src/conversation/channel';
import { createTestBot } from '../support';
import { LOCALES_DIR, statusTranslator } from '../support/english';
import { testFlows } from '../support/flows';
import { placeIn } from '../support/situation';

const LANGUAGES = Object.keys(JSON.parse(readFileSync(join(LOCALES_DIR, 'status.json'), 'utf8')) as object);
const FLOWS = testFlows.map((f) => f.id).filter((id) => id !== 'menu');

/** A locale key or an unfilled template shown to a person instead of text. */
const RAW = /\{\{|\$t\(|\b[a-z][A-Za-z]*:[a-z][\w.]*[a-z]\b/;

/** Presses onward through a flow: the first button that is not back, menu or a way out. */
function onward(reply: OutboundMessage | undefined): string | undefined {
  return reply?.buttons?.find((b) => !/^(nav\.back|cmd\.|flow\.start:|topic\.open:|lang\.)/.test(b.payload))?.payload;
}

describe.each(LANGUAGES)('in %s', (lang) => {
  it.each(FLOWS)('the %s flow renders every step with no raw key', async (flow) => {
    const bot = createTestBot({ tr: statusTranslator });
    await placeIn(bot, 'AE', 'PH');
    await bot.press(`lang.set:${lang}`);
    const seen: OutboundMessage[] = [...(await bot.press(`flow.start:${flow}`))];
    for (let step = 0; step < 12; step++) {
      const payload = onward(seen.at(-1));
      if (!payload) break;
      seen.push(...(await bot.press(payload)));
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const message of seen) {
      expect(message.locale === lang || message.locale === 'en').toBe(true);
      expect(message.text).not.toMatch(RAW);
      for (const b of message.buttons ?? []) expect(b.label).not.toMatch(RAW);
    }
    // Only the draft notice's English half may be in English.
    expect(seen.filter((m) => m.locale !== lang).length).toBeLessThanOrEqual(lang === 'en' ? 0 : 1);
  });
});
