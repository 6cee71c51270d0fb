import { setup } from 'xstate';
import type { FlowDeps } from '../directory';
import { countryName } from '../shared/numbers';
import {
  flowActions,
  type Choice,
  type FlowDefinition,
  type FlowEvent,
  type FlowInput,
  type Output,
  type Situation,
} from '../types';

/** Bump when a change would break stored snapshots (a state renamed or removed). */
export const SITUATION_VERSION = 1;

/** What the person has told: where they are, where they are from, whether that is home. */
export interface Told {
  here?: string;
  home?: boolean;
  from?: string;
}

const skip: Choice = { label: 'situation:choice.skip', payload: 'situation.skip' };
const back: Choice = { label: 'common:choice.back', payload: 'nav.back' };
const notFoundAside: Output = { key: 'situation:notFound', aside: true };

/** The confirmation, naming only what the person told: nothing is assumed. */
export function confirmation(c: Told): Output {
  if (c.home && c.from) return { key: 'situation:saved.home', params: { country: countryName(c.from) }, aside: true };
  if (c.here && c.from) {
    return { key: 'situation:saved.both', params: { country: countryName(c.here), origin: countryName(c.from) }, aside: true };
  }
  if (c.here) return { key: 'situation:saved.here', params: { country: countryName(c.here) }, aside: true };
  if (c.from) return { key: 'situation:saved.from', params: { origin: countryName(c.from) }, aside: true };
  return { key: 'situation:saved.none', aside: true };
}

/**
 * Asks where the person is now, then where they are from. Each answer is
 * remembered as soon as it is given, so leaving half-way keeps the first;
 * every question can be skipped. Typed names are matched against the whole
 * directory ("Dubai", "Pinas"), not only the countries on the buttons.
 */
export function createSituationFlow(deps: FlowDeps): FlowDefinition {
  const { countries } = deps;
  const countryChoices = (type: string, list: readonly { code: string }[]): Choice[] =>
    list.map((c) => ({ label: `countries:${c.code}`, payload: `${type}:${c.code}` }));

  const where: Output = {
    key: 'situation:where',
    choices: [
      ...countryChoices('situation.here', countries.destinations()),
      { label: 'situation:choice.home', payload: 'situation.home' },
      skip,
    ],
  };
  const originChoices = [...countryChoices('situation.from', countries.origins()), skip, back];
  const from: Output = { key: 'situation:from', choices: originChoices };
  const homeFrom: Output = { key: 'situation:fromHome', choices: originChoices };

  /** The country an event names: a button's code, or typed text matched in the directory. */
  const codeOf = (event: FlowEvent): string | undefined => {
    if (event.type === 'user.text' && 'text' in event) return countries.match(event.text);
    const value = 'value' in event ? event.value : undefined;
    return countries.get(value)?.code;
  };

  /**
   * The second answer, or its skip: remembered, confirmed and done. Where the
   * person is comes from the event's env, which already holds the first
   * answer; that keeps the machine free of context (and its graph small).
   */
  const finish = (home: boolean, remembered?: (code: string) => Situation) => ({
    target: 'done',
    actions: [
      ...(remembered
        ? [{ type: 'remember' as const, params: ({ event }: { event: FlowEvent }) => remembered(codeOf(event)!) }]
        : []),
      {
        type: 'say' as const,
        params: ({ event }: { event: FlowEvent }) =>
          confirmation({ here: event.env.country, from: remembered && codeOf(event), home }),
      },
    ],
  });
  const answered = (home: boolean, remembered: (code: string) => Situation) => ({
    guard: 'namesCountry' as const,
    ...finish(home, remembered),
  });
  /** Typed text that names no country: say so, and ask again. */
  const notFound = (state: string) => ({
    target: state,
    reenter: true,
    actions: { type: 'say' as const, params: notFoundAside },
  });

  const here = {
    guard: 'namesCountry' as const,
    target: 'from',
    actions: { type: 'remember' as const, params: ({ event }: { event: FlowEvent }) => ({ country: codeOf(event) }) },
  };
  const origin = answered(false, (code) => ({ origin: code }));
  // At home, the home country is both where they are and where they are from.
  const homeCountry = answered(true, (code) => ({ country: code, origin: code }));

  const machine = setup({
    types: { events: {} as FlowEvent, input: {} as FlowInput },
    actions: flowActions,
    guards: { namesCountry: ({ event }) => codeOf(event) !== undefined },
  }).createMachine({
    id: 'situation',
    initial: 'where',
    states: {
      // No `nav.back` here: the engine answers `back` at the first question with the menu.
      where: {
        entry: { type: 'say', params: where },
        on: {
          'situation.here': here,
          'user.text': [here, notFound('where')],
          'situation.home': { target: 'homeFrom' },
          'situation.skip': { target: 'from' },
        },
      },
      from: {
        entry: { type: 'say', params: from },
        on: {
          'situation.from': origin,
          'user.text': [origin, notFound('from')],
          'situation.skip': finish(false),
          'nav.back': { target: 'where' },
        },
      },
      homeFrom: {
        entry: { type: 'say', params: homeFrom },
        on: {
          'situation.from': homeCountry,
          'user.text': [homeCountry, notFound('homeFrom')],
          'situation.skip': finish(false),
          'nav.back': { target: 'where' },
        },
      },
      done: { type: 'final' },
    },
  });

  return { id: 'situation', version: SITUATION_VERSION, machine };
}
