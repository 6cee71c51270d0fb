import type { CommittedTurn } from '../conversation/engine';
import { MENU_FLOW } from '../conversation/flows';
import { utcDay } from './buckets';
import type { InsightIncrement } from './store';

/** Whether any of a turn's facts is counted on its own (not once a day): most turns have none. */
export function hasCountedFacts(facts: CommittedTurn['facts']): boolean {
  return facts.some((fact) => fact.type === 'sos' || fact.type === 'flow.left' || fact.flow !== MENU_FLOW);
}

/**
 * What one saved turn adds to the counts of its organisation and UTC day.
 * A conversation starts with a person's first message (not with a write
 * nobody typed); languages and countries are what people use, so only their
 * own turns count them, once a day each (the pseudonym says whose).
 */
export function turnIncrements(turn: CommittedTurn, organisationId: string, pseudonym: string): InsightIncrement[] {
  const day = utcDay(turn.now);
  // Literals, not `{ ...at, metric }`: Node 20's V8 takes about a microsecond for each property added after a spread.
  const inc = (metric: InsightIncrement['metric'], dimension: string, who?: string): InsightIncrement =>
    who === undefined ? { day, organisationId, metric, dimension } : { day, organisationId, metric, dimension, pseudonym: who };
  const out: InsightIncrement[] = [];
  if (turn.isNew && !turn.unprompted) out.push(inc('conversation.started', ''));
  for (const fact of turn.facts) {
    switch (fact.type) {
      case 'flow.started':
      case 'flow.finished':
        // Everyone passes through the menu: counting it would only count turns.
        if (fact.flow !== MENU_FLOW) out.push(inc(fact.type, fact.flow));
        break;
      case 'flow.left':
        out.push(inc('flow.left', `${fact.flow}/${fact.step}`));
        break;
      case 'sos':
        out.push(inc('sos.raised', ''));
        break;
    }
  }
  if (!turn.unprompted) {
    out.push(
      inc('language.used', turn.locale, pseudonym),
      inc('country.current', turn.country.current ?? 'unknown', pseudonym),
      inc('country.origin', turn.country.origin ?? 'unknown', pseudonym),
    );
  }
  return out;
}
