import { FlowRegistry, FlowRunner } from '../../src/conversation/flows';
import { normalise } from '../../src/conversation/render';
import { COMMANDS } from '../../src/conversation/steps/commands';
import { alertsStep } from '../../src/alerts/middleware';
import { MemorySubscriptionStore } from '../../src/store/subscriptions-memory';
import { buttonsOf, createTestBot, english, keysOf, type TestBot } from '../support';
import { translator } from '../support/english';
import { testFlows } from '../support/flows';
import { createHandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

interface AlertsBot extends TestBot {
  subscriptions: MemorySubscriptionStore;
  /** The conversation's subscriptions as [scope, country, locale], in the order they were made. */
  subs(): Promise<[string, string, string][]>;
}

const runner = () => new FlowRunner(new FlowRegistry(testFlows));

/** The test bot with the alerts step first, as the app wires it, and "delete my data" reaching the subscriptions. */
function alertsBot(): AlertsBot {
  const subscriptions = new MemorySubscriptionStore();
  const bot = createTestBot({
    before: [alertsStep({ subscriptions, flows: runner() })],
    onErase: async (channel, userId) => {
      await subscriptions.deleteUser(channel, userId);
    },
  });
  return { ...bot, subscriptions, subs: () => listed(subscriptions, bot.key) };
}

async function listed(subscriptions: MemorySubscriptionStore, key: string): Promise<[string, string, string][]> {
  return (await subscriptions.listFor(key)).map((s) => [s.scope, s.country, s.locale]);
}

const payloads = (replies: Parameters<typeof buttonsOf>[0]) => buttonsOf(replies).map((b) => b.payload);

/** A word of `alerts:words.<list>` in one language: what a person of that language would type. */
const word = (list: string, locale: string) => translator.list(`alerts:words.${list}`, locale)[0]!;

describe('the alerts screen', () => {
  it('is offered among the Red Cross / Red Crescent services, and explains what alerts are and what is kept before asking', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    const services = await bot.press('flow.start:services');
    expect(payloads(services)).toContain('alerts.open');
    const replies = await bot.press('alerts.open');
    expect(keysOf(replies)).toEqual(['alerts:explain', 'alerts:offer.both']);
    expect(replies[0]!.text).toContain('chat address');
    expect(replies[0]!.text).toContain('police, immigration or your employer');
    expect(replies[1]!.text).toBe(english('alerts:offer.both', { origin: { key: 'countries:NP' }, country: { key: 'countries:QA' } }));
    expect(payloads(replies)).toEqual(['alerts.subscribe:origin', 'alerts.subscribe:current', 'cmd.menu']);
    expect(await bot.subs()).toEqual([]);
  });

  it('never subscribes without a yes: looking, typing the word and leaving subscribe nobody', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.send('alerts');
    await bot.send('subscribe');
    await bot.press('cmd.menu');
    await bot.send('2');
    expect(await bot.subs()).toEqual([]);
  });

  it('opens when the word is typed in another language', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    expect(keysOf(await bot.send(word('open', 'ne')))).toEqual(['alerts:explain', 'alerts:offer.both']);
  });

  it('offers to say where the person is when neither country is known, and nothing to subscribe to', async () => {
    const bot = alertsBot();
    await placeIn(bot);
    const replies = await bot.press('alerts.open');
    expect(keysOf(replies)).toEqual(['alerts:explain', 'alerts:offer.unknown']);
    expect(payloads(replies)).toEqual(['cmd.country', 'cmd.menu']);
    // A yes to a country the bot does not know subscribes to nothing: the same offer comes back.
    expect(keysOf(await bot.press('alerts.subscribe:origin'))).toEqual(['alerts:explain', 'alerts:offer.unknown']);
    expect(await bot.subs()).toEqual([]);
  });

  it('offers the known country, and the question for the unknown one', async () => {
    const bot = alertsBot();
    await placeIn(bot, undefined, 'NP');
    const replies = await bot.press('alerts.open');
    expect(keysOf(replies)).toEqual(['alerts:explain', 'alerts:offer.origin']);
    expect(payloads(replies)).toEqual(['alerts.subscribe:origin', 'cmd.country', 'cmd.menu']);
  });

  it('offers one country, not two, to a person at home', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'NP', 'NP');
    const replies = await bot.press('alerts.open');
    expect(keysOf(replies)).toEqual(['alerts:explain', 'alerts:offer.origin']);
    expect(payloads(replies)).toEqual(['alerts.subscribe:origin', 'cmd.menu']);
  });

  it('still gives the emergency number first to danger words typed on the alerts screen', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.open');
    const replies = await bot.send('sos');
    expect(keysOf(replies)[0]).toMatch(/^common:emergency\./);
    expect(replies[0]!.text).toContain('999');
    expect(await bot.subs()).toEqual([]);
  });
});

describe('subscribing', () => {
  it('to the home country, in the person\'s language, confirmed with how to stop', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.open');
    const replies = await bot.press('alerts.subscribe:origin');
    expect(keysOf(replies)).toEqual(['alerts:subscribed']);
    expect(replies[0]!.text).toBe(english('alerts:subscribed', { country: { key: 'countries:NP' } }));
    // What is left: the other country, stopping, the menu.
    expect(payloads(replies)).toEqual(['alerts.subscribe:current', 'alerts.unsubscribe', 'cmd.menu']);
    expect(await bot.subs()).toEqual([['origin', 'NP', 'en']]);
    const [sub] = await bot.subscriptions.listFor(bot.key);
    expect(sub!.ref).toEqual(bot.ref);
  });

  it('to the country the person is in', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:current');
    expect(await bot.subs()).toEqual([['current', 'QA', 'en']]);
  });

  it('to both, which the screen then lists, with a way to stop each or all', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    await bot.press('alerts.subscribe:current');
    expect(await bot.subs()).toEqual([
      ['origin', 'NP', 'en'],
      ['current', 'QA', 'en'],
    ]);
    const replies = await bot.press('alerts.open');
    expect(keysOf(replies)).toEqual(['alerts:status.both', 'alerts:manage']);
    expect(replies[0]!.text).toBe(english('alerts:status.both', { origin: { key: 'countries:NP' }, country: { key: 'countries:QA' } }));
    expect(payloads(replies)).toEqual(['alerts.unsubscribe:origin', 'alerts.unsubscribe:current', 'alerts.unsubscribe', 'cmd.menu']);
  });

  it('twice is harmless: one subscription, confirmed again', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    expect(keysOf(await bot.press('alerts.subscribe:origin'))).toEqual(['alerts:subscribed']);
    expect(await bot.subs()).toEqual([['origin', 'NP', 'en']]);
  });

  it('by typing the label of the choice offered', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.open');
    await bot.send(english('alerts:choice.current'));
    expect(await bot.subs()).toEqual([['current', 'QA', 'en']]);
  });

  it('shows one subscription on the screen and offers the other', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:current');
    const replies = await bot.press('alerts.open');
    expect(keysOf(replies)).toEqual(['alerts:status.current', 'alerts:offer.origin']);
    expect(payloads(replies)).toEqual(['alerts.subscribe:origin', 'alerts.unsubscribe', 'cmd.menu']);
  });
});

describe('unsubscribing', () => {
  it('by typing unsubscribe in English, whatever language the person uses, from anywhere', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('lang.set:ne');
    await bot.press('alerts.subscribe:origin');
    await bot.press('alerts.subscribe:current');
    await bot.press('flow.start:packing');
    const replies = await bot.send('Unsubscribe');
    expect(await bot.subs()).toEqual([]);
    expect(replies[0]!.text).toBe(translator.t('alerts:unsubscribed.all', 'ne'));
    // The person is left where they were: the packing flow's step, said again.
    expect((await bot.record())?.flow?.id).toBe('packing');
  });

  it('by typing the word in another language', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    const nepali = word('unsubscribe', 'ne');
    expect(nepali).toMatch(/\p{Script=Devanagari}/u);
    await bot.send(nepali);
    expect(await bot.subs()).toEqual([]);
  });

  it('one country from the screen, keeping the other', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    await bot.press('alerts.subscribe:current');
    const replies = await bot.press('alerts.unsubscribe:current');
    expect(keysOf(replies)).toEqual(['alerts:unsubscribed.one', 'alerts:status.origin', 'alerts:offer.current']);
    expect(await bot.subs()).toEqual([['origin', 'NP', 'en']]);
  });

  it('says so when there was nothing to stop', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    expect(keysOf(await bot.send('unsubscribe'))[0]).toBe('alerts:unsubscribed.none');
  });

  it('works while a caseworker has the conversation, and the word does not go to the case', async () => {
    const subscriptions = new MemorySubscriptionStore();
    const bot = createHandoffBot({ before: [alertsStep({ subscriptions, flows: runner() })] });
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    await bot.press('flow.start:passport');
    await bot.press('handoff.offer:passport');
    await bot.press('handoff.consent.yes:passport');
    const c = (await bot.currentCase())!;
    expect(c.status).toBe('waiting');

    // The alerts screen is not the bot's to show now: the word goes to the caseworker like any other.
    expect(await bot.send('alerts')).toEqual([]);
    const replies = await bot.send('unsubscribe');
    expect(keysOf(replies)).toEqual(['alerts:unsubscribed.all']);
    expect(await listed(subscriptions, bot.key)).toEqual([]);
    const person = (await bot.handoffStore.listMessages(c.id)).filter((m) => m.author === 'person').map((m) => m.text);
    expect(person).toEqual(['alerts']);
    expect((await bot.currentCase())?.status).toBe('waiting');
  });
});

describe('keeping subscriptions right', () => {
  it('changes the alert language when the person changes theirs', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    await bot.press('alerts.subscribe:current');
    await bot.press('lang.set:ne');
    expect(await bot.subs()).toEqual([
      ['origin', 'NP', 'ne'],
      ['current', 'QA', 'ne'],
    ]);
    await bot.send('English');
    expect((await bot.subs()).map(([, , locale]) => locale)).toEqual(['en', 'en']);
  });

  it('moves the "where I am now" alerts when the person says they are somewhere else, not the home country ones', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    await bot.press('alerts.subscribe:current');
    await bot.press('cmd.country');
    await bot.press('situation.here:MY');
    expect(await bot.subs()).toEqual([
      ['origin', 'NP', 'en'],
      ['current', 'MY', 'en'],
    ]);
  });

  it('are all deleted with "delete my data"', async () => {
    const bot = alertsBot();
    await placeIn(bot, 'QA', 'NP');
    await bot.press('alerts.subscribe:origin');
    await bot.press('alerts.subscribe:current');
    await bot.send('delete my data');
    await bot.press('data.erase.confirm');
    expect(await bot.subs()).toEqual([]);
    expect(await bot.subscriptions.subscribedKeys()).toEqual([]);
  });
});

describe('the alerts words, in every language', () => {
  const locales = translator.locales;

  it.each(locales)('in %s, stop every alert, and open the screen', async (locale) => {
    for (const typed of translator.list('alerts:words.unsubscribe', locale)) {
      const bot = alertsBot();
      await placeIn(bot, 'QA', 'NP');
      await bot.press('alerts.subscribe:origin');
      const replies = await bot.send(typed);
      expect([typed, await bot.subs()]).toEqual([typed, []]);
      expect(keysOf(replies)[0]).toBe('alerts:unsubscribed.all');
    }
    for (const typed of translator.list('alerts:words.open', locale)) {
      const bot = alertsBot();
      await placeIn(bot, 'QA', 'NP');
      expect([typed, keysOf(await bot.send(typed))]).toEqual([typed, ['alerts:explain', 'alerts:offer.both']]);
    }
  });

  it('are words of their own, never a command or a danger word', () => {
    const fold = (key: string) => translator.allWords(key, normalise);
    const taken = new Set([...COMMANDS.flatMap((c) => fold(`commands:${c}`)), ...fold('safety:words')]);
    const clashes = [...fold('alerts:words.unsubscribe'), ...fold('alerts:words.open')].filter((w) => taken.has(w));
    expect(clashes).toEqual([]);
  });
});
