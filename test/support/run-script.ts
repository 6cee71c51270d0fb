import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** Each run starts a Node process that compiles the script: the room one run gets on a busy machine. */
export const SCRIPT_RUN_MS = 20_000;

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ScriptOptions {
  args?: readonly string[];
  /** The only settings it gets, besides PATH and HOME: nothing leaks in from the test's environment. */
  env?: Record<string, string>;
  /** Written to its standard input, which then closes; none: no standard input at all. */
  stdin?: string;
}

/** Runs a TypeScript file of the repository with tsx, from the repository's folder, as its npm script does. */
export function runScript(script: string, options: ScriptOptions = {}): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, script, ...(options.args ?? [])], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
}
