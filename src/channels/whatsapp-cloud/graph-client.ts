import { z } from 'zod';
import type { GraphMessage } from './to-outbound';

/** WhatsApp's answer to a free-form message outside the 24-hour window. */
export const REENGAGEMENT_ERROR = 131047;
/** Throughput limits (per number, and per person) that pass if retried a little later. */
const RATE_LIMIT_ERRORS: ReadonlySet<number> = new Set([130429, 131056]);

/**
 * A send Graph refused or that never got an answer. The message carries only
 * the HTTP status and WhatsApp's error code: Meta's own text can quote the
 * request, which holds a phone number.
 */
export class GraphError extends Error {
  constructor(
    /** The HTTP status, or null when no answer came (network, timeout). */
    readonly status: number | null,
    /** WhatsApp's error code (e.g. 131047), when Graph gave one. */
    readonly code: number | null,
    readonly subcode: number | null = null,
  ) {
    super(status === null ? 'no answer from the Graph API' : `the Graph API answered ${status}${code === null ? '' : ` (code ${code})`}`);
    this.name = 'GraphError';
  }

  /** Worth trying again shortly: no answer, a 429 or 5xx, or a throughput limit. */
  get transient(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500 || (this.code !== null && RATE_LIMIT_ERRORS.has(this.code));
  }
}

export interface GraphClientOptions {
  /** e.g. https://graph.facebook.com/v23.0 (no trailing slash) */
  apiRoot: string;
  phoneNumberId: string;
  token: string;
  /** Longest wait for one answer. */
  timeoutMs?: number;
  /** Waits before each retry of a transient failure; their number is the number of retries. */
  retryDelaysMs?: readonly number[];
}

const SentSchema = z.object({ messages: z.array(z.object({ id: z.string().min(1) })).min(1) });
const ErrorSchema = z.object({
  error: z.object({ code: z.number().int().optional(), error_subcode: z.number().int().optional() }),
});

/**
 * Sends messages through `POST /<phone number id>/messages` with global
 * fetch. Transient failures are retried a couple of times with short waits,
 * so that a brief outage does not leave replies in the outbox; the last
 * failure is thrown as a GraphError.
 */
export class GraphClient {
  private readonly url: string;
  private readonly timeoutMs: number;
  private readonly retryDelaysMs: readonly number[];

  constructor(private readonly opts: GraphClientOptions) {
    this.url = `${opts.apiRoot.replace(/\/+$/, '')}/${encodeURIComponent(opts.phoneNumberId)}/messages`;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retryDelaysMs = opts.retryDelaysMs ?? [300, 1200];
  }

  /** Sends one message; resolves to its `wamid` (null if Graph accepted it without naming it). */
  async send(message: GraphMessage): Promise<string | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(message);
      } catch (err) {
        const delay = this.retryDelaysMs[attempt];
        if (!(err instanceof GraphError) || !err.transient || delay === undefined) throw err;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async attempt(message: GraphMessage): Promise<string | null> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.opts.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch {
      throw new GraphError(null, null);
    }
    const body: unknown = await res.json().catch(() => null);
    if (res.ok) {
      const sent = SentSchema.safeParse(body);
      return sent.success ? sent.data.messages[0]!.id : null;
    }
    const error = ErrorSchema.safeParse(body);
    const details = error.success ? error.data.error : {};
    throw new GraphError(res.status, details.code ?? null, details.error_subcode ?? null);
  }
}

/** A send failure as log fields: status and WhatsApp's code, never text or numbers. */
export function graphErrorFields(err: unknown): object {
  if (err instanceof GraphError) return { status: err.status, code: err.code, subcode: err.subcode };
  return { err: { type: err instanceof Error ? err.name : typeof err } };
}
