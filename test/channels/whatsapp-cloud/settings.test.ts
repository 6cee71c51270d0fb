import { Writable } from 'node:stream';
import { ConfigError, loadConfig, whatsappCloudSettings } from '../../../src/config/env';
import { startApp, tempDatabase } from '../../support/server';

const ON = {
  WHATSAPP_CLOUD_TOKEN: 'EAAGm0PX4ZCpsBAFakeAccessToken',
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_CLOUD_APP_SECRET: '5f2b7c0e9d1a4b3c8e6f7a2d1c0b9e8f',
  WHATSAPP_CLOUD_VERIFY_TOKEN: 'verify-me_42',
};

test('without a token the channel is off, and every other setting has its default', () => {
  const config = loadConfig({});
  expect(whatsappCloudSettings(config)).toBeNull();
  expect(config).toMatchObject({
    WHATSAPP_CLOUD_API_ROOT: 'https://graph.facebook.com/v23.0',
    WHATSAPP_CLOUD_TEMPLATE_NAME: 'reply_waiting',
    WHATSAPP_CLOUD_TEMPLATE_FALLBACK_LANGUAGE: 'en',
  });
});

test('a token needs the phone number id, the app secret and the verify token', () => {
  expect(() => loadConfig({ WHATSAPP_CLOUD_TOKEN: ON.WHATSAPP_CLOUD_TOKEN })).toThrow(
    new ConfigError([
      'WHATSAPP_CLOUD_PHONE_NUMBER_ID: required with WHATSAPP_CLOUD_TOKEN',
      'WHATSAPP_CLOUD_APP_SECRET: required with WHATSAPP_CLOUD_TOKEN',
      'WHATSAPP_CLOUD_VERIFY_TOKEN: required with WHATSAPP_CLOUD_TOKEN',
    ]),
  );
  expect(whatsappCloudSettings(loadConfig({ ...ON, WHATSAPP_CLOUD_API_ROOT: 'http://127.0.0.1:9/v23.0/' }))).toMatchObject({
    token: ON.WHATSAPP_CLOUD_TOKEN,
    phoneNumberId: ON.WHATSAPP_CLOUD_PHONE_NUMBER_ID,
    apiRoot: 'http://127.0.0.1:9/v23.0',
  });
});

test('template language pairs replace the defaults for their locales only', () => {
  const config = loadConfig({ WHATSAPP_CLOUD_TEMPLATE_LANGUAGES: ' en=en_US , ne=ne ' });
  expect(config.WHATSAPP_CLOUD_TEMPLATE_LANGUAGES).toMatchObject({ en: 'en_US', ne: 'ne', fil: 'fil', vi: 'vi' });
});

test.each([
  ['WHATSAPP_CLOUD_PHONE_NUMBER_ID', '+1 555 078 3881'],
  ['WHATSAPP_CLOUD_VERIFY_TOKEN', 'has spaces'],
  ['WHATSAPP_CLOUD_API_ROOT', 'ftp://graph.facebook.com'],
  ['WHATSAPP_CLOUD_TEMPLATE_NAME', 'Reply Waiting'],
  ['WHATSAPP_CLOUD_TEMPLATE_LANGUAGES', 'en:en_US'],
  ['WHATSAPP_CLOUD_TEMPLATE_LANGUAGES', 'en=en-US'],
  ['WHATSAPP_CLOUD_TEMPLATE_FALLBACK_LANGUAGE', 'English'],
])('a bad %s (%p) is refused by name', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}:`));
});

test('start-up logs whether the channel is on', async () => {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  for (const env of [{}, ON]) {
    const db = tempDatabase();
    const server = await startApp(db.path, { env, log: { level: 'info', destination } });
    await server.close();
    db.remove();
  }
  expect(lines.filter((l) => l.event === 'channels').map((l) => l['whatsapp-cloud'])).toEqual(['off: WHATSAPP_CLOUD_TOKEN is not set', 'on']);
});
