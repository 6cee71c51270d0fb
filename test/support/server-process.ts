import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX_CLI = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

/** Compiling and starting takes a few seconds on a busy machine. */
export const SERVER_START_MS = 30_000;

/** The bot as `npm start` runs it: `tsx src/main.ts` in a process of its own, which a test may signal or kill. */
export interface ServerProcess {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  /** Whatever it wrote that is not a JSON log line. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  exited: Promise<number | null>;
  events(name: string): Record<string, unknown>[];
}

/**
 * Starts `src/main.ts` with exactly these settings (besides PATH and HOME)
 * on port 0, and resolves once it logs that it listens. By default tsx is a
 * loader in this one process; `cli` runs `tsx src/main.ts` as production
 * does, whose CLI starts the script in a second process and passes signals
 * on to it (a SIGKILL of the CLI would leave that second process running).
 */
export function startServerProcess(env: Record<string, string>, options: { cli?: boolean } = {}): Promise<ServerProcess> {
  const args = options.cli ? [TSX_CLI, 'src/main.ts'] : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let other = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not start within ${SERVER_START_MS} ms:\n${other}`));
    }, SERVER_START_MS);
    let pending = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (other += d));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          other += `${line}\n`;
          continue;
        }
        logs.push(parsed);
        if (parsed.event === 'listening' && typeof parsed.url === 'string') {
          clearTimeout(timer);
          resolve({
            url: parsed.url,
            child,
            logs,
            output: () => other,
            exited,
            events: (name) => logs.filter((l) => l.event === name),
          });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${other}`));
    });
  });
}
