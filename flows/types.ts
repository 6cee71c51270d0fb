import type { AnyStateMachine } from 'xstate';

/**
 * The contract between flows and the engine. Flows only decide: they return
 * outputs as data (locale keys, never text) and never perform I/O.
 */

/**
 * Parameters interpolated into a locale string. Strings and numbers stay
 * untranslated (numbers, URLs); a `{ key, params }` value is translated first,
 * and a list of them becomes one line each. That lets a flow say "Ambulance:
 * {{ambulance}}" where the number may need a "please check" note, or list a
 * country's hotlines, without any text in the machine.
 */
export type ParamValue = string | number | Phrase | Phrase[];
export interface Phrase {
  key: string;
  params?: Params;
}
export type Params = { [name: string]: ParamValue };

/** A button. `label` is a locale key; `payload` is what comes back when it is chosen. */
export interface Choice {
  label: string;
  payload: string;
  params?: Params;
}

/** A link. `label` is a locale key; the URL is never translated. */
export interface Link {
  label: string;
  url: string;
  params?: Params;
}

/** One message the bot will say, before rendering. */
export interface Output {
  key: string;
  params?: Params;
  choices?: Choice[];
  links?: Link[];
  /**
   * Said once, in reply to what the person just did ("coming soon", "saved"),
   * and left out when the current step is said again after `help` or a
   * change of language.
   */
  aside?: boolean;
  /**
   * The question wants typed text (a name, an age, a place). A typed number
   * is then an answer, not the number of a choice, and a danger word in it
   * brings the emergency numbers without swallowing the answer.
   */
  expects?: 'text';
  /** Said in this language instead of the person's (the English half of a two-language notice). */
  locale?: string;
  /**
   * Discreet mode: the channel deletes what it can of the chat (the bot's
   * recent messages, the person's where allowed) before showing this one.
   */
  clearChat?: boolean;
}

/**
 * Facts about the person that flows may use to decide. The engine fills this
 * in on every event so that machines stay pure and never read a store.
 */
export interface FlowEnv {
  locale: string;
  country?: string;
  origin?: string;
}

/**
 * Events a flow receives. Namespaced by origin: `nav.*` for navigation the
 * engine understands everywhere, `user.text` for free text; any other type is
 * a choice payload (`topic.packing`, `answer.yes`, ...), with an optional value
 * after a colon (`country.set:PH` → `{ type: 'country.set', value: 'PH' }`).
 */
export type FlowEvent =
  | { type: 'nav.next'; env: FlowEnv }
  | { type: 'nav.back'; env: FlowEnv }
  | { type: 'user.text'; text: string; env: FlowEnv }
  | { type: `${string}.${string}`; value?: string; env: FlowEnv };

/** Input given to a flow when it starts. */
export interface FlowInput {
  env: FlowEnv;
}

/**
 * Actions a machine may emit, read by the engine from XState's pure
 * `transition()` result. Anything else a machine does stays inside it.
 */
export interface SayAction {
  type: 'say';
  params: Output;
}
export interface StartFlowAction {
  type: 'startFlow';
  params: { flow: string };
}

/** A flow as the engine knows it. Bump `version` whenever a change would break stored snapshots. */
export interface FlowDefinition {
  id: string;
  version: number;
  machine: AnyStateMachine;
}

/**
 * Implementations of the engine-read actions, for `setup({ actions })`.
 * They do nothing when run: the engine reads them from `transition()`.
 */
export const flowActions = {
  say: (_: unknown, _output: Output) => undefined,
  startFlow: (_: unknown, _target: { flow: string }) => undefined,
  /** Stores where the person is now and where they are from; `null` forgets. */
  remember: (_: unknown, _situation: Situation) => undefined,
  /** Hands a structured request (an RFL tracing request) to people, saved with the turn. */
  submit: (_: unknown, _submission: Submission) => undefined,
};

export interface Situation {
  country?: string | null;
  origin?: string | null;
}

export interface Submission {
  kind: string;
  data: Record<string, unknown>;
}
