import { chromiumArgs, sessionDir } from './launch-options';

test('as root, Chromium runs without its sandbox (it cannot start one), with the server flags', () => {
  const args = chromiumArgs({ runningAsRoot: true });
  expect(args).toEqual(expect.arrayContaining(['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu']));
});

test('as any other user the sandbox stays on', () => {
  const args = chromiumArgs({ runningAsRoot: false, extraArgs: ['--host-resolver-rules=MAP * ~NOTFOUND'] });
  expect(args).not.toContain('--no-sandbox');
  expect(args).not.toContain('--disable-setuid-sandbox');
  expect(args.at(-1)).toBe('--host-resolver-rules=MAP * ~NOTFOUND');
});

test('the session lives in the data folder, where LocalAuth puts it', () => {
  expect(sessionDir('./data/whatsapp-web')).toBe('data/whatsapp-web/session');
});
