import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';

/**
 * The house rules of eslint.config.mjs, run over the fixture tree: each rule
 * must catch its violation there and leave the allowed files alone. (The
 * project itself is linted by `npm run lint`.)
 */
const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');
const CLI = join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

interface FileResult {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

it('lint rules catch each kind of violation, and only those, in the fixture tree', () => {
  // With --config, patterns in the config are relative to the working directory: the fixture tree.
  const run = spawnSync(
    process.execPath,
    [CLI, '--config', join(ROOT, 'eslint.config.mjs'), '--format', 'json', 'src/conversation', 'src/config', 'src/http', 'src/chat.ts'],
    { cwd: FIXTURES, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  if (!run.stdout) throw new Error(`eslint printed nothing (exit ${run.status}): ${run.stderr}`);
  const findings = (JSON.parse(run.stdout) as FileResult[])
    .flatMap((file) => file.messages.map((m) => `${relative(FIXTURES, file.filePath)}:${m.line} ${m.ruleId ?? m.message}`))
    .sort();
  expect(findings).toEqual(
    [
      'src/conversation/reads-env.ts:2 no-restricted-properties',
      'src/conversation/reads-env.ts:3 no-console',
      'src/http/promises.ts:2 @typescript-eslint/consistent-type-imports',
      'src/http/promises.ts:5 @typescript-eslint/await-thenable',
      'src/http/promises.ts:9 @typescript-eslint/no-floating-promises',
      'src/http/promises.ts:12 @typescript-eslint/no-misused-promises',
    ].sort(),
  );
  expect(run.status).toBe(1);
}, 120_000); // type-aware linting builds the whole TypeScript program
