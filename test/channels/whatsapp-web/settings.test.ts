import { ConfigError, loadConfig } from '../../../src/config/env';
import { ADMIN_TOKEN } from './harness';

describe('WhatsApp Web settings', () => {
  test('WhatsApp Web is off by default, with Debian’s Chromium and a data folder under ./data', () => {
    expect(loadConfig({})).toMatchObject({
      WHATSAPP_WEB_ENABLED: false,
      CHROMIUM_PATH: '/usr/bin/chromium',
      WHATSAPP_WEB_DATA_DIR: './data/whatsapp-web',
    });
  });

  test('turning it on needs an admin token of at least 24 characters', () => {
    expect(() => loadConfig({ WHATSAPP_WEB_ENABLED: 'true' })).toThrow(
      new ConfigError(['WHATSAPP_WEB_ADMIN_TOKEN: required with WHATSAPP_WEB_ENABLED=true (it protects the login QR page)']),
    );
    expect(() => loadConfig({ WHATSAPP_WEB_ENABLED: 'true', WHATSAPP_WEB_ADMIN_TOKEN: 'x'.repeat(23) })).toThrow(/WHATSAPP_WEB_ADMIN_TOKEN: must be at least 24/);
    expect(() => loadConfig({ WHATSAPP_WEB_ENABLED: 'true', WHATSAPP_WEB_ADMIN_TOKEN: `${'x'.repeat(24)} y` })).toThrow(/WHATSAPP_WEB_ADMIN_TOKEN:/);
    expect(loadConfig({ WHATSAPP_WEB_ENABLED: 'true', WHATSAPP_WEB_ADMIN_TOKEN: ADMIN_TOKEN }).WHATSAPP_WEB_ADMIN_TOKEN).toBe(ADMIN_TOKEN);
  });

  test('a bad WHATSAPP_WEB_ENABLED is refused by name', () => {
    expect(() => loadConfig({ WHATSAPP_WEB_ENABLED: 'on' })).toThrow(/WHATSAPP_WEB_ENABLED:/);
  });
});
