import Database from 'better-sqlite3';

/**
 * Watches a running app from the outside while it is fuzzed: what its
 * database holds (read on a connection of its own), whether it still
 * answers, and whether anything has been planted on Object.prototype.
 */
export class StoreSnapshot {
  private readonly db: Database.Database;
  private readonly tables: string[];

  constructor(path: string) {
    this.db = new Database(path, { readonly: true, fileMustExist: true });
    this.tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  }

  /** Every row of every table; a session's expiry is left out, since any signed-in request may move it. */
  take(): string {
    const parts: string[] = [];
    for (const table of this.tables) {
      const rows = this.db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[];
      for (const row of rows) {
        if (table === 'staff_sessions') delete row.expires_at;
        parts.push(`${table} ${JSON.stringify(row)}`);
      }
    }
    return parts.join('\n');
  }

  /** The rows of the `after` snapshot that `before` lacks, or that changed: what a failure shows. */
  static changed(before: string, after: string): string[] {
    const had = new Set(before.split('\n'));
    return after.split('\n').filter((row) => !had.has(row)).map((row) => row.slice(0, 200));
  }

  close(): void {
    this.db.close();
  }
}

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

/** Throws when Object.prototype (or Array.prototype) has gained a property: the server runs in this process. */
export function expectNoPollution(): void {
  const names = Object.getOwnPropertyNames(Object.prototype).sort().join(',');
  if (names !== PROTOTYPE_NAMES) throw new Error(`Object.prototype was polluted: ${names}`);
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined || ([] as unknown as Record<string, unknown>).polluted !== undefined) {
    throw new Error('a property was planted on a prototype');
  }
}

export interface Answer {
  status: number;
  text: string;
}

/** One raw request: bytes or text as given, headers as given (fetch adds only what it must). */
export async function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> }): Promise<Answer> {
  const res = await fetch(url, { method: init.method ?? 'POST', headers: init.headers ?? {}, body: init.body });
  return { status: res.status, text: await res.text() };
}

export async function expectAlive(base: string): Promise<void> {
  const res = await send(`${base}/healthz`, { method: 'GET' });
  if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
}

/** Counts the inputs each property tried, and prints them once the file is done. */
export class Tally {
  private readonly counts = new Map<string, number>();

  constructor(private readonly entryPoint: string) {}

  count(property: string): void {
    this.counts.set(property, (this.counts.get(property) ?? 0) + 1);
  }

  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  print(): void {
    const lines = [...this.counts].map(([property, n]) => `  ${String(n).padStart(6)}  ${property}`);
    console.info(`fuzzed ${this.entryPoint}: ${this.total} inputs\n${lines.join('\n')}`);
  }
}

/** A 5xx means a bug in the server: hostile input must get a 4xx. */
export function expectNoServerError(answer: Answer, what: string): void {
  if (answer.status >= 500) throw new Error(`${what} got ${answer.status}: ${answer.text.slice(0, 300)}`);
}

/**
 * Sends requests the server must refuse, and checks each: no 5xx, one of the
 * statuses expected, nothing kept in the store, nothing planted on a prototype.
 */
export class Refusals {
  constructor(
    private readonly snapshot: StoreSnapshot,
    private readonly tally: Tally,
    /** Waits for work a request started after its answer (webhooks answered first, handled after). */
    private readonly settle: () => Promise<void> = async () => undefined,
  ) {}

  async expect(property: string, url: string, init: Parameters<typeof send>[1], statuses: readonly number[]): Promise<Answer> {
    this.tally.count(property);
    const before = this.snapshot.take();
    const answer = await send(url, init);
    expectNoServerError(answer, property);
    expectNoPollution();
    if (!statuses.includes(answer.status)) {
      throw new Error(`${property}: expected ${statuses.join(' or ')}, got ${answer.status}: ${answer.text.slice(0, 200)}`);
    }
    await this.settle();
    const changed = StoreSnapshot.changed(before, this.snapshot.take());
    if (changed.length > 0) throw new Error(`${property}: a refused request changed the store: ${changed.join('; ')}`);
    return answer;
  }
}

const scaleSetting = Number(process.env.FUZZ_SCALE ?? '1');
const SCALE = Number.isFinite(scaleSetting) && scaleSetting > 0 ? scaleSetting : 1;

/** Inputs per property: the count given, times FUZZ_SCALE (e.g. FUZZ_SCALE=10 for a long hunt before a release). */
export function runs(count: number): number {
  return Math.max(1, Math.round(count * SCALE));
}

/** Time a fuzz test may take: grows with FUZZ_SCALE. */
export const FUZZ_TIMEOUT_MS = Math.max(60_000, 60_000 * SCALE);
