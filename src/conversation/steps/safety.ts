import type { CountryLookup } from '../../../flows/directory';
import { emergencyOutput } from '../../../flows/shared/numbers';
import { normalise } from '../render';
import type { Middleware, Turn } from '../turn';

/**
 * Whether a message signals danger. Words are data (`safety:words` in every
 * locale, romanised forms too) and are looked for in every language at once,
 * as whole words anywhere in the message. A choice the person picked (a
 * button, its number or its exact label, such as "Family emergency") is a
 * choice, not an alarm.
 */
export function signalsDanger(turn: Turn): boolean {
  if (turn.payload === 'cmd.sos') return true;
  if (turn.payload !== undefined) return false;
  const typed = ` ${normalise(turn.text)} `;
  if (typed.trim() === '') return false;
  return turn.tr.locales.some((locale) =>
    turn.tr.list('safety:words', locale).some((word) => typed.includes(` ${normalise(word)} `)),
  );
}

/**
 * First in the chain: a message that signals danger gets the local emergency
 * number before anything else, whatever flow is running, then the offer of
 * the danger topic. The running flow is left as it was.
 */
export function safety(countries: CountryLookup): Middleware {
  return async (turn, next) => {
    if (!signalsDanger(turn)) return next();
    turn.log.info({ event: 'sos', country: turn.record.country.current ?? null });
    turn.say(emergencyOutput(countries, turn.record.country.current));
    turn.say({
      key: 'safety:offer',
      choices: [
        { label: 'safety:choice.danger', payload: 'flow.start:danger' },
        ...(turn.record.country.current ? [] : [{ label: 'common:choice.country', payload: 'cmd.country' }]),
        { label: 'common:choice.menu', payload: 'cmd.menu' },
      ],
    });
  };
}
