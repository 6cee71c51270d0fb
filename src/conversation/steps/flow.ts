import { talkToPerson } from '../../../flows/shared/person';
import type { FlowEvent } from '../../../flows/types';
import { payloadToEvent } from '../events';
import { MENU_FLOW, type FlowRunner } from '../flows';
import type { Middleware } from '../turn';
import { repeatPrompt } from './commands';

/** Misunderstood messages in a row before the bot offers a way out. */
export const MISSES_BEFORE_OFFER = 3;

/** The last step: the active flow takes the message, or the person hears they were not understood. */
export function flowStep(flows: FlowRunner): Middleware {
  return async (turn) => {
    if (!turn.record.flow) {
      // After `stop`, or when a flow ended without starting another: any message brings the menu back.
      flows.start(turn, MENU_FLOW);
      return;
    }
    const env = turn.env();
    const event: FlowEvent | undefined =
      turn.payload !== undefined ? payloadToEvent(turn.payload, env) : { type: 'user.text', text: turn.text, env };
    if (event && flows.send(turn, event)) {
      turn.record.misses = 0;
      return;
    }
    turn.record.misses += 1;
    if (turn.record.misses >= MISSES_BEFORE_OFFER) {
      turn.say({
        key: 'common:stillNotUnderstood',
        choices: [
          { label: 'common:choice.menu', payload: 'cmd.menu' },
          talkToPerson('other'),
          { label: 'common:choice.help', payload: 'cmd.help' },
        ],
      });
      return;
    }
    turn.say({ key: 'common:notUnderstood' });
    repeatPrompt(turn, flows);
  };
}
