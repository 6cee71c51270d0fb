import type { Activity, Attachment, CardAction } from 'botbuilder';
import type { OutboundMessage } from '../../conversation/channel';

/** Teams shows at most this many suggested actions; more choices go on a hero card. */
export const MAX_SUGGESTED_ACTIONS = 3;
export const HERO_CARD = 'application/vnd.microsoft.card.hero';

/**
 * A choice as a Teams button: messageBack carries the payload in `value`
 * (read back by toInbound) and shows the label in the chat as the person's
 * message; clients that only echo the text still send a label the engine
 * matches against the offered choices.
 */
function choiceAction(label: string, payload: string): CardAction {
  return { type: 'messageBack', title: label, text: label, displayText: label, value: { payload } };
}

function heroCard(buttons: CardAction[]): Attachment {
  return { contentType: HERO_CARD, content: { buttons } };
}

/**
 * One engine reply as a Bot Framework message activity: up to three choices
 * as suggested actions, more as a hero card; links as openUrl buttons on a
 * card of their own.
 */
export function toOutbound(message: OutboundMessage): Partial<Activity> {
  const activity: Partial<Activity> = { type: 'message', text: message.text, textFormat: 'plain', locale: message.locale };
  const buttons = message.buttons ?? [];
  const links = message.links ?? [];
  const attachments: Attachment[] = [];
  if (buttons.length > 0) {
    const actions = buttons.map((b) => choiceAction(b.label, b.payload));
    if (buttons.length <= MAX_SUGGESTED_ACTIONS) activity.suggestedActions = { to: [], actions };
    else attachments.push(heroCard(actions));
  }
  if (links.length > 0) {
    attachments.push(heroCard(links.map((l) => ({ type: 'openUrl', title: l.label, value: l.url }))));
  }
  if (attachments.length > 0) activity.attachments = attachments;
  return activity;
}
