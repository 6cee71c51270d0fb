import type { CountryLookup } from '../../flows/directory';
import { pendingRequest } from '../../flows/rfl/request';
import { emergencyOutput } from '../../flows/shared/numbers';
import type { Output } from '../../flows/types';
import { MENU_FLOW, type FlowRunner } from '../conversation/flows';
import { UNSUPPORTED_INPUT, conversationKey } from '../conversation/inbound';
import { findCommand, repeatPrompt } from '../conversation/steps/commands';
import { dangerOffer } from '../conversation/steps/safety';
import type { Middleware, Next, Turn } from '../conversation/turn';
import { CONSENT_NO, acceptedCategory, consentKey, consentOutput, offeredCategory } from './consent';
import type { HandoffService } from './handoff';
import { responseTime } from './response-time';
import type { Case, Category } from './types';

/** What the handoff step needs of the service. */
export type PersonHandoff = Pick<
  HandoffService,
  'organisationFor' | 'organisationOf' | 'open' | 'openCase' | 'openCaseOf' | 'relay' | 'escalate' | 'stopByPerson'
>;

export interface HandoffStepOptions {
  handoff: PersonHandoff;
  /** Runs the menu after `stop` and the person's previous step after a no. */
  flows: FlowRunner;
  /** The emergency number said when a case opens. */
  countries: CountryLookup;
}

/** Lines the caseworker reads for things the person did without typing (English: the console's language). */
const STAFF_NOTES = {
  sos: 'The person pressed the SOS button.',
  unsupported: 'The person sent a voice note, photo or file. Only typed messages reach the case.',
};

/**
 * Step 2 of the chain (after safety): the handoff to a caseworker.
 *
 * - `handoff.offer:<category>` explains who will read what, and asks.
 * - Only a yes (`handoff.consent.yes:<category>`) opens a case; no leaves
 *   the person where they were, with no case and no pressure.
 * - While a case is open the bot steps aside: what the person writes goes
 *   to the caseworker and the bot says nothing, except to `stop` (ends the
 *   case), `delete my data` and `clear` (still theirs to use), danger words
 *   (the numbers first, from the safety step, then the case turns urgent)
 *   and a button from an earlier message (a reminder that a caseworker has
 *   the conversation, since there is nothing else to tell the caseworker).
 * - A case closed or erased behind the record's back is forgotten, and the
 *   message is handled as if there had been none.
 */
export function handoffStep(opts: HandoffStepOptions): Middleware {
  return async (turn, next) => {
    if (turn.record.caseId !== undefined) {
      const open = await opts.handoff.openCase(turn.record.caseId, conversationKey(turn.record.ref));
      if (open) return duringCase(turn, open, opts, next);
      delete turn.record.caseId;
      turn.log.info({ event: 'case-forgotten' });
      // The safety step left the danger offer to the case; there is none any more.
      if (turn.sos && !(turn.sos === 'mention' && turn.expectsText)) {
        turn.say(dangerOffer(turn));
        return;
      }
    }
    const offered = offeredCategory(turn.payload);
    if (offered) return offer(turn, offered, opts);
    const accepted = acceptedCategory(turn.payload);
    if (accepted) return accept(turn, accepted, opts);
    if (turn.payload === CONSENT_NO) {
      turn.log.info({ event: 'handoff-consent', answer: 'no' });
      turn.say({ key: 'handoff:declined' });
      repeatPrompt(turn, opts.flows);
      return;
    }
    return next();
  };
}

async function offer(turn: Turn, category: Category, opts: HandoffStepOptions): Promise<void> {
  const org = await opts.handoff.organisationFor(turn.record.country);
  const tracing = category === 'rfl' && pendingRequest(turn.record.flow, turn.env()) !== undefined;
  turn.record.misses = 0;
  // The current step stays the prompt, so that a no (or help) comes back to it.
  turn.say(consentOutput(category, org.name, tracing));
}

async function accept(turn: Turn, category: Category, opts: HandoffStepOptions): Promise<void> {
  const key = conversationKey(turn.record.ref);
  // A case opened by a turn that then failed to save is this conversation's case still.
  let c = await opts.handoff.openCaseOf(key);
  if (!c) {
    const org = await opts.handoff.organisationFor(turn.record.country);
    const tracing = category === 'rfl' ? pendingRequest(turn.record.flow, turn.env()) : undefined;
    const version = consentKey(tracing !== undefined);
    const opened = await opts.handoff.open({
      ref: turn.record.ref,
      conversationKey: key,
      category,
      locale: turn.locale,
      country: turn.record.country,
      consent: { version, locale: turn.locale, text: turn.tr.t(version, turn.locale, { organisation: org.name }), at: turn.now },
      tracing: tracing?.data ?? null,
      sourceId: turn.msg.messageId,
      now: turn.now,
    });
    c = opened.case;
  }
  turn.log.info({ event: 'handoff-consent', answer: 'yes', category });
  const org = await opts.handoff.organisationOf(c);
  // The bot steps aside: no flow, nothing to answer by number, and (for RFL) no copy of the request left here.
  turn.record.caseId = c.id;
  turn.record.flow = null;
  turn.record.prompt = [];
  turn.record.choices = [];
  turn.record.misses = 0;
  turn.say(
    { key: 'handoff:opened', params: { organisation: org.name, time: responseTime(org.expectedResponseMinutes) } },
    emergencyOutput(opts.countries, turn.record.country.current),
  );
  await keepSaid(turn, c, opts);
}

async function duringCase(turn: Turn, c: Case, opts: HandoffStepOptions, next: Next): Promise<void> {
  turn.record.choices = [];
  if (turn.sos) {
    await relayPerson(turn, c, opts, STAFF_NOTES.sos);
    await opts.handoff.escalate(c, turn.now);
    turn.log.info({ event: 'case-sos', danger: turn.sos });
    turn.say({ key: 'handoff:escalated' });
    await keepSaid(turn, c, opts);
    return;
  }
  const command = findCommand(turn);
  if (command === 'stop') {
    await opts.handoff.stopByPerson(c, turn.now);
    delete turn.record.caseId;
    turn.say({ key: 'handoff:stoppedByPerson' });
    await keepSaid(turn, c, opts);
    opts.flows.start(turn, MENU_FLOW);
    return;
  }
  // Erasing and clearing stay the person's to use at any time; the commands step does them.
  if (command === 'erase' || command === 'clear' || turn.payload === 'data.erase.confirm') return next();
  if (turn.payload === 'data.erase.cancel') {
    turn.say({ key: 'privacy:kept' });
    return;
  }
  if (turn.payload === UNSUPPORTED_INPUT) {
    await opts.handoff.relay(c, { author: 'system', text: STAFF_NOTES.unsupported, locale: null, sourceId: turn.msg.messageId, at: turn.now });
    turn.say({ key: 'handoff:textOnly' });
    return;
  }
  if (turn.text === '') {
    const org = await opts.handoff.organisationOf(c);
    turn.say({ key: 'handoff:stillOpen', params: { organisation: org.name } });
    return;
  }
  await relayPerson(turn, c, opts);
}

/** What the person wrote, in their words and language; a button press without words as a note for the caseworker. */
async function relayPerson(turn: Turn, c: Case, opts: HandoffStepOptions, noText?: string): Promise<void> {
  const at = turn.now;
  const sourceId = turn.msg.messageId;
  if (turn.text !== '') {
    await opts.handoff.relay(c, { author: 'person', text: turn.text, locale: turn.locale, sourceId, at });
  } else if (noText !== undefined) {
    await opts.handoff.relay(c, { author: 'system', text: noText, locale: null, sourceId, at });
  }
}

/** What the bot told the person during the case goes into the transcript too, as they read it. */
async function keepSaid(turn: Turn, c: Case, opts: HandoffStepOptions): Promise<void> {
  const said: readonly Output[] = turn.outputs;
  for (const [i, output] of said.entries()) {
    const locale = output.locale ?? turn.locale;
    await opts.handoff.relay(c, {
      author: 'bot',
      text: turn.tr.t(output.key, locale, output.params),
      locale,
      sourceId: `${turn.msg.messageId}:bot:${i}`,
      at: turn.now,
    });
  }
}
