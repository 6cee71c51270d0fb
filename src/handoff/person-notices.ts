import { ConversationGoneError } from '../conversation/engine';
import { MENU_FLOW, type FlowRunner } from '../conversation/flows';
import { errorFields } from '../conversation/logger';
import type { ConversationRef } from '../conversation/record';
import type { Turn } from '../conversation/turn';
import type { HandoffContext } from './handoff-context';
import type { PersonLine } from './person-side';
import type { Case, CaseMessage } from './types';

/**
 * How the handoff writes to a person unprompted: the engine, which says it
 * through the conversation's lock, record and outbox. Set after the engine
 * is built, since the engine's handoff step needs the handoff first.
 */
export interface PersonWriter {
  write(
    ref: ConversationRef,
    sourceId: string,
    act: (turn: Turn) => void | Promise<void>,
  ): Promise<WriteOutcome>;
  readonly flowRunner: FlowRunner;
}

/** What became of a write: delivered, failed (with the channel's error), or queued (the engine reports it later). */
export interface WriteOutcome {
  delivered: boolean;
  queued?: boolean;
  error?: string;
}

/** A write that must not land: the person's conversation has moved on from this case. */
class CaseLeftError extends Error {
  constructor() {
    super('the person is no longer in this case');
    this.name = 'CaseLeftError';
  }
}

/** What staff actions say to the person of a case: a caseworker's reply, a transfer, a close. */
export class PersonNotices {
  private writer: PersonWriter | null = null;

  constructor(
    private readonly ctx: HandoffContext,
    /** Keeps what the bot said in the transcript (the person's side of the handoff). */
    private readonly relay: (c: Case, line: PersonLine) => Promise<CaseMessage>,
  ) {}

  /** Late binding to the engine (it takes the handoff step, which takes the handoff). */
  connect(writer: PersonWriter): void {
    this.writer = writer;
  }

  /** Writes to the person while they are still in this case; a conversation erased or moved on is reported, not thrown. */
  async write(
    c: Case,
    sourceId: string,
    act: (turn: Turn) => void,
    leaving = false,
  ): Promise<WriteOutcome> {
    if (!this.writer) throw new Error('the handoff is not connected to the engine');
    const writer = this.writer;
    try {
      return await writer.write(c.ref, sourceId, (turn) => {
        // The person has since opened another case: this one's news would only confuse.
        if (turn.record.caseId !== undefined && turn.record.caseId !== c.id) throw new CaseLeftError();
        act(turn);
        if (leaving && turn.record.caseId === c.id) {
          delete turn.record.caseId;
          writer.flowRunner.start(turn, MENU_FLOW);
        }
      });
    } catch (err) {
      if (err instanceof ConversationGoneError) return { delivered: false, error: 'the person has deleted this conversation' };
      if (err instanceof CaseLeftError) return { delivered: false, error: 'the person has left this conversation' };
      throw err;
    }
  }

  /** Tells the person something about their case (transfer, close), kept in the transcript as the bot's line. */
  async tell(
    c: Case,
    sourceId: string,
    output: { key: string; params: Record<string, string> },
    leaving = false,
  ): Promise<void> {
    const said: { text?: string; locale?: string } = {};
    try {
      const outcome = await this.write(
        c,
        sourceId,
        (turn) => {
          turn.say(output);
          said.text = turn.tr.t(output.key, turn.locale, output.params);
          said.locale = turn.locale;
        },
        leaving,
      );
      if (!outcome.delivered && !outcome.queued) this.ctx.log.warn({ event: 'case-notice-undelivered', notice: output.key });
    } catch (err) {
      // The case has changed already and stays changed; only the notice is lost, and the log says so.
      this.ctx.log.error({ event: 'case-notice-failed', notice: output.key, ...errorFields(err) });
    }
    if (said.text !== undefined) {
      await this.relay(c, { author: 'bot', text: said.text, locale: said.locale ?? null, sourceId, at: this.ctx.clock() });
    }
  }
}
