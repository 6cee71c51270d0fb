import { MENU_FLOW, type FlowRunner } from '../flows';
import { SITUATION_FLOW } from './commands';
import { noticeDraft } from './language';
import type { Middleware } from '../turn';

/**
 * First contact: say who the bot is and which language it speaks, with one
 * tap to change it, then ask where the person is (which every number depends
 * on; skipping is allowed), or the menu. Whatever the first message said, a
 * newcomer first needs to know where they are.
 */
export function welcome(flows: FlowRunner): Middleware {
  return async (turn, next) => {
    if (!turn.isNew) return next();
    turn.say({
      key: 'common:welcome',
      params: { language: turn.tr.t(`languages:${turn.locale}`, turn.locale) },
      choices: [{ label: 'common:choice.language', payload: 'cmd.language' }],
    });
    noticeDraft(turn);
    flows.start(turn, flows.has(SITUATION_FLOW) ? SITUATION_FLOW : MENU_FLOW);
  };
}
