import type { Logger } from '../../conversation/logger';
import type { WhatsAppClientPort } from './port';
import { safeErrorFields, safeReason } from './safe-log';
import { backoff, type Sleep, type Timing } from './timing';

/** What the login page shows: the client's progress from launch to linked and ready. */
export type ConnectionState = 'starting' | 'qr' | 'authenticated' | 'ready' | 'disconnected';

export interface ConnectionSnapshot {
  state: ConnectionState;
  /** The login QR code's content while the state is `qr`. */
  qr: string | null;
  /** When the state last changed (ms since the epoch). */
  since: number;
  /** Failed starts and disconnections since the client was last ready. */
  failures: number;
  /** When the next attempt to reconnect is due, if one is waiting. */
  retryAt: number | null;
}

export interface ConnectionOptions {
  log: Logger;
  timing: Pick<Timing, 'reconnectBaseMs' | 'reconnectMaxMs' | 'startTimeoutMs'>;
  sleep: Sleep;
  now: () => number;
  /** Called with each new login QR code (drawn in the terminal). */
  onQr?: (qr: string) => void;
}

/**
 * Keeps one whatsapp-web.js client connected: starts it, follows its events,
 * and after a failed start, a start that hangs, a failed session restore or a
 * disconnection, closes the browser and starts it again, waiting longer each
 * time (up to a cap) and from the start again once it is ready. WhatsApp Web
 * in a browser is one session per number, so there is never more than one
 * start under way.
 */
export class Connection {
  private state: ConnectionState = 'starting';
  private qr: string | null = null;
  private since: number;
  private failures = 0;
  private retryAt: number | null = null;
  /** A reconnection is waiting or closing the browser; further losses are the same loss. */
  private restarting = false;
  /** Counts starts, so that the outcome of an abandoned one is not taken for the current one's. */
  private generation = 0;
  private watchdog: AbortController | null = null;
  /** Cancels the back-off of a reconnection that became needless (the client got ready by itself). */
  private pendingRestart: AbortController | null = null;
  private readonly stopper = new AbortController();
  private readonly readyWaiters = new Set<() => void>();
  private readonly tasks = new Set<Promise<void>>();

  constructor(
    private readonly client: WhatsAppClientPort,
    private readonly opts: ConnectionOptions,
  ) {
    this.since = opts.now();
    const { log } = opts;
    client.on('qr', (qr) => {
      if (this.stopped) return;
      this.disarmWatchdog();
      this.qr = qr;
      this.set('qr');
      // The code itself is a login secret: it is drawn for the terminal and the page, never logged.
      log.info({ event: 'whatsapp-web-qr' });
      opts.onQr?.(qr);
    });
    client.on('authenticated', () => {
      if (this.stopped) return;
      this.qr = null;
      this.set('authenticated');
      // Syncing the chats may still hang; the watchdog covers it as it covers the start.
      this.armWatchdog(this.generation);
      log.info({ event: 'whatsapp-web-authenticated' });
    });
    client.on('ready', () => {
      if (this.stopped) return;
      this.disarmWatchdog();
      this.qr = null;
      this.failures = 0;
      this.cancelRestart();
      this.set('ready');
      log.info({ event: 'whatsapp-web-ready' });
      for (const wake of [...this.readyWaiters]) wake();
    });
    client.on('auth_failure', (message) => {
      log.warn({ event: 'whatsapp-web-auth-failure', reason: safeReason(message) });
      this.lost();
    });
    client.on('disconnected', (reason) => {
      log.warn({ event: 'whatsapp-web-disconnected', reason: safeReason(reason) });
      if (reason === 'LOGOUT') this.loggedOut();
      else this.lost();
    });
  }

  get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  snapshot(): ConnectionSnapshot {
    return { state: this.state, qr: this.qr, since: this.since, failures: this.failures, retryAt: this.retryAt };
  }

  /** Starts the client in the background: WhatsApp Web may take minutes, or wait for a scan. */
  start(): void {
    if (this.stopped || this.generation > 0) return;
    this.track(this.boot());
  }

  /**
   * Whether the client is ready, waiting up to `ms` for it (false on
   * timeout, or when the connection stops meanwhile).
   */
  waitReady(ms: number): Promise<boolean> {
    if (this.state === 'ready') return Promise.resolve(true);
    if (this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = new AbortController();
      const done = (ready: boolean) => {
        this.readyWaiters.delete(onReady);
        this.stopper.signal.removeEventListener('abort', onStop);
        timer.abort();
        resolve(ready);
      };
      const onReady = () => done(true);
      const onStop = () => done(false);
      this.readyWaiters.add(onReady);
      this.stopper.signal.addEventListener('abort', onStop, { once: true });
      void this.opts.sleep(ms, timer.signal).then((slept) => {
        if (slept) done(false);
      });
    });
  }

  /** Stops reconnecting, closes the browser, and waits (a bounded time) for a start under way to end. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopper.abort();
    this.disarmWatchdog();
    await this.destroy();
    // Closing the browser makes a start under way fail at once; do not wait on one that does not.
    const timer = new AbortController();
    await Promise.race([Promise.allSettled([...this.tasks]), this.opts.sleep(10_000, timer.signal)]);
    timer.abort();
    this.set('disconnected');
  }

  private set(state: ConnectionState): void {
    if (state !== 'qr') this.qr = null;
    if (this.state === state) return;
    this.state = state;
    this.since = this.opts.now();
  }

  private async boot(): Promise<void> {
    const generation = ++this.generation;
    this.set('starting');
    this.armWatchdog(generation);
    try {
      // Resolves once WhatsApp Web is open; the QR code, the login and `ready` come as events.
      await this.client.initialize();
    } catch (err) {
      if (this.stopped || generation !== this.generation) return;
      this.disarmWatchdog();
      this.opts.log.error({ event: 'whatsapp-web-start-failed', attempt: this.failures + 1, ...safeErrorFields(err) });
      this.lost();
    }
  }

  /**
   * The phone removed this linked device. whatsapp-web.js recovers from that
   * by itself, in the same browser: it deletes the session and shows a new QR
   * code. Closing the browser meanwhile would fail its own handler (an
   * unhandled rejection), so the connection only waits for the code, and
   * restarts as after a hung start if none comes.
   */
  private loggedOut(): void {
    if (this.stopped) return;
    this.set('disconnected');
    this.armWatchdog(this.generation);
  }

  /** The client is not usable: close it and start it again after a back-off. */
  private lost(): void {
    if (this.stopped) return;
    // A start still under way is abandoned: when closing the browser fails it, that is no news.
    this.generation++;
    this.disarmWatchdog();
    this.set('disconnected');
    if (this.restarting) return;
    this.restarting = true;
    this.failures++;
    const delay = backoff(this.failures, this.opts.timing.reconnectBaseMs, this.opts.timing.reconnectMaxMs);
    this.retryAt = this.opts.now() + delay;
    this.opts.log.info({ event: 'whatsapp-web-reconnect', attempt: this.failures, inMs: delay });
    const pending = new AbortController();
    this.pendingRestart = pending;
    this.track(
      (async () => {
        const waited = await this.opts.sleep(delay, AbortSignal.any([this.stopper.signal, pending.signal]));
        if (!waited || this.stopped) return;
        this.pendingRestart = null;
        this.retryAt = null;
        await this.destroy();
        this.restarting = false;
        if (this.stopped) return;
        await this.boot();
      })(),
    );
  }

  private cancelRestart(): void {
    if (!this.pendingRestart) return;
    this.pendingRestart.abort();
    this.pendingRestart = null;
    this.restarting = false;
    this.retryAt = null;
  }

  private armWatchdog(generation: number): void {
    this.disarmWatchdog();
    const watchdog = new AbortController();
    this.watchdog = watchdog;
    const { startTimeoutMs } = this.opts.timing;
    void this.opts.sleep(startTimeoutMs, watchdog.signal).then((expired) => {
      if (!expired || this.stopped || generation !== this.generation) return;
      this.opts.log.error({ event: 'whatsapp-web-start-timeout', state: this.state, ms: startTimeoutMs });
      this.lost();
    });
  }

  private disarmWatchdog(): void {
    this.watchdog?.abort();
    this.watchdog = null;
  }

  private async destroy(): Promise<void> {
    try {
      await this.client.destroy();
    } catch (err) {
      this.opts.log.warn({ event: 'whatsapp-web-destroy-failed', ...safeErrorFields(err) });
    }
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    // Tasks catch their own failures; this only keeps an unforeseen one from going unnoticed.
    void task
      .catch((err: unknown) => this.opts.log.error({ event: 'whatsapp-web-task-failed', ...safeErrorFields(err) }))
      .finally(() => this.tasks.delete(task));
  }
}
