import type { Choice } from '../types';

/**
 * Buttons the danger, recruitment and passport flows share. Main menu and
 * country are commands, so the engine answers them the same from any flow.
 */
export const next: Choice = { label: 'common:choice.next', payload: 'nav.next' };
export const back: Choice = { label: 'common:choice.back', payload: 'nav.back' };
export const mainMenu: Choice = { label: 'common:choice.menu', payload: 'cmd.menu' };
export const tellCountry: Choice = { label: 'common:choice.country', payload: 'cmd.country' };

/** Another topic, offered from inside a flow under its menu label. */
export function openTopic(flow: 'danger' | 'recruitment' | 'passport'): Choice {
  return { label: `menu:topics.${flow}`, payload: `flow.start:${flow}` };
}
