import { MENU_FLOW, type FlowRunner } from '../flows';
import { UNSUPPORTED_INPUT } from '../inbound';
import { normalise } from '../render';
import type { Middleware, Turn } from '../turn';
import { chooseLanguage, typedLanguage } from './language';

export const COMMANDS = ['menu', 'back', 'help', 'language', 'country', 'erase', 'stop', 'clear'] as const;

/** The flow that asks where the person is and where they are from. */
export const SITUATION_FLOW = 'situation';
export type Command = (typeof COMMANDS)[number];

/**
 * Finds a global command in a payload (`cmd.menu`) or in typed text. Command
 * words are data (`commands:<name>` in every locale) and are recognised in
 * every language at once, because people mix languages.
 */
export function findCommand(turn: Turn): Command | undefined {
  const payload = turn.payload;
  if (payload !== undefined) {
    const name = payload.startsWith('cmd.') ? payload.slice(4) : '';
    return (COMMANDS as readonly string[]).includes(name) ? (name as Command) : undefined;
  }
  const typed = turn.typed;
  if (typed === '' || typed.length > 40) return undefined;
  return COMMANDS.find((command) => turn.tr.allWords(`commands:${command}`, normalise).includes(typed));
}

/** Says the current step again (in the current language), or the menu when there is none. */
export function repeatPrompt(turn: Turn, flows: FlowRunner): void {
  if (turn.record.flow && turn.record.prompt.length > 0) turn.say(...turn.record.prompt);
  else flows.start(turn, MENU_FLOW);
}

/**
 * Global commands, from any state, before the flow sees the message: menu,
 * back, help, language, country, delete my data, stop, clear; and the payloads that
 * belong to no flow (language chosen, a topic offered from anywhere, erasure
 * confirmed).
 */
export function commands(flows: FlowRunner): Middleware {
  return async (turn, next) => {
    const payload = turn.payload;
    if (payload?.startsWith('flow.start:')) {
      const id = payload.slice('flow.start:'.length);
      if (!flows.has(id)) return next();
      turn.record.misses = 0;
      flows.start(turn, id);
      return;
    }
    if (payload === 'data.erase.confirm') {
      turn.erase = true;
      turn.say({ key: 'privacy:erased' });
      return;
    }
    if (payload === UNSUPPORTED_INPUT) {
      turn.say({ key: 'common:textOnly' });
      repeatPrompt(turn, flows);
      return;
    }
    if (payload === 'data.erase.cancel') {
      turn.say({ key: 'privacy:kept' });
      repeatPrompt(turn, flows);
      return;
    }
    const chosen = payload?.startsWith('lang.set:') ? payload.slice('lang.set:'.length) : typedLanguage(turn);
    if (chosen !== undefined) {
      if (!turn.tr.isSupported(chosen)) return next();
      chooseLanguage(turn, chosen);
      repeatPrompt(turn, flows);
      return;
    }

    const command = findCommand(turn);
    if (!command) return next();
    turn.record.misses = 0;
    switch (command) {
      case 'menu':
        flows.start(turn, MENU_FLOW);
        return;
      case 'back':
        if (!flows.send(turn, { type: 'nav.back', env: turn.env() })) flows.start(turn, MENU_FLOW);
        return;
      case 'help':
        turn.say({ key: 'common:help' });
        repeatPrompt(turn, flows);
        return;
      case 'language':
        // Each language is named in its own script, so people find theirs without reading English.
        turn.say({
          key: 'common:chooseLanguage',
          choices: turn.tr.locales.map((code) => ({ label: `languages:${code}`, payload: `lang.set:${code}` })),
        });
        return;
      case 'country':
        flows.start(turn, SITUATION_FLOW);
        return;
      case 'erase':
        // What is kept is said before asking, so the person decides knowing it.
        turn.say({
          key: 'privacy:explain',
          choices: [
            { label: 'privacy:choice.confirm', payload: 'data.erase.confirm' },
            { label: 'privacy:choice.cancel', payload: 'data.erase.cancel' },
          ],
        });
        return;
      case 'stop':
        turn.record.flow = null;
        turn.record.prompt = [];
        turn.say({ key: 'common:stopped' });
        return;
      case 'clear':
        // Discreet mode: the channel deletes what it can of the chat before this
        // one neutral message, and the flow ends so nothing shown hints at it.
        turn.record.flow = null;
        turn.record.prompt = [];
        turn.say({ key: 'common:cleared', clearChat: true });
        return;
    }
  };
}
