/**
 * Work started by a webhook request and finished after it was answered (Meta
 * wants its 200 fast, and sends again whatever is slow to answer). Kept
 * track of so that shutting down, and tests, can wait for it to finish.
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  /** Starts `task` once the current I/O callbacks are done (after the answer is written); failures go to `onError`. */
  run(task: () => Promise<void>, onError: (err: unknown) => void): void {
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch(onError)
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves when no work is left, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
