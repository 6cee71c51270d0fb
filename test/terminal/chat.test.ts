import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { english } from '../support';
import { SCRIPT_RUN_MS, runScript, type ScriptRun } from '../support/run-script';

/** Runs `tsx src/chat.ts` as `npm run chat` does (plaintext case data allowed for local use), with these lines piped in. */
function chat(lines: string[], env: Record<string, string>): Promise<ScriptRun> {
  return runScript('src/chat.ts', {
    env: { ALLOW_PLAINTEXT_DATA: 'true', ...env },
    stdin: lines.map((l) => `${l}\n`).join(''),
  });
}

const step1 = english('packing:documents', { step: 1, total: 8 });
const step2 = english('packing:copies', { step: 2, total: 8 });
const preparing = english('menu:audience.preparing');
const packing = english('menu:topics.packing');
const yes = english('common:choice.yes');

/** The number a choice has in the last numbered list that offers it, as a person reads it. */
function numberOf(output: string, label: string): string {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = [...output.matchAll(new RegExp(`^(\\d+)\\. ${escaped}$`, 'gm'))].at(-1);
  if (!found) throw new Error(`no numbered choice '${label}' in:\n${output}`);
  return found[1]!;
}

test('piped lines get numbered choices and reach a packing step', async () => {
  // Typing a choice's label works as well as its number; the numbers are checked below.
  const run = await chat(['hi', 'menu', preparing, packing, yes], { DATABASE_URL: 'memory:' });

  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(english('common:welcome', { language: 'English' }));
  expect(run.stdout).toContain(english('menu:prompt'));
  expect(numberOf(run.stdout, preparing)).toMatch(/^\d+$/);
  expect(numberOf(run.stdout, packing)).toMatch(/^\d+$/);
  expect(run.stdout).toContain(english('packing:intro', { total: 8 }));
  expect(run.stdout).toContain(step1);
  expect(numberOf(run.stdout, english('common:choice.next'))).toBe('1');
}, 3 * SCRIPT_RUN_MS);

test('numbers choose, and with a SQLite file each run continues the same conversation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vv-chat-'));
  const env = { DATABASE_URL: join(dir, 'chat.sqlite') };
  try {
    const first = await chat(['hi', 'menu'], env);
    const second = await chat([numberOf(first.stdout, preparing)], env);
    expect(second.stdout).not.toContain(english('common:welcome', { language: 'English' }));
    const third = await chat([numberOf(second.stdout, packing)], env);
    expect(third.stdout).toContain(english('packing:intro', { total: 8 }));
    const fourth = await chat([numberOf(third.stdout, yes), 'next'], env);
    expect(fourth.code).toBe(0);
    expect(fourth.stdout).toContain(step1);
    expect(fourth.stdout).toContain(step2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 5 * SCRIPT_RUN_MS);

test('bot words like quit and stop go to the bot; only the end of input closes the chat', async () => {
  const run = await chat(['hi', 'quit', 'menu'], { DATABASE_URL: 'memory:' });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(english('common:stopped'));
  expect(run.stdout.lastIndexOf(english('menu:prompt'))).toBeGreaterThan(run.stdout.indexOf(english('common:stopped')));
}, 3 * SCRIPT_RUN_MS);
