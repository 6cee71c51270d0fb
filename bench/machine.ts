import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  sqlite: string;
  postgres: string | null;
  /** The load averages (1, 5, 15 minutes) when the run began: other work on the machine moves the numbers. */
  loadAtStart: number[];
}

/** What the numbers were measured on. */
export function describeMachine(postgres: string | null): Machine {
  const list = cpus();
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
    postgres,
    loadAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
}
