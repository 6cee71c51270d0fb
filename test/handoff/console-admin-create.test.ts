import { randomBytes } from 'node:crypto';
import { SCRIPT_RUN_MS, runScript, type ScriptRun } from '../support/run-script';
import { startApp, tempDatabase, type TempDatabase } from '../support/server';
import { ConsoleClient } from './console-support';

/** Runs `tsx scripts/admin-create.ts` as `npm run admin:create` does, with only these variables and this standard input. */
function adminCreate(args: string[], env: Record<string, string>, stdin = ''): Promise<ScriptRun> {
  return runScript('scripts/admin-create.ts', { args, env, stdin });
}

describe('npm run admin:create', () => {
  let db: TempDatabase;
  const key = randomBytes(32).toString('hex');
  let env: Record<string, string>;

  beforeAll(() => {
    db = tempDatabase();
    env = { DATABASE_URL: db.path, DATA_ENCRYPTION_KEY: key };
  });

  afterAll(() => db.remove());

  test('creates admins from flags with the password from ADMIN_PASSWORD or standard input, and refuses a duplicate', async () => {
    const first = await adminCreate(['--email', 'Admin@Example.org', '--name', 'Ana Reyes'], { ...env, ADMIN_PASSWORD: 'first admin password' });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('created the admin admin@example.org in "Red Cross Red Crescent caseworkers" (new organisation)');

    const piped = await adminCreate(['--email=second@example.org', '--name=Ben Ocampo'], env, 'second admin password\n');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('created the admin second@example.org in "Red Cross Red Crescent caseworkers".');

    const duplicate = await adminCreate(['--email', 'ADMIN@example.org', '--name', 'Someone Else'], { ...env, ADMIN_PASSWORD: 'another long password' });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('a user with this email already exists; nothing was changed');
  }, 3 * SCRIPT_RUN_MS);

  test('the server on the same database lets the admins log in, in the one default organisation', async () => {
    const running = await startApp(db.path, { env: { DATA_ENCRYPTION_KEY: key } });
    try {
      const client = new ConsoleClient(running.url);
      const login = await client.login('admin@example.org', 'first admin password');
      expect(login.status).toBe(200);
      expect(login.body).toMatchObject({ user: { email: 'admin@example.org', name: 'Ana Reyes', role: 'admin' } });
      const me = await client.get<{ organisation: { name: string } }>('/me');
      expect(me.body.organisation.name).toBe('Red Cross Red Crescent caseworkers');
      expect((await client.get('/admin/users')).status).toBe(200);
      expect((await new ConsoleClient(running.url).login('second@example.org', 'second admin password')).status).toBe(200);
      // The server found the organisation by name instead of making another.
      await running.app.handoff.ensureDefaultOrganisation();
      expect((await running.app.handoffStore.listOrganisations()).map((o) => o.name)).toEqual(['Red Cross Red Crescent caseworkers']);
      const audit = await running.app.handoffStore.listAudit(100);
      expect(audit.filter((e) => e.action === 'user.created').map((e) => e.detail)).toEqual([
        expect.objectContaining({ role: 'admin', via: 'admin:create' }),
        expect.objectContaining({ role: 'admin', via: 'admin:create' }),
      ]);
    } finally {
      await running.close();
    }
  });

  test('wrong usage and settings exit with 2 and say why, creating nothing', async () => {
    const runs: [string[], Record<string, string>, string, RegExp][] = [
      [['--email', 'c@example.org', '--name', 'C'], { ...env, ADMIN_PASSWORD: 'short' }, '', /password: must have at least 12 characters/],
      [['--email', 'c@example.org', '--name', 'C', '--password', 'visible in ps'], env, '', /the password is never a flag/],
      [['--name', 'C'], { ...env, ADMIN_PASSWORD: 'long enough password' }, '', /give --email and --name/],
      [['--email', 'not-an-email', '--name', 'C'], { ...env, ADMIN_PASSWORD: 'long enough password' }, '', /email: must be an email address/],
      [['--email', 'c@example.org', '--name', 'C', '--role', 'x'], env, '', /unknown argument: --role/],
      [['--email', 'c@example.org', '--name', 'C'], { DATABASE_URL: 'memory:', ALLOW_PLAINTEXT_DATA: 'true', ADMIN_PASSWORD: 'long enough password' }, '', /memory:, which keeps nothing/],
      [['--email', 'c@example.org', '--name', 'C'], { DATABASE_URL: db.path, ADMIN_PASSWORD: 'long enough password' }, '', /DATA_ENCRYPTION_KEY: required/],
    ];
    for (const [args, runEnv, stdin, message] of runs) {
      const run = await adminCreate(args, runEnv, stdin);
      expect([args, run.code]).toEqual([args, 2]);
      expect(run.stderr).toMatch(message);
    }
    const running = await startApp(db.path, { env: { DATA_ENCRYPTION_KEY: key } });
    try {
      expect((await running.app.handoffStore.listUsers()).map((u) => u.email)).toEqual(['admin@example.org', 'second@example.org']);
    } finally {
      await running.close();
    }
  }, 8 * SCRIPT_RUN_MS);
});
