import { errorFields, type Logger } from '../conversation/logger';
import type { HandoffStore } from '../handoff/store';
import type { Store } from '../store/store';

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionOptions {
  store: Store;
  handoffStore: HandoffStore;
  /** RETENTION_DAYS: how long a closed case, and a conversation without messages, are kept. */
  days: number;
  log: Logger;
  clock?: () => number;
  /** How often it runs after the first run (default: daily). */
  everyMs?: number;
}

export interface RetentionReport {
  cases: number;
  conversations: number;
}

/**
 * Deletes what is no longer needed, so that nothing about a person is kept
 * longer than the deployment promised: cases closed more than `days` ago
 * (transcripts, notes, transfers and tracing details with them), then
 * conversations with no message for `days` and no open case (their marks,
 * replies, requests, references and delivery states with them). Each run
 * writes one audit line with the counts, never what was deleted.
 *
 * Closed cases go first: a conversation whose case has just gone is then
 * judged on its own messages. Several instances may each run it; the deletes
 * are idempotent, so running twice only finds nothing the second time.
 */
export class RetentionJob {
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly opts: RetentionOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  async runOnce(): Promise<RetentionReport> {
    const { store, handoffStore, days, log } = this.opts;
    const now = this.clock();
    const before = now - days * DAY_MS;
    const cases = await handoffStore.deleteClosedCases(before);
    const conversations = await store.deleteIdleConversations(before, await handoffStore.openCaseConversations());
    await handoffStore.audit({ at: now, userId: null, action: 'retention', caseId: null, detail: { days, cases, conversations } });
    log.info({ event: 'retention', days, cases, conversations });
    return { cases, conversations };
  }

  /** Runs now, then every day; the timer never keeps the process alive. A failed run is logged and tried the next time. */
  start(): void {
    if (this.timer) return;
    const run = () => {
      if (this.running) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.opts.log.error({ event: 'retention-failed', ...errorFields(err) }))
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(run, this.opts.everyMs ?? DAY_MS);
    this.timer.unref();
    run();
  }

  /** Stops the timer and waits for a run in progress, so that the stores can close after it. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
