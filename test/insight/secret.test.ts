import { randomBytes } from 'node:crypto';
import { startApp, tempDatabase } from '../support/server';

/** The log lines of starting and stopping the app with these settings, parsed. */
async function startupLines(env: Record<string, string>): Promise<{ level: number; event?: string; detail?: string }[]> {
  const lines: string[] = [];
  const db = tempDatabase();
  try {
    const server = await startApp(db.path, { env, log: { level: 'info', destination: { write: (l: string) => lines.push(l) } } });
    await server.close();
  } finally {
    db.remove();
  }
  return lines.map((l) => JSON.parse(l) as { level: number; event?: string });
}

test('without INSIGHT_SECRET and DATA_ENCRYPTION_KEY, one warning says a restart may count a person twice', async () => {
  const lines = await startupLines({ ALLOW_PLAINTEXT_DATA: 'true', DATA_ENCRYPTION_KEY: '' });
  const warnings = lines.filter((l) => l.event === 'insight-secret-random');
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({ level: 40, detail: expect.stringMatching(/count a person twice after a restart/) });
});

test.each([
  ['DATA_ENCRYPTION_KEY', { DATA_ENCRYPTION_KEY: randomBytes(32).toString('hex') }],
  ['INSIGHT_SECRET', { ALLOW_PLAINTEXT_DATA: 'true', DATA_ENCRYPTION_KEY: '', INSIGHT_SECRET: randomBytes(24).toString('hex') }],
])('with %s set, no such warning', async (_name, env) => {
  const lines = await startupLines(env);
  expect(lines.some((l) => l.event === 'channels')).toBe(true);
  expect(lines.filter((l) => l.event === 'insight-secret-random')).toEqual([]);
});
