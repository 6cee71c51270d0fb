import type { ContenderName } from '../contenders';
import type { BenchResult, TargetCheck } from '../result';
import type { StoredBytes } from '../sections/memory';
import { fmt, fmtSpread, type Spread } from '../stats';
import type { StoreKind } from '../workload/driver';

/** The level the throughput targets are set at. */
export const TARGET_CONCURRENCY = 1000;

export function ratioOf(result: BenchResult, store: StoreKind, concurrency: number, peer: Exclude<ContenderName, 'engine'>): Spread | undefined {
  return result.throughput.ratios.find((r) => r.store === store && r.concurrency === concurrency && r.peer === peer)?.ratio;
}

function cell(result: BenchResult, store: StoreKind, concurrency: number, contender: ContenderName) {
  return result.throughput.cells.find((c) => c.store === store && c.concurrency === concurrency && c.contender === contender);
}

/** A ratio target, met when the median of the per-repetition ratios reaches it; wrong replies void it. */
function ratioTarget(
  result: BenchResult,
  target: string,
  store: StoreKind,
  peer: Exclude<ContenderName, 'engine'>,
  atLeast: number,
  whyNot: string,
): TargetCheck {
  const ratio = ratioOf(result, store, TARGET_CONCURRENCY, peer);
  const wrong = (['engine', peer] as const).filter((c) => (cell(result, store, TARGET_CONCURRENCY, c)?.mismatches ?? 0) > 0);
  if (!ratio || Number.isNaN(ratio.median)) return { target, measured: 'not measured', met: false, note: `${store} was not run` };
  if (wrong.length > 0) return { target, measured: fmtSpread(ratio), met: false, note: `void: wrong replies from ${wrong.join(' and ')}` };
  const met = ratio.median >= atLeast;
  const every = ratio.min >= atLeast;
  const measured = `${fmt(ratio.median)}× (min ${fmt(ratio.min)}×, max ${fmt(ratio.max)}×)`;
  if (met) return { target, measured, met, ...(every ? {} : { note: `the median reaches it, not every repetition` }) };
  return { target, measured, met, note: whyNot };
}

/**
 * What the parts timed alone say about a budget of `budget` µs a turn: the
 * XState step, the zod check, one reply's text and the record's JSON are
 * each part of every engine turn, which is besides a chain of promises.
 */
function partsNote(result: BenchResult, budget: number): string {
  const parts = result.parts;
  if (!parts || !Number.isFinite(budget)) return '';
  const sum = parts.parts.filter((p) => p.everyTurn).reduce((total, p) => total + p.micros.median, 0);
  const promises = (c: ContenderName) => fmt(Math.round(parts.promisesPerTurn.find((p) => p.contender === c)?.promises ?? NaN));
  return (
    `. Timed alone and hot, four parts of every turn (the XState step, the zod check, one reply's text, the record's JSON) take ` +
    `${fmt(sum)} µs together, ${fmt((100 * sum) / budget)}% of that budget; the rest is spread over a turn of ${promises('engine')} promises ` +
    `(Bot Framework ${promises('botframework')}, the table ${promises('table')})`
  );
}

/** Each target of issue 9 against this run's figures, with the reason where one is missed. */
export function checkTargets(result: BenchResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const tps = (store: StoreKind, c: ContenderName) => cell(result, store, TARGET_CONCURRENCY, c)?.turnsPerSecond.median ?? NaN;
  const cpu = (store: StoreKind, c: ContenderName) => cell(result, store, TARGET_CONCURRENCY, c)?.cpuMicrosPerTurn?.median ?? NaN;
  const perTurn = (store: StoreKind, c: ContenderName) => `${fmt(1e6 / tps(store, c))} µs`;
  // What the engine does that its peers do not, every turn: the reason it cannot come near a floor that does nothing else.
  const engineWork =
    `validates the message with zod (and the ${result.memory.stored.recordJson} B record when this process did not save it last), runs the middleware chain ` +
    'and the XState flow, renders with i18next, ' +
    'writes the record, the processed mark and the replies (leased to itself for sending) in one transaction, sends them ' +
    'and marks them delivered, and hands the turn to the insight counts';

  checks.push(
    ratioTarget(
      result,
      'Engine on SQLite, N = 1,000: at least 10× Bot Framework dialogs',
      'sqlite',
      'botframework',
      10,
      `10× would be ${fmt(1e6 / tps('sqlite', 'botframework') / 10)} µs a turn (Bot Framework runs ${fmt(tps('sqlite', 'botframework'))} turns a second here); ` +
        `the engine takes ${perTurn('sqlite', 'engine')} (${fmt(cpu('sqlite', 'engine'))} µs of processor time, garbage collection on the second core included): it ${engineWork}` +
        partsNote(result, 1e6 / tps('sqlite', 'botframework') / 10),
    ),
  );
  checks.push(
    ratioTarget(
      result,
      'Engine on SQLite, N = 1,000: at least 1.0× the hand-written table (one commit per turn)',
      'sqlite',
      'table',
      1,
      `the table takes ${perTurn('sqlite', 'table')} a turn, commit included, for a row of 40 bytes; the engine's processor time alone ` +
        `is ${fmt(cpu('sqlite', 'engine'))} µs a turn: group commit takes the commit out of it, not the rest` +
        partsNote(result, 1e6 / tps('sqlite', 'table')),
    ),
  );
  checks.push(
    ratioTarget(
      result,
      'Engine in memory, N = 1,000: at least 0.3× the hand-written table in memory',
      'memory',
      'table',
      0.3,
      `in memory the table takes ${perTurn('memory', 'table')} a turn (a Map lookup and a small JSON), so 0.3× would be ` +
        `${fmt(1e6 / tps('memory', 'table') / 0.3)} µs; the engine takes ${perTurn('memory', 'engine')} for the same work as on SQLite, the commit aside` +
        partsNote(result, 1e6 / tps('memory', 'table') / 0.3),
    ),
  );

  const web = result.http.find((h) => h.target === 'webchat' && h.connections === 256);
  if (web) {
    // Judged on connections kept alive, as platforms and browsers keep them; autocannon's own figure is given too.
    const p99 = web.keptAliveP99Ms;
    const met = p99.median < 50 && web.errors === 0;
    checks.push({
      target: 'Web chat API over HTTP, 256 connections: p99 under 50 ms, no errors',
      measured:
        `p99 ${fmt(p99.median)} ms (max ${fmt(p99.max)} ms) on connections kept alive; ${fmt(web.p99Ms.median)} ms counting each connection's ` +
        `first request as autocannon does; ${web.errors} errors, ${fmt(web.requestsPerSecond.median)} requests a second`,
      met,
      ...(met
        ? p99.max >= 50
          ? { note: 'the median reaches it, not every repetition' }
          : {}
        : {
            note:
              web.errors > 0
                ? `${web.errors} requests failed or answered wrongly`
                : `with 256 requests in flight in one process, each waits for the others' turns: the mean latency is connections ÷ throughput ` +
                  `(${fmt((256 / web.requestsPerSecond.median) * 1000)} ms here), ` +
                  (web.requestsPerSecond.median > 5120
                    ? 'and the slowest requests wait besides for the longest stalls of the event loop, chiefly the server’s young-generation ' +
                      'garbage collections (about 9 ms each and up to 50 ms with the 64 MB semi-space of `npm run serve`, measured apart ' +
                      'from this run): a p99 under 50 ms needs both more requests a second and shorter pauses'
                    : 'so a p99 under 50 ms needs more than 5,120 requests a second'),
          }),
    });
  } else {
    checks.push({ target: 'Web chat API over HTTP, 256 connections', measured: 'not measured', met: false, note: 'no 256-connection run' });
  }

  const bytes = result.memory.stored;
  const webChat = result.memory.storedWithHistory;
  const total = (b: StoredBytes) => b.state.pages + b.processedMarks.pages + b.outbox.pages;
  const all = total(bytes);
  const reasons: string[] = [];
  if (bytes.state.pages > 1.5 * bytes.state.data) {
    reasons.push(
      `the conversation's own row and indexes hold ${bytes.state.data} B of data but occupy ${bytes.state.pages} B of pages: the first turn's ` +
        'record (the 19-country question with its choices) is more than twice the later ones, and SQLite does not pack a page again ' +
        'when its rows shrink (VACUUM does)',
    );
  }
  if (bytes.state.data > 1024) reasons.push(`the record alone takes ${bytes.recordJson} B as JSON`);
  reasons.push(`each message id stays marked as processed for 30 days, so a retried message is answered once (${bytes.processedMarks.pages} B of pages)`);
  if (bytes.outbox.pages > 0) reasons.push(`replies kept in the outbox take ${bytes.outbox.pages} B of pages`);
  checks.push({
    target: 'At most 1 KB stored per conversation',
    measured:
      `${all} B of pages per conversation on a messaging app's channel (${bytes.file} B of file); the conversation's row and indexes: ` +
      `${bytes.state.data} B of data, ${bytes.state.pages} B of pages; record JSON ${bytes.recordJson} B. ` +
      `On the web chat, which keeps its replies as the page's history: ${total(webChat)} B of pages`,
    met: all <= 1024,
    ...(all <= 1024 ? {} : { note: reasons.join('; ') }),
  });

  const growth = result.growth;
  const first = growth.levels[0];
  const last = growth.levels.at(-1);
  if (first && last) {
    const met = growth.costRatio.median <= 1.25;
    checks.push({
      target: `Per-turn cost at ${last.stored.toLocaleString('en-GB')} stored conversations within 1.25× of that at ${first.stored.toLocaleString('en-GB')}`,
      measured: `${fmt(growth.costRatio.median)}× (min ${fmt(growth.costRatio.min)}×, max ${fmt(growth.costRatio.max)}×): ${fmt(first.microsPerTurn.median)} → ${fmt(last.microsPerTurn.median)} µs a turn`,
      met,
      ...(met ? {} : { note: 'B-tree depth and a file larger than the page cache: each lookup and insert touches more pages that are not in memory' }),
    });
  }

  checks.push({
    target: '`npm run bench` finishes in under 10 minutes',
    measured: `${fmt(result.durationSeconds / 60)} minutes`,
    met: result.durationSeconds < 600,
  });
  for (const s of result.stores) {
    if (!s.ok) checks.push({ target: `PostgreSQL figures`, measured: 'skipped', met: false, note: s.reason });
  }
  return checks;
}
