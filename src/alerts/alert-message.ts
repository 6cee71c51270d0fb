import type { Output } from '../../flows/types';

/** Flows an alert may link to, in the order the console offers them (only those registered are offered). */
export const LINKABLE_FLOWS = ['rfl', 'familyEmergency', 'danger', 'contacts', 'wellbeing', 'services', 'firstAid'] as const;

/**
 * `alert:<broadcast>:<subscription>`: the message id of one recipient's
 * alert. Processed marks are keyed by it, so each recipient needs their own,
 * and a second write of the same one is a duplicate, not a second alert.
 */
export const alertSource = (broadcastId: string, subscriptionId: number): string => `alert:${broadcastId}:${subscriptionId}`;

const ALERT_SOURCE = /^alert:([A-Za-z0-9_-]{1,64}):(\d{1,15})$/;

export function parseAlertSource(messageId: string): { broadcastId: string; subscriptionId: number } | null {
  const match = ALERT_SOURCE.exec(messageId);
  return match ? { broadcastId: match[1]!, subscriptionId: Number(match[2]) } : null;
}

/**
 * The alert as the person sees it: the admin's text as a parameter of a
 * locale key (never a key itself, so nothing in it is read as i18next
 * syntax), in the language the text was written for, with the linked flow
 * and the menu as choices.
 */
export function alertOutput(text: string, organisation: string, flow: string | null, locale: string): Output {
  return {
    key: 'alerts:broadcast',
    params: { organisation, text },
    locale,
    choices: [
      ...(flow === null ? [] : [{ label: `alerts:open.${flow}`, payload: `flow.start:${flow}` }]),
      { label: 'common:choice.menu', payload: 'cmd.menu' },
    ],
  };
}
