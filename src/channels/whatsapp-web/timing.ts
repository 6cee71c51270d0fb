/** How long the adapter waits, and how often it tries again; tests shrink these. */
export interface Timing {
  /** First wait before re-initializing the client after a failure or disconnection. */
  reconnectBaseMs: number;
  /** Longest wait between two attempts to reconnect. */
  reconnectMaxMs: number;
  /** Longest a start may take to show a QR code or get ready before it counts as failed. */
  startTimeoutMs: number;
  /** Longest a reply waits for a connection before it is left in the engine's outbox. */
  readyWaitMs: number;
  /** Tries per reply, the first included. */
  sendAttempts: number;
  /** First wait before trying a failed send again; doubled each time. */
  sendRetryBaseMs: number;
  sendRetryMaxMs: number;
}

export const DEFAULT_TIMING: Timing = {
  reconnectBaseMs: 5_000,
  reconnectMaxMs: 5 * 60_000,
  startTimeoutMs: 3 * 60_000,
  readyWaitMs: 60_000,
  sendAttempts: 4,
  sendRetryBaseMs: 1_000,
  sendRetryMaxMs: 15_000,
};

/** Resolves true after `ms`, or false as soon as `signal` aborts. Never rejects. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<boolean>;

export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** base, 2·base, 4·base… never more than max. `attempt` counts from 1. */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
}
