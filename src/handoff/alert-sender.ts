import { setTimeout as sleep } from 'node:timers/promises';
import { errorFields, type Logger } from '../conversation/logger';
import type { Alert, AlertSender } from './alerts';
import type { AlertTarget, Category } from './types';

/** A Teams conversation the bot was added to, written to through its stored reference. */
export interface TeamsPoster {
  /** Whether a reference is kept for it: without one no retry can help. */
  known(conversationKey: string): Promise<boolean>;
  post(conversationKey: string, text: string): Promise<void>;
}

export interface AlertSenderOptions {
  log: Logger;
  /** Null when this instance does not run the Teams channel: Teams targets then fail (and are logged). */
  teams: TeamsPoster | null;
  /** Per webhook request. */
  timeoutMs?: number;
  /** Waits before each retry; their count is the number of retries. */
  retryDelaysMs?: readonly number[];
}

/** A webhook answer worth trying again (the receiver is down or busy), or not (it refuses this request). */
export class AlertPostError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'AlertPostError';
  }
}

const CATEGORY_NAMES: Record<Category, string> = {
  danger: 'danger',
  passport: 'passport taken',
  recruitment: 'recruitment problem',
  familyEmergency: 'family emergency',
  rfl: 'family tracing (RFL)',
  wellbeing: 'wellbeing',
  other: 'other',
};

/** The Teams alert, in English (the staff's working language); it names the case, never the person. */
export function alertText(alert: Alert): string {
  const minutes = alert.waitingMinutes === 1 ? '1 minute' : `${alert.waitingMinutes} minutes`;
  const priority = alert.priority === 'urgent' ? 'URGENT case' : 'Case';
  return (
    `${priority} ${alert.caseId} (${CATEGORY_NAMES[alert.category]}) for ${alert.organisation.name} ` +
    `has waited ${minutes} without a caseworker. Open it in the console: ${alert.consoleUrl}`
  );
}

/** The webhook body: exactly the alert's fields, which carry nothing personal. */
export function webhookBody(alert: Alert): string {
  const { caseId, organisation, category, priority, waitingMinutes, consoleUrl } = alert;
  return JSON.stringify({ caseId, organisation, category, priority, waitingMinutes, consoleUrl });
}

/** One POST of the alert; throws AlertPostError on a timeout, a network error or a non-2xx answer. */
export async function postWebhook(url: string, alert: Alert, timeoutMs: number, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: webhookBody(alert),
      // A webhook that redirects is misconfigured; following it would send the alert somewhere unchecked.
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (err) {
    // The URL may hold a secret token, so the message names the kind of failure, not the address.
    // Duck-typed: the DOMException fetch throws may come from another realm (a test sandbox).
    const timedOut = (err as { name?: unknown } | null)?.name === 'TimeoutError';
    throw new AlertPostError(timedOut ? `webhook did not answer within ${timeoutMs} ms` : 'webhook unreachable', !signal.aborted);
  }
  await res.body?.cancel();
  if (res.ok) return;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new AlertPostError(`webhook answered ${res.status}`, retryable);
}

/**
 * Posts alerts to webhooks and Teams, each tried again after the given
 * delays (back-off) while the failure may pass; every failed attempt is
 * logged without the address or any content.
 */
export function alertSender(opts: AlertSenderOptions): AlertSender {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const delays = opts.retryDelaysMs ?? [2_000, 10_000, 60_000];
  const once = async (target: AlertTarget, alert: Alert, signal: AbortSignal): Promise<void> => {
    if (target.kind === 'webhook') return postWebhook(target.url, alert, timeoutMs, signal);
    if (!opts.teams) throw new AlertPostError('the Teams channel is not enabled on this server', false);
    if (!(await opts.teams.known(target.conversationKey))) {
      throw new AlertPostError('the bot has not been added to this Teams conversation (no reference kept)', false);
    }
    return opts.teams.post(target.conversationKey, alertText(alert));
  };
  return {
    async send(target, alert, signal) {
      for (let attempt = 1; ; attempt++) {
        try {
          await once(target, alert, signal);
          return;
        } catch (err) {
          const retryable = !(err instanceof AlertPostError) || err.retryable;
          const delay = delays[attempt - 1];
          if (!retryable || delay === undefined || signal.aborted) throw err;
          opts.log.warn({ event: 'alert-post-retry', caseId: alert.caseId, target: target.kind, attempt, ...errorFields(err) });
          try {
            await sleep(delay, undefined, { signal, ref: false });
          } catch {
            throw err;
          }
        }
      }
    },
  };
}
