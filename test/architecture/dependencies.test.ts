import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The dependency rules of .dependency-cruiser.cjs, run the way `npm run deps`
 * runs them: over the project (no violations allowed) and over a fixture tree
 * that breaks each rule once, so a rule that stops biting fails here.
 */
const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, 'fixtures');
const CLI = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

interface Violation {
  from: string;
  /** The import as written (`../b/adapter`, `zod`); built-ins lose their `node:` prefix. */
  unresolvedTo?: string;
  to: string;
  rule: { name: string; severity: string };
}

/** Runs the CLI as `npm run deps` does, with any extra arguments. */
function depcruise(cwd: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, '--config', join(ROOT, '.dependency-cruiser.cjs'), ...args, 'src', 'flows'], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  return run;
}

/** Each violation as `rule: from → import`, sorted. */
function violations(cwd: string): string[] {
  const run = depcruise(cwd, '--output-type', 'json');
  if (!run.stdout) throw new Error(`dependency-cruiser printed nothing (exit ${run.status}): ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.unresolvedTo ?? v.to}`).sort();
}

// Each case starts the CLI, which takes seconds on a busy machine.
jest.setTimeout(60_000);

describe('dependency rules', () => {
  it('hold for the project (npm run deps)', () => {
    expect(violations(ROOT)).toEqual([]);
  });

  it('catch each kind of violation, and only those, in the fixture tree', () => {
    expect(violations(FIXTURES)).toEqual(
      [
        'flows-are-pure: flows/impure-node.ts → fs',
        'flows-are-pure: flows/impure-src.ts → ../src/conversation/core',
        'flows-are-pure: flows/impure-package.ts → zod',
        'conversation-not-to-edges: src/conversation/uses-channel.ts → ../channels/a/adapter',
        'conversation-not-to-edges: src/conversation/uses-concrete-store.ts → ../store/memory',
        'concrete-stores-only-in-composition-root: src/conversation/uses-concrete-store.ts → ../store/memory',
        'conversation-not-to-edge-packages: src/conversation/uses-fastify.ts → fastify',
        'store-not-to-core: src/store/memory.ts → ../conversation/core',
        'channels-independent: src/channels/a/adapter.ts → ../b/adapter',
        'directory-is-data: src/directory/data.ts → ../http/server',
        'no-circular: src/cycle/one.ts → ./two',
        'conversation-not-to-edges: src/conversation/uses-handoff.ts → ../handoff/uses-channel',
        'handoff-core-not-to-edges: src/handoff/uses-channel.ts → ../channels/a/adapter',
        'handoff-core-not-to-edge-packages: src/handoff/uses-fastify.ts → fastify',
        // The WhatsApp adapters may share src/channels/whatsapp (whatsapp-x does, allowed); other channels may not.
        'whatsapp-shared-only-for-whatsapp: src/channels/b/uses-whatsapp.ts → ../whatsapp/shapes',
      ].sort(),
    );
  });

  it('fail the build: the CLI exits with the number of errors', () => {
    const run = depcruise(FIXTURES);
    expect(run.stdout).toContain('15 dependency violations (15 errors');
    expect(run.status).toBe(15);
  });
});
