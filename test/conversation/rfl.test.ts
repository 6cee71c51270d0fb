import { FIELDS } from '../../flows/rfl/fields';
import { buttonsOf, createTestBot, english, keysOf, type TestBotOptions } from '../support';
import { testDeps } from '../support/flows';
import { createHandoffBot, type HandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

const TOTAL = FIELDS.length;
const ask = (field: (typeof FIELDS)[number]) => ({ key: `rfl:ask.${field}`, params: { step: FIELDS.indexOf(field) + 1, total: TOTAL } });
const button = (label: string, payload: string) => ({ label: english(label), payload });
const skipAndBack = [button('rfl:choice.skip', 'rfl.skip'), button('common:choice.back', 'nav.back')];

/** A person in Qatar from the Philippines, at the start of the RFL topic. */
async function inRfl(options?: TestBotOptions, place: [string, string?] = ['QA', 'PH']): Promise<HandoffBot> {
  const bot = createHandoffBot(options);
  await placeIn(bot, ...place);
  await bot.press('flow.start:rfl');
  return bot;
}

/** At the first question, after the explicit yes. */
async function atFirstQuestion(options?: TestBotOptions, place?: [string, string?]): Promise<HandoffBot> {
  const bot = await inRfl(options, place);
  await bot.press('nav.next');
  await bot.press('rfl.consent');
  return bot;
}

const GOOD = ['Maria Santos Cruz', '34', 'Al Sadd, Doha', 'March 2024', 'Her phone stopped working', 'I am her sister', '+63 917 123 4567'];

/** Answers every question with a good answer; returns the summary replies. */
async function answerAll(bot: HandoffBot) {
  let replies = await bot.send(GOOD[0]!);
  for (const answer of GOOD.slice(1)) replies = await bot.send(answer);
  return replies;
}

/** The tracing request a caseworker has, in the conversation's case: sending it is handing it to a caseworker. */
async function requests(bot: HandoffBot): Promise<{ data: unknown }[]> {
  const c = await bot.handoffStore.openCaseOf(bot.key);
  return c && c.tracing !== null ? [{ data: c.tracing }] : [];
}

/** "Send the request", then yes to the caseworker after the explanation; returns what the yes brought. */
async function send(bot: HandoffBot) {
  expect(keysOf(await bot.press('handoff.offer:rfl'))).toEqual(['handoff:consent.explainRfl']);
  return bot.press('handoff.consent.yes:rfl');
}

/** Whether anything the store keeps for this conversation (besides the replies already sent) holds this text. */
async function recordHolds(bot: HandoffBot, text: string): Promise<boolean> {
  return JSON.stringify(await bot.record()).includes(text);
}

describe('rfl flow through the engine', () => {
  it('opens from the main menu and explains the service, with the Family Links site', async () => {
    const bot = createTestBot();
    await placeIn(bot, 'QA', 'PH');
    await bot.send('menu');
    const replies = await bot.press('topic.open:rfl');
    expect(keysOf(replies)).toEqual(['rfl:intro']);
    expect(replies[0]?.links).toEqual([{ label: english('rfl:link'), url: testDeps.links.familyLinks }]);
    expect(buttonsOf(replies)).toEqual([
      button('common:choice.next', 'nav.next'),
      button('common:choice.person', 'handoff.offer:rfl'),
      button('common:choice.menu', 'cmd.menu'),
    ]);
    expect(replies[0]?.text).toContain('free and confidential');
    expect(replies[0]?.text).toContain('only if the person agrees');
  });

  it('asks for consent before anything, saying what happens and that stop sends nothing', async () => {
    const bot = await inRfl();
    const replies = await bot.press('nav.next');
    expect(replies).toContainKey('rfl:consent', { total: TOTAL });
    expect(buttonsOf(replies)).toEqual([
      button('common:choice.yes', 'rfl.consent'),
      button('rfl:choice.no', 'rfl.decline'),
      button('common:choice.back', 'nav.back'),
      button('common:choice.menu', 'cmd.menu'),
    ]);
    expect(replies[0]?.text).toContain('Type stop at any time');
  });

  it('respects a no: no pressure, nothing sent, back to the menu', async () => {
    const bot = await inRfl();
    await bot.press('nav.next');
    const replies = await bot.send('no');
    expect(keysOf(replies)).toEqual(['rfl:declined', 'menu:prompt']);
    expect(await requests(bot)).toEqual([]);
    expect((await bot.record())?.flow?.id).toBe('menu');
  });

  it('takes an answer typed before the yes as not understood, not as an answer', async () => {
    const bot = await inRfl();
    await bot.press('nav.next');
    expect(keysOf(await bot.send('Maria Santos Cruz'))).toEqual(['common:notUnderstood', 'rfl:consent']);
    expect(await recordHolds(bot, 'Maria')).toBe(false);
  });

  it('walks the whole request with re-asks and skips, and hands a caseworker exactly what was confirmed', async () => {
    const bot = await inRfl();
    await bot.press('nav.next');
    let replies = await bot.send('yes');
    expect(replies).toContainKey('rfl:ask.fullName', ask('fullName').params);
    expect(buttonsOf(replies)).toEqual(skipAndBack);

    expect(await bot.send('?!')).toContainKey('rfl:retry.text', { max: 300 });
    expect(keysOf(await bot.send('Maria  Santos\nCruz'))).toEqual(['rfl:ask.ageOrBirthDate']);

    replies = await bot.send('about forty');
    expect(keysOf(replies)).toEqual(['rfl:retry.age']);
    expect(buttonsOf(replies)).toEqual(skipAndBack);
    expect(keysOf(await bot.send('150'))).toEqual(['rfl:retry.age']);
    expect(keysOf(await bot.send('34 years'))).toEqual(['rfl:ask.lastPlace']);

    // "skip" typed is the Skip choice.
    expect(keysOf(await bot.send('skip'))).toEqual(['rfl:ask.lastContact']);
    expect(keysOf(await bot.send('x'.repeat(301)))).toEqual(['rfl:retry.text']);
    expect(keysOf(await bot.send('March 2024'))).toEqual(['rfl:ask.circumstances']);
    expect(keysOf(await bot.press('rfl.skip'))).toEqual(['rfl:ask.relationship']);
    expect(keysOf(await bot.send('I am her sister'))).toEqual(['rfl:ask.contact']);
    expect(keysOf(await bot.send('call me'))).toEqual(['rfl:retry.contact']);

    replies = await bot.send('+63 917 123 4567');
    expect(keysOf(replies)).toEqual(['rfl:summary.sought', 'rfl:summary.enquirer', 'rfl:confirm']);
    const skipped = english('rfl:summary.skipped');
    expect(replies[0]?.text).toBe(
      [
        'Please check your request.',
        '',
        'The person you are looking for:',
        '• Name: Maria Santos Cruz',
        '• Age or date of birth: 34 years',
        `• Last known place: ${skipped}`,
        '• Last contact: March 2024',
        `• How contact was lost: ${skipped}`,
      ].join('\n'),
    );
    expect(replies[1]?.text).toBe('About you:\n• Your relationship: I am her sister\n• How to reach you: +63 917 123 4567');
    expect(buttonsOf(replies)).toEqual([
      button('rfl:choice.send', 'handoff.offer:rfl'),
      button('common:choice.back', 'nav.back'),
      button('rfl:choice.cancel', 'rfl.cancel'),
    ]);
    expect(await requests(bot)).toEqual([]);

    replies = await send(bot);
    expect(keysOf(replies)).toEqual(['handoff:opened', 'common:emergency.single']);

    const sent = await requests(bot);
    expect(sent).toHaveLength(1);
    expect(await bot.currentCase()).toMatchObject({ category: 'rfl', conversationKey: bot.key, ref: bot.ref });
    expect(await bot.store.listSubmissions({}, 10)).toEqual([]);
    expect(sent[0]?.data).toEqual({
      sought: { fullName: 'Maria Santos Cruz', ageOrBirthDate: '34 years', lastContact: 'March 2024' },
      enquirer: { relationship: 'I am her sister', contact: '+63 917 123 4567' },
      consent: { given: true, key: 'rfl:consent' },
      countries: { current: 'QA', origin: 'PH' },
      locale: 'en',
    });

    // The request is with a caseworker now; the conversation no longer holds it.
    const record = await bot.record();
    expect(record?.flow).toBeNull();
    expect(record?.caseId).toBeDefined();
    expect(await recordHolds(bot, 'Maria')).toBe(false);
    expect(await recordHolds(bot, '917 123')).toBe(false);
  });

  it('sends nothing when the person types stop in the middle, and keeps none of the answers', async () => {
    const bot = await atFirstQuestion();
    await bot.send('Maria Santos Cruz');
    await bot.send('34');
    expect(await recordHolds(bot, 'Maria')).toBe(true);
    expect(keysOf(await bot.send('stop'))).toEqual(['common:stopped']);
    expect(await requests(bot)).toEqual([]);
    expect((await bot.record())?.flow).toBeNull();
    expect(await recordHolds(bot, 'Maria')).toBe(false);
    expect(keysOf(await bot.send('hello again'))).toEqual(['menu:prompt']);
    expect(await requests(bot)).toEqual([]);
  });

  it('sends nothing when the person goes to the menu from the summary, or chooses not to send', async () => {
    const toMenu = await atFirstQuestion();
    await answerAll(toMenu);
    expect(keysOf(await toMenu.send('menu'))).toEqual(['menu:prompt']);
    expect(await requests(toMenu)).toEqual([]);

    const notSent = await atFirstQuestion();
    await answerAll(notSent);
    expect(keysOf(await notSent.press('rfl.cancel'))).toEqual(['rfl:cancelled', 'menu:prompt']);
    expect(await requests(notSent)).toEqual([]);
    expect(await recordHolds(notSent, 'Maria')).toBe(false);
  });

  it('erases the request with everything else when the person says delete my data afterwards', async () => {
    const bot = await atFirstQuestion();
    await answerAll(bot);
    await send(bot);
    expect(await requests(bot)).toHaveLength(1);

    expect(keysOf(await bot.send('delete my data'))).toEqual(['privacy:explain']);
    expect(keysOf(await bot.press('data.erase.confirm'))).toEqual(['privacy:erased']);
    expect(await requests(bot)).toEqual([]);
    expect(await bot.record()).toBeNull();
  });

  it('hands over a request without a way to reach the person: the caseworker answers in the chat', async () => {
    const bot = await atFirstQuestion();
    for (const answer of GOOD.slice(0, -1)) await bot.send(answer);
    await bot.send('skip');
    expect(keysOf(await send(bot))[0]).toBe('handoff:opened');
    expect((await requests(bot))[0]?.data).toMatchObject({ enquirer: { relationship: 'I am her sister' } });
    expect((await requests(bot))[0]?.data).not.toHaveProperty('enquirer.contact');
  });

  it.each([
    ['SA', 'ID'],
    ['HK', 'NP'],
    ['JP', undefined],
  ])('keeps where a person in %s from %s is, with the request and the case', async (country, origin) => {
    const bot = await atFirstQuestion(undefined, [country, origin]);
    await answerAll(bot);
    await send(bot);
    expect((await requests(bot))[0]?.data).toMatchObject({ countries: { current: country, origin: origin ?? null } });
    expect((await bot.currentCase())?.country).toEqual({ current: country, ...(origin && { origin }) });
  });

  it('hands over a request when it does not know the countries', async () => {
    const bot = createHandoffBot();
    await bot.send('hi');
    await bot.press('flow.start:rfl');
    await bot.press('nav.next');
    await bot.press('rfl.consent');
    await answerAll(bot);
    expect(keysOf(await send(bot))).toEqual(['handoff:opened', 'common:emergency.unknown']);
    expect((await requests(bot))[0]?.data).toMatchObject({ countries: { current: null, origin: null } });
  });

  it('goes back question by question, shows the answer so far, and keeps it or takes a new one', async () => {
    const bot = await atFirstQuestion();
    await bot.send('Maria Santos Cruz');
    await bot.send('34');
    let replies = await bot.send('back');
    expect(replies).toContainKey('rfl:askAgain', { question: ask('ageOrBirthDate'), answer: '34' });
    expect(buttonsOf(replies)).toEqual([button('rfl:choice.keep', 'nav.next'), ...skipAndBack]);
    replies = await bot.press('nav.back');
    expect(replies).toContainKey('rfl:askAgain', { question: ask('fullName'), answer: 'Maria Santos Cruz' });
    expect(keysOf(await bot.send('Maria Cruz'))).toEqual(['rfl:ask.ageOrBirthDate']);
    expect(await bot.send('back')).toContainKey('rfl:askAgain', { question: ask('fullName'), answer: 'Maria Cruz' });
    expect(keysOf(await bot.send('back'))).toEqual(['rfl:consent']);
    expect(keysOf(await bot.send('back'))).toEqual(['rfl:intro']);
    expect(keysOf(await bot.send('back'))).toEqual(['menu:prompt']);
  });

  it('goes back from the summary to change the last answer', async () => {
    const bot = await atFirstQuestion();
    await answerAll(bot);
    await bot.press('nav.back');
    const replies = await bot.send('maria@example.org');
    expect(replies[1]?.text).toContain('How to reach you: maria@example.org');
    await send(bot);
    expect((await requests(bot))[0]?.data).toMatchObject({ enquirer: { contact: 'maria@example.org' } });
  });

  it('shows answers exactly as typed, never as text to translate', async () => {
    const bot = await atFirstQuestion();
    const name = 'Ana {{name}} $t(common:choice.yes) <b>';
    await bot.send(name);
    for (const answer of GOOD.slice(1)) await bot.send(answer);
    await bot.send('back');
    const replies = await bot.send('+63 917 123 4567');
    expect(replies[0]?.text).toContain(`• Name: ${name}`);
  });

  it('gives emergency numbers first when the person signals danger, and still takes the answer', async () => {
    const bot = await atFirstQuestion();
    await bot.send('Maria Santos Cruz');
    await bot.send('34');
    await bot.send('Riyadh');
    await bot.send('March 2024');
    // An answer that happens to hold a danger word is an answer, and also brings the numbers.
    const sos = await bot.send('We lost contact after an emergency at her workplace');
    expect(keysOf(sos)).toEqual(['common:emergency.single', 'rfl:ask.relationship']);
    expect(sos[0]?.text).toContain('999');
    expect(await requests(bot)).toEqual([]);
    // A message that is only the alarm is an alarm, never taken as the answer.
    expect(keysOf(await bot.send('help me'))).toEqual(['common:emergency.single', 'safety:offer']);
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'rfl:ask.relationship']);
  });

  it('says the question again after help and after a change of language', async () => {
    const bot = await atFirstQuestion();
    await bot.send('?!');
    // The re-ask is the current step now, so help repeats it with its ways on.
    expect(keysOf(await bot.send('help'))).toEqual(['common:help', 'rfl:retry.text']);
    expect(keysOf(await bot.press('lang.set:en'))).toEqual(['common:languageSet', 'rfl:retry.text']);
    expect(keysOf(await bot.send('Maria Santos Cruz'))).toEqual(['rfl:ask.ageOrBirthDate']);
  });

  it('works by numbers on a channel without buttons', async () => {
    const bot = await atFirstQuestion({ capabilities: { buttons: false } });
    const replies = await bot.send('Maria Santos Cruz');
    expect(replies[0]?.text.endsWith(`\n\n1. ${english('rfl:choice.skip')}\n2. ${english('common:choice.back')}`)).toBe(true);
    // A number typed at a question that wants text is the answer (an age of 2), not choice 2.
    expect(keysOf(await bot.send('2'))).toEqual(['rfl:ask.lastPlace']);
    expect((await bot.record())?.flow?.snapshot).toMatchObject({ context: { answers: { ageOrBirthDate: '2' } } });
    // The choices still work by their label.
    const back = await bot.send(english('common:choice.back'));
    expect((await bot.record())?.flow?.snapshot).toMatchObject({ value: 'ageOrBirthDate' });
    expect(back[0]?.text).toContain(english('rfl:choice.keep'));
  });

  it('offers a caseworker from the explanation, consent first, with no request to send yet', async () => {
    const bot = await inRfl();
    expect(keysOf(await bot.press('handoff.offer:rfl'))).toEqual(['handoff:consent.explain']);
    await bot.press('handoff.consent.yes:rfl');
    expect(await bot.currentCase()).toMatchObject({ category: 'rfl', tracing: null });
  });
});
