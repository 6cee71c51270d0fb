import { ALERTS_PREFIX } from '../../flows/shared/alerts';
import { countryName } from '../../flows/shared/numbers';
import type { Choice, Output } from '../../flows/types';
import type { FlowRunner } from '../conversation/flows';
import { conversationKey } from '../conversation/inbound';
import { normalise } from '../conversation/render';
import { repeatPrompt } from '../conversation/steps/commands';
import type { Middleware, Turn } from '../conversation/turn';
import type { Subscription, SubscriptionScope, SubscriptionStore } from './subscriptions';

export interface AlertsStepOptions {
  subscriptions: SubscriptionStore;
  /** Says the person's current step again after `unsubscribe`, so they are left where they were. */
  flows: FlowRunner;
}

const SCOPES: readonly SubscriptionScope[] = ['origin', 'current'];

type Action = { type: 'open' } | { type: 'subscribe'; scope: SubscriptionScope } | { type: 'unsubscribe'; scope?: SubscriptionScope };

const isScope = (value: string | undefined): value is SubscriptionScope => SCOPES.includes(value as SubscriptionScope);

/**
 * What the message asks of alerts: a payload of the screen, or a typed word
 * (`alerts:words.*` in every locale, recognised in every language at once,
 * as command words are). An `alerts.` payload this step does not know opens
 * the screen rather than reaching a flow that cannot take it.
 */
function actionOf(turn: Turn): Action | undefined {
  const payload = turn.payload;
  if (payload !== undefined) {
    if (!payload.startsWith(ALERTS_PREFIX)) return undefined;
    const colon = payload.indexOf(':');
    const type = colon === -1 ? payload : payload.slice(0, colon);
    const value = colon === -1 ? undefined : payload.slice(colon + 1);
    if (type === 'alerts.unsubscribe' && value === undefined) return { type: 'unsubscribe' };
    if (type === 'alerts.unsubscribe' && isScope(value)) return { type: 'unsubscribe', scope: value };
    if (type === 'alerts.subscribe' && isScope(value)) return { type: 'subscribe', scope: value };
    return { type: 'open' };
  }
  const typed = turn.typed;
  if (typed === '' || typed.length > 40) return undefined;
  if (turn.tr.allWords('alerts:words.unsubscribe', normalise).includes(typed)) return { type: 'unsubscribe' };
  // An answer to a typed question ("what is their name?") is an answer, whatever it says.
  if (!turn.expectsText && turn.tr.allWords('alerts:words.open', normalise).includes(typed)) return { type: 'open' };
  return undefined;
}

/**
 * First of the `before` steps (after safety, so danger words still get the
 * emergency number first): alerts the person asked for.
 *
 * - `alerts.open` (or typing `alerts`) shows what the person gets now and
 *   what they can ask for. Before the first yes it says plainly what alerts
 *   are, what is kept, how to stop, and that it has nothing to do with police,
 *   immigration or employers; only a yes (`alerts.subscribe:<scope>`)
 *   subscribes, and a second yes changes nothing.
 * - `unsubscribe` (typed in any language, or pressed) stops every alert, even
 *   while a caseworker has the conversation; every other alerts message then
 *   goes on to the case, since the bot steps aside.
 * - Whatever else the turn does, the alerts follow the person: their language
 *   when they change it, and the country they are in when they say they moved.
 */
export function alertsStep(opts: AlertsStepOptions): Middleware {
  return async (turn, next) => {
    const action = actionOf(turn);
    if (action && (action.type === 'unsubscribe' || turn.record.caseId === undefined)) {
      turn.record.misses = 0;
      if (action.type === 'unsubscribe') return unsubscribe(turn, opts, action.scope);
      if (action.type === 'subscribe') return subscribe(turn, opts, action.scope);
      turn.say(...screen(turn, await opts.subscriptions.listFor(keyOf(turn))));
      return;
    }
    const before = { locale: turn.record.locale, current: turn.record.country.current };
    await next();
    if (turn.erase) return;
    const key = keyOf(turn);
    if (turn.record.locale !== before.locale) await opts.subscriptions.setLocale(key, turn.record.locale, turn.now);
    const current = turn.record.country.current;
    if (current !== undefined && current !== before.current) {
      await opts.subscriptions.setCountry(key, 'current', current, turn.now);
    }
  };
}

const keyOf = (turn: Turn): string => conversationKey(turn.msg);

async function subscribe(turn: Turn, opts: AlertsStepOptions, scope: SubscriptionScope): Promise<void> {
  const country = turn.record.country[scope];
  // Not known (yet): the screen offers to say where they are and where they are from.
  if (country === undefined) {
    turn.say(...screen(turn, await opts.subscriptions.listFor(keyOf(turn))));
    return;
  }
  const { channel, conversationId, userId } = turn.msg;
  await opts.subscriptions.upsert({
    conversationKey: keyOf(turn),
    // Whoever said yes: "delete my data" of that person removes it.
    ref: { channel, conversationId, userId },
    scope,
    country,
    locale: turn.locale,
    now: turn.now,
  });
  turn.log.info({ event: 'alerts-subscribed', scope });
  const subs = await opts.subscriptions.listFor(keyOf(turn));
  turn.say({ key: 'alerts:subscribed', params: { country: countryName(country) }, choices: choicesFor(turn, subs) });
}

async function unsubscribe(turn: Turn, opts: AlertsStepOptions, scope: SubscriptionScope | undefined): Promise<void> {
  const key = keyOf(turn);
  const stopped = scope === undefined ? [] : (await opts.subscriptions.listFor(key)).filter((s) => s.scope === scope);
  const removed = await opts.subscriptions.remove(key, scope);
  turn.log.info({ event: 'alerts-unsubscribed', scope: scope ?? 'all', removed });
  if (scope !== undefined && stopped[0]) {
    turn.say({ key: 'alerts:unsubscribed.one', params: { country: countryName(stopped[0].country) }, aside: true });
    turn.say(...screen(turn, await opts.subscriptions.listFor(key)));
    return;
  }
  turn.say({ key: removed > 0 ? 'alerts:unsubscribed.all' : 'alerts:unsubscribed.none' });
  // During a case the bot says nothing more: the caseworker has the conversation.
  if (turn.record.caseId === undefined) repeatPrompt(turn, opts.flows);
}

/** The countries the person could get alerts about now and does not, as told: at home, the two are one. */
function offers(turn: Turn, subs: readonly Subscription[]): SubscriptionScope[] {
  const { origin, current } = turn.record.country;
  const has = (scope: SubscriptionScope, country: string) => subs.some((s) => s.scope === scope && s.country === country);
  const atHome = origin !== undefined && origin === current && !subs.some((s) => s.scope === 'current');
  return [
    ...(origin !== undefined && !has('origin', origin) ? (['origin'] as const) : []),
    ...(current !== undefined && !has('current', current) && !atHome ? (['current'] as const) : []),
  ];
}

function choicesFor(turn: Turn, subs: readonly Subscription[]): Choice[] {
  const { origin, current } = turn.record.country;
  const both = subs.length > 1;
  return [
    ...offers(turn, subs).map((scope) => ({ label: `alerts:choice.${scope}`, payload: `alerts.subscribe:${scope}` })),
    ...(origin === undefined || current === undefined ? [{ label: 'common:choice.country', payload: 'cmd.country' }] : []),
    ...(both
      ? subs.map((s) => ({ label: `alerts:choice.stop.${s.scope}`, payload: `alerts.unsubscribe:${s.scope}` }))
      : []),
    ...(subs.length > 0 ? [{ label: 'alerts:choice.stopAll', payload: 'alerts.unsubscribe' }] : []),
    { label: 'common:choice.menu', payload: 'cmd.menu' },
  ];
}

/** What the person gets now, or (before any yes) what alerts are; then what they can ask for. */
function screen(turn: Turn, subs: readonly Subscription[]): Output[] {
  const origin = subs.find((s) => s.scope === 'origin');
  const current = subs.find((s) => s.scope === 'current');
  const said: Output[] = [];
  if (origin && current) {
    said.push({ key: 'alerts:status.both', params: { origin: countryName(origin.country), country: countryName(current.country) } });
  } else if (origin) {
    said.push({ key: 'alerts:status.origin', params: { origin: countryName(origin.country) } });
  } else if (current) {
    said.push({ key: 'alerts:status.current', params: { country: countryName(current.country) } });
  } else {
    said.push({ key: 'alerts:explain' });
  }
  const choices = choicesFor(turn, subs);
  const open = offers(turn, subs);
  const { origin: from, current: here } = turn.record.country;
  if (open.length === 2) {
    said.push({ key: 'alerts:offer.both', params: { origin: countryName(from!), country: countryName(here!) }, choices });
  } else if (open[0] === 'origin') {
    said.push({ key: 'alerts:offer.origin', params: { origin: countryName(from!) }, choices });
  } else if (open[0] === 'current') {
    said.push({ key: 'alerts:offer.current', params: { country: countryName(here!) }, choices });
  } else if (subs.length > 0) {
    said.push({ key: 'alerts:manage', choices });
  } else {
    said.push({ key: 'alerts:offer.unknown', choices });
  }
  return said;
}
