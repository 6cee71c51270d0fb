import { z } from 'zod';
import type { OutboundMessage } from '../../conversation/channel';

/**
 * WhatsApp's customer service window: a business may send free-form
 * messages only for 24 hours after the person's last message. Outside it,
 * only an approved template may be sent.
 */
export const WINDOW_MS = 24 * 60 * 60 * 1000;
/**
 * The window is treated as closing this much early, so that a message sent
 * at the last moment (and retried) still lands inside it.
 */
export const WINDOW_MARGIN_MS = 5 * 60 * 1000;
/** Replies kept for a person outside the window; beyond this the oldest are dropped. */
export const MAX_WAITING = 50;

const OutboundMessageSchema = z.object({
  text: z.string(),
  buttons: z.array(z.object({ label: z.string(), payload: z.string() })).optional(),
  links: z.array(z.object({ label: z.string(), url: z.string() })).optional(),
  locale: z.string(),
  dir: z.enum(['ltr', 'rtl']),
  clearBefore: z.boolean().optional(),
});

/**
 * One person's window, kept in the store as the conversation's reference
 * (so erasing the person erases it). Times are ms since the epoch.
 */
export const WindowStateSchema = z.object({
  v: z.literal(1),
  /** When the person last wrote (as WhatsApp dated it, never later than when it arrived). */
  lastInboundAt: z.number().int().nonnegative(),
  /** Replies held while the window was closed, oldest first; sent when the person next writes. */
  waiting: z.array(OutboundMessageSchema),
  /**
   * When the "a reply is waiting" template was sent; kept only while the
   * window stays closed, so that it goes once per closed window.
   */
  templateSentAt: z.number().int().nonnegative().optional(),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

/** The stored state, or null when there is none or it cannot be read. */
export function parseWindowState(raw: unknown): WindowState | null {
  const parsed = WindowStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function isOpen(state: WindowState, now: number): boolean {
  return now < state.lastInboundAt + WINDOW_MS - WINDOW_MARGIN_MS;
}

/**
 * The state after a message from the person sent at `sentAt`, arriving at
 * `now`. Meta counts the window from the message itself, so a copy delivered
 * late (Meta retries for days) does not reopen it; a clock ahead of ours
 * cannot push it past now; and an older message never moves it back. A
 * message that reopens the window ends the closed window its template was for.
 */
export function afterInbound(state: WindowState | null, sentAt: number, now: number): WindowState {
  const at = Math.min(sentAt, now);
  if (state === null) return { v: 1, lastInboundAt: at, waiting: [] };
  const next: WindowState = { ...state, lastInboundAt: Math.max(state.lastInboundAt, at) };
  if (isOpen(next, now)) delete next.templateSentAt;
  return next;
}

/** One template per closed window: due unless one was sent since the window closed. */
export function templateDue(state: WindowState): boolean {
  return state.templateSentAt === undefined;
}

/** Adds replies to the waiting list; the oldest beyond MAX_WAITING are dropped (and counted). */
export function addWaiting(state: WindowState, messages: readonly OutboundMessage[]): { state: WindowState; dropped: number } {
  const waiting = [...state.waiting, ...messages.map((m) => structuredClone(m))];
  const dropped = Math.max(0, waiting.length - MAX_WAITING);
  return { state: { ...state, waiting: waiting.slice(dropped) }, dropped };
}
