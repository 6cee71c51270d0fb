import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStorage } from 'botbuilder';
import { botFrameworkContender } from './peers/botframework';
import { PostgresStorage } from './peers/postgres-storage';
import { SqliteStorage } from './peers/sqlite-storage';
import { stateTableContender } from './peers/state-table';
import { MemoryTableStorage, PostgresTableStorage, SqliteTableStorage } from './peers/table-storage';
import type { PeerTexts } from './peers/texts';
import { probePostgres, tempDatabase } from './postgres';
import type { Contender, StoreKind } from './workload/driver';
import { benchConfig, engineContender } from './workload/engine';

export const CONTENDERS = ['engine', 'botframework', 'table'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export const LABELS: Record<ContenderName, string> = {
  engine: 'Virtual Volunteer engine',
  botframework: 'Bot Framework WaterfallDialog + ConversationState',
  table: 'hand-written state table',
};

/** A store the run can use, or why not. */
export type StoreAvailability = { store: StoreKind; ok: true } | { store: StoreKind; ok: false; reason: string };

/**
 * PostgreSQL counts when the server answers and this build's settings take a
 * postgres:// DATABASE_URL (the engine's PostgreSQL store); otherwise it is
 * skipped with the reason, and the peers are not run there either, since
 * there would be nothing to compare them with.
 */
export async function availableStores(): Promise<StoreAvailability[]> {
  const stores: StoreAvailability[] = [
    { store: 'memory', ok: true },
    { store: 'sqlite', ok: true },
  ];
  if (process.env.BENCH_POSTGRES === 'false') return [...stores, { store: 'postgres', ok: false, reason: 'BENCH_POSTGRES=false' }];
  const probe = await probePostgres();
  if (!probe.ok) return [...stores, { store: 'postgres', ok: false, reason: probe.reason }];
  try {
    benchConfig('postgres://postgres@127.0.0.1:5432/probe');
  } catch (err) {
    const reason = `this build has no PostgreSQL store for the engine (DATABASE_URL: ${(err as Error).message.split('\n').at(-1)?.trim()})`;
    return [...stores, { store: 'postgres', ok: false, reason }];
  }
  return [...stores, { store: 'postgres', ok: true }];
}

/** A contender on a fresh, empty store of the given kind; closing it removes the store. */
export async function openContender(name: ContenderName, store: StoreKind, texts: PeerTexts): Promise<Contender> {
  if (store === 'memory') {
    if (name === 'engine') return engineContender('memory:');
    if (name === 'table') return stateTableContender(new MemoryTableStorage(), texts);
    return botFrameworkContender(new MemoryStorage(), texts);
  }
  if (store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'vv-bench-'));
    const file = join(dir, `${name}.sqlite`);
    const removing = (contender: Contender): Contender => ({
      turn: (c, i, input) => contender.turn(c, i, input),
      async close() {
        await contender.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
    try {
      if (name === 'engine') return removing(await engineContender(file));
      if (name === 'table') return removing(stateTableContender(new SqliteTableStorage(file), texts));
      const storage = new SqliteStorage(file);
      return removing(botFrameworkContender(storage, texts, () => storage.close()));
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }
  const db = await tempDatabase(`vv_bench_${name}`);
  let contender: Contender;
  try {
    if (name === 'engine') contender = await engineContender(db.url);
    else if (name === 'table') contender = stateTableContender(await PostgresTableStorage.open(db.pool()), texts);
    else {
      const storage = await PostgresStorage.open(db.pool());
      contender = botFrameworkContender(storage, texts, () => storage.close());
    }
  } catch (err) {
    await db.drop();
    throw err;
  }
  return {
    turn: (c, i, input) => contender.turn(c, i, input),
    async close() {
      await contender.close();
      await db.drop();
    },
  };
}
