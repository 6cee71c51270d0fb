import type { FlowEnv, Output, Submission } from '../../flows/types';
import type { Translator } from './i18n';
import type { InboundMessage } from './inbound';
import type { Logger } from './logger';
import type { ConversationRecord } from './record';
import { normalise } from './render';

/** One message being handled. Middleware reads and changes it; the engine saves it. */
export class Turn {
  readonly outputs: Output[] = [];
  /** Requests for people to act on, saved in the same commit as the turn. */
  readonly submissions: Submission[] = [];
  /** Set when the person confirmed "delete my data": the engine erases instead of saving. */
  erase = false;
  /**
   * Set by the safety step when the message signals danger and the emergency
   * number has been said: later steps (a caseworker's case) act on it too.
   */
  sos: 'alarm' | 'mention' | false = false;
  /** What happened in this turn, for aggregate counts (src/insight); told to `onCommitted` listeners only if the turn commits. */
  readonly facts: TurnFact[] = [];

  constructor(
    readonly msg: InboundMessage,
    /** A working copy: changes are saved only if the whole turn commits. */
    public record: ConversationRecord,
    /** True when nothing was stored for this conversation before this message. */
    readonly isNew: boolean,
    readonly now: number,
    readonly tr: Translator,
    readonly log: Logger,
  ) {
    this.payload = msg.payload;
  }

  say(...outputs: Output[]): void {
    this.outputs.push(...outputs);
  }

  get locale(): string {
    return this.record.locale;
  }

  /**
   * The choice this message means: the button pressed, or the offered choice
   * whose number or label was typed. Set by the engine before the chain runs.
   */
  payload: string | undefined;

  /** The text typed, trimmed; empty when a button was pressed. */
  get text(): string {
    return (this.msg.text ?? '').trim();
  }

  /** The text typed as `normalise` folds it for matching words; kept, since several steps ask. */
  get typed(): string {
    this.folded ??= normalise(this.text);
    return this.folded;
  }

  private folded: string | undefined;

  /** Whether the current step asked for typed text rather than a choice. */
  get expectsText(): boolean {
    return this.record.prompt.some((o) => o.expects === 'text');
  }

  env(): FlowEnv {
    return { locale: this.record.locale, country: this.record.country.current, origin: this.record.country.origin };
  }
}

/**
 * Something a turn did that is worth counting, never what anyone wrote: a
 * flow started, finished or left at a step (another flow replaced it), a
 * danger word answered with the emergency number.
 */
export type TurnFact =
  | { type: 'flow.started'; flow: string }
  | { type: 'flow.finished'; flow: string }
  | { type: 'flow.left'; flow: string; step: string }
  | { type: 'sos' };

export type Next = () => Promise<void>;
/** One step of the chain: answer the turn and stop, or call `next()`. */
export type Middleware = (turn: Turn, next: Next) => Promise<void>;

/**
 * Runs middleware in order, each deciding whether the rest runs (grammY's
 * composer idea). Plain functions handing on the steps' own promises, not
 * async wrappers: two promises and two async frames less per step, on every
 * turn. A step that throws, returns a rejected promise or calls `next()`
 * twice rejects the chain.
 */
export function compose(steps: readonly Middleware[]): (turn: Turn) => Promise<void> {
  return (turn) => {
    const run = (i: number): Promise<void> => {
      const step = steps[i];
      if (!step) return Promise.resolve();
      let called = false;
      try {
        // Inline, not a named const: tsx names every such function as it is made, on every turn.
        return Promise.resolve(
          step(turn, () => {
            if (called) return Promise.reject(new Error(`middleware ${i} called next() twice`));
            called = true;
            return run(i + 1);
          }),
        );
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return run(0);
  };
}
