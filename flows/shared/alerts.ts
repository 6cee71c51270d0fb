import type { Choice } from '../types';

/**
 * The payload prefix of the alerts screen and its answers (`alerts.open`,
 * `alerts.subscribe:origin`, `alerts.unsubscribe`…). The engine's alerts step
 * (src/alerts/middleware.ts) answers them, never a flow: it explains what is
 * kept before the first yes, and nobody is subscribed without one.
 */
export const ALERTS_PREFIX = 'alerts.';
export const ALERTS_OPEN = 'alerts.open';

/** "Alerts": the screen that says what the person gets now and what they can ask for. */
export function alertsChoice(): Choice {
  return { label: 'menu:alerts', payload: ALERTS_OPEN };
}
