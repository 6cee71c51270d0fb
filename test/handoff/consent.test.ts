import { PERSON_TOPICS } from '../../flows/shared/person';
import type { OutboundMessage } from '../../src/conversation/channel';
import { CATEGORIES, type Category } from '../../src/handoff/types';
import { buttonsOf, english, keysOf } from '../support';
import { translator } from '../support/english';
import { DEFAULT_ORGANISATION, addOrganisation, addStaff, createHandoffBot, type HandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

const button = (label: string, payload: string) => ({ label: english(label), payload });

/** Every offer of a person in the bot, and how a person gets to it. */
const OFFERS: { from: string; category: Category; reach: (bot: HandoffBot) => Promise<OutboundMessage[]> }[] = [
  { from: 'the danger flow', category: 'danger', reach: (bot) => bot.press('flow.start:danger') },
  { from: 'the passport flow', category: 'passport', reach: (bot) => bot.press('flow.start:passport') },
  { from: 'the recruitment flow', category: 'recruitment', reach: (bot) => bot.press('flow.start:recruitment') },
  {
    from: 'the family emergency flow',
    category: 'familyEmergency',
    reach: async (bot) => {
      await bot.press('flow.start:familyEmergency');
      return bot.press('family.abroad');
    },
  },
  { from: 'the RFL flow', category: 'rfl', reach: (bot) => bot.press('flow.start:rfl') },
  { from: 'the wellbeing flow', category: 'wellbeing', reach: (bot) => bot.press('flow.start:wellbeing') },
  { from: 'the contacts flow', category: 'other', reach: (bot) => bot.press('flow.start:contacts') },
  { from: 'the menu', category: 'other', reach: (bot) => bot.send('menu') },
  {
    from: 'three messages not understood',
    category: 'other',
    reach: async (bot) => {
      await bot.send('menu');
      await bot.send('qqq');
      await bot.send('qqq');
      return bot.send('qqq');
    },
  },
];

/** A person in Qatar from the Philippines, where a Qatar organisation takes cases. */
async function personInQatar(): Promise<{ bot: HandoffBot; orgName: string }> {
  const bot = createHandoffBot();
  const org = await addOrganisation(bot.handoffStore, 'Qatar Red Crescent caseworkers', ['QA'], 45);
  await placeIn(bot, 'QA', 'PH');
  return { bot, orgName: org.name };
}

describe('the handoff categories', () => {
  it('are the same list in the flows and in the handoff', () => {
    expect([...PERSON_TOPICS]).toEqual([...CATEGORIES]);
  });
});

describe.each(OFFERS)('a person offered from $from', ({ category, reach }) => {
  const offer = `handoff.offer:${category}`;

  it('is told who reads what before anything, and asked', async () => {
    const { bot, orgName } = await personInQatar();
    const offered = await reach(bot);
    expect(buttonsOf(offered)).toContainEqual(button('common:choice.person', offer));

    const replies = await bot.press(offer);
    expect(keysOf(replies)).toEqual(['handoff:consent.explain']);
    expect(replies[0]?.text).toContain(`a caseworker of ${orgName}`);
    for (const promise of ['from now on', 'country and language', 'do not pass it to the police, immigration or your employer', 'type stop']) {
      expect(replies[0]?.text).toContain(promise);
    }
    expect(buttonsOf(replies)).toEqual([
      button('handoff:choice.yes', `handoff.consent.yes:${category}`),
      button('handoff:choice.no', 'handoff.consent.no'),
      button('handoff:choice.otherHelp', 'flow.start:person'),
    ]);
    expect(await bot.handoffStore.listCases({ organisationId: (await bot.handoff.organisationFor({ current: 'QA' })).id }, 10)).toEqual([]);
  });

  it('hears no, with no case and no pressure, and is back where they were', async () => {
    const { bot } = await personInQatar();
    await reach(bot);
    const before = await bot.record();
    await bot.press(offer);

    const replies = await bot.send('no, not now');
    expect(before?.prompt.length).toBeGreaterThan(0);
    expect(keysOf(replies)).toEqual(['handoff:declined', ...(before?.prompt ?? []).map((o) => o.key)]);
    const after = await bot.record();
    expect(after?.caseId).toBeUndefined();
    expect(after?.flow).toEqual(before?.flow);
    expect(bot.events).toEqual([]);
    expect(await bot.handoffStore.openCaseOf(bot.key)).toBeNull();
  });

  it('opens a case on yes, with the consent as it was read, and says once when a caseworker answers', async () => {
    const { bot, orgName } = await personInQatar();
    await reach(bot);
    await bot.press(offer);
    const started = Date.now();

    const replies = await bot.send('yes');
    expect(keysOf(replies)).toEqual(['handoff:opened', 'common:emergency.single']);
    expect(replies[0]?.text).toContain(`A caseworker of ${orgName} will answer you here, usually within 45 minutes`);
    expect(replies[1]?.text).toContain('999');
    expect(buttonsOf(replies)).toEqual([]);

    const c = await bot.currentCase();
    expect(c).toMatchObject({
      category,
      priority: category === 'danger' ? 'urgent' : 'normal',
      status: 'waiting',
      ref: bot.ref,
      conversationKey: bot.key,
      locale: 'en',
      country: { current: 'QA', origin: 'PH' },
      tracing: null,
      assignedTo: null,
    });
    expect(c?.consent).toEqual({
      version: 'handoff:consent.explain',
      locale: 'en',
      text: english('handoff:consent.explain', { organisation: orgName }),
      at: expect.any(Number),
    });
    expect(c!.consent.at).toBeGreaterThanOrEqual(started);
    expect(bot.events[0]).toEqual({ type: 'case.opened', caseId: c!.id, organisationId: c!.organisationId, category: c!.category, priority: c!.priority });
    // What the person was told is in the transcript, as they read it.
    const lines = await bot.handoffStore.listMessages(c!.id);
    expect(lines.map((l) => [l.author, l.text])).toEqual(replies.map((r) => ['bot', r.text]));
    // The bot stepped aside: no flow, nothing a number would answer.
    const record = await bot.record();
    expect(record).toMatchObject({ flow: null, prompt: [], choices: [] });
  });
});

describe('consent', () => {
  it('is kept in the language the person read it in', async () => {
    const bot = createHandoffBot();
    await placeIn(bot, 'SA', 'PH');
    await bot.press('lang.set:fil');
    await bot.press('handoff.offer:other');
    await bot.press('handoff.consent.yes:other');
    const c = await bot.currentCase();
    expect(c?.locale).toBe('fil');
    expect(c?.consent.locale).toBe('fil');
    expect(c?.consent.text).toBe(translator.t('handoff:consent.explain', 'fil', { organisation: DEFAULT_ORGANISATION }));
    expect(c?.consent.text).not.toBe(english('handoff:consent.explain', { organisation: DEFAULT_ORGANISATION }));
  });

  it('is asked again after a no: only a yes opens a case', async () => {
    const bot = createHandoffBot();
    await placeIn(bot, 'QA', 'PH');
    await bot.send('menu');
    await bot.press('handoff.offer:wellbeing');
    await bot.press('handoff.consent.no');
    expect(await bot.handoffStore.openCaseOf(bot.key)).toBeNull();
    // Typed words that are not the yes do not open one either.
    await bot.press('handoff.offer:wellbeing');
    expect(keysOf(await bot.send('maybe'))).toContain('common:notUnderstood');
    expect(await bot.handoffStore.openCaseOf(bot.key)).toBeNull();
    // The yes by its number, while the question is the current one.
    await bot.press('handoff.offer:wellbeing');
    expect(keysOf(await bot.send('1'))[0]).toBe('handoff:opened');
    expect(await bot.handoffStore.openCaseOf(bot.key)).not.toBeNull();
  });

  it('opens one case when the same yes arrives twice', async () => {
    const bot = createHandoffBot();
    await bot.send('hi');
    await bot.press('handoff.offer:other');
    const yes = bot.message({ payload: 'handoff.consent.yes:other' });
    await bot.engine.handle(yes);
    const again = await bot.engine.handle(yes);
    expect(again.status).toBe('duplicate');
    const org = await bot.handoff.organisationFor({});
    expect(await bot.handoffStore.listCases({ organisationId: org.id }, 10)).toHaveLength(1);
  });

  it('offers other ways to get help, the contact list, without a case', async () => {
    const bot = createHandoffBot();
    await placeIn(bot, 'QA', 'PH');
    await bot.press('handoff.offer:danger');
    const replies = await bot.press('flow.start:person');
    expect(keysOf(replies)[0]).toBe('person:intro');
    expect(await bot.handoffStore.openCaseOf(bot.key)).toBeNull();
  });

  it('goes to the default organisation where no organisation serves the country, and creates it once', async () => {
    const bot = createHandoffBot();
    await addOrganisation(bot.handoffStore, 'Qatar Red Crescent caseworkers', ['QA']);
    await placeIn(bot, 'MY', 'ID');
    const replies = await bot.press('handoff.offer:passport');
    expect(replies[0]?.text).toContain(`a caseworker of ${DEFAULT_ORGANISATION}`);
    await bot.press('handoff.consent.yes:passport');
    const c = await bot.currentCase();
    const orgs = await bot.handoffStore.listOrganisations();
    const fallback = orgs.find((o) => o.name === DEFAULT_ORGANISATION);
    expect(c?.organisationId).toBe(fallback?.id);
    expect(fallback).toMatchObject({ countries: [], expectedResponseMinutes: 60, languages: translator.locales });
    expect(orgs.filter((o) => o.name === DEFAULT_ORGANISATION)).toHaveLength(1);
  });

  it('reads an unknown category as nothing the handoff offers', async () => {
    const bot = createHandoffBot();
    await bot.send('hi');
    expect(keysOf(await bot.press('handoff.offer:lottery'))).not.toContain('handoff:consent.explain');
    expect(keysOf(await bot.press('handoff.consent.yes:lottery'))).not.toContain('handoff:opened');
    expect(await bot.handoffStore.openCaseOf(bot.key)).toBeNull();
  });
});

describe.each(translator.locales)('in %s', (lang) => {
  /** A locale key or an unfilled template shown to a person instead of text. */
  const RAW = /\{\{|\$t\(|\b[a-z][A-Za-z]*:[a-z][\w.]*[a-z]\b/;

  it('explains, opens, relays, transfers and closes with every message in that language', async () => {
    const bot = createHandoffBot();
    const org = await addOrganisation(bot.handoffStore, 'Kuwait Red Crescent', ['KW'], 120);
    const home = await addOrganisation(bot.handoffStore, 'Nepal Red Cross', ['NP'], 1440);
    const worker = await addStaff(bot.handoffStore, org);
    const homeWorker = await addStaff(bot.handoffStore, home);
    await placeIn(bot, 'KW', 'NP');
    await bot.press(`lang.set:${lang}`);
    bot.channel.deliveries.length = 0;
    await bot.press('handoff.offer:danger');
    await bot.press('handoff.consent.no');
    await bot.press('handoff.offer:other');
    await bot.press('handoff.consent.yes:other');
    const c = (await bot.currentCase())!;
    await bot.press('topic.open:packing');
    await bot.press('input.unsupported');
    await bot.send('sos');
    await bot.handoff.reply(worker, c.id, 'Hello');
    await bot.handoff.transfer(worker, c.id, home.id, 'Home country');
    await bot.handoff.close(homeWorker, c.id);
    const seen = bot.channel.messages;
    const handoffKeys = [
      'handoff:consent.explain',
      'handoff:declined',
      'handoff:opened',
      'handoff:stillOpen',
      'handoff:textOnly',
      'handoff:escalated',
      'handoff:reply',
      'handoff:transferred',
      'handoff:closed',
    ];
    expect(seen.length).toBeGreaterThanOrEqual(handoffKeys.length);
    for (const message of seen) {
      expect(message.locale === lang || message.locale === 'en').toBe(true);
      expect(message.text).not.toMatch(RAW);
      for (const b of message.buttons ?? []) expect(b.label).not.toMatch(RAW);
    }
    // Right-to-left languages isolate numbers and names; compare the words.
    const bare = (text: string) => text.replace(/[\u2068\u2069]/g, '');
    const texts = bare(seen.map((m) => m.text).join('\n'));
    expect(texts).toContain(bare(translator.t('handoff:time.hours', lang, { hours: 2 })));
    for (const key of handoffKeys.filter((k) => !k.includes('reply'))) {
      const template = translator.t(key, lang, { organisation: '\u0000', time: '\u0000', text: '\u0000' });
      // The longest fixed part of the message, as the person sees it.
      const fixed = bare(template).split('\u0000').sort((a, b) => b.length - a.length)[0]!.trim().slice(0, 20);
      expect(fixed.length).toBeGreaterThan(5);
      expect([key, texts.includes(fixed)]).toEqual([key, true]);
    }
  });
});
