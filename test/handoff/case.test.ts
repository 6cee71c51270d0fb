import type { PollingOutbox } from '../../src/conversation/delivery/polling';
import { HandoffError } from '../../src/handoff/service';
import type { Case, Organisation, StaffUser } from '../../src/handoff/types';
import { buttonsOf, english, keysOf } from '../support';
import { addOrganisation, addStaff, createHandoffBot, type HandoffBot } from '../support/handoff';
import { placeIn } from '../support/situation';

interface InCase {
  bot: HandoffBot;
  c: Case;
  org: Organisation;
  worker: StaffUser;
}

/** A person in Qatar with an open case (from the passport flow), and a caseworker of the organisation serving Qatar. */
async function inCase(category = 'passport', clock?: () => number): Promise<InCase> {
  const bot = createHandoffBot({ clock });
  const org = await addOrganisation(bot.handoffStore, 'Qatar Red Crescent caseworkers', ['QA'], 30);
  const worker = await addStaff(bot.handoffStore, org);
  await placeIn(bot, 'QA', 'PH');
  await bot.press(`flow.start:${category}`);
  await bot.press(`handoff.offer:${category}`);
  await bot.press(`handoff.consent.yes:${category}`);
  const c = (await bot.currentCase())!;
  bot.events.length = 0;
  bot.channel.deliveries.length = 0;
  return { bot, c, org, worker };
}

const lines = async (bot: HandoffBot, c: Case) =>
  (await bot.handoffStore.listMessages(c.id)).map((m) => ({ author: m.author, text: m.text }));

describe('while a case is open', () => {
  it('passes what the person writes to the case, in their words and language, and the bot stays silent', async () => {
    const { bot, c } = await inCase();
    expect(await bot.send('My employer has my passport since March.')).toEqual([]);
    // Words that would be commands or choices elsewhere are words to the caseworker here.
    expect(await bot.send('menu')).toEqual([]);
    expect(await bot.send('2')).toEqual([]);
    const person = (await bot.handoffStore.listMessages(c.id)).filter((m) => m.author === 'person');
    expect(person.map((m) => [m.text, m.locale])).toEqual([
      ['My employer has my passport since March.', 'en'],
      ['menu', 'en'],
      ['2', 'en'],
    ]);
    expect(bot.events.filter((e) => e.type === 'message.added')).toHaveLength(3);
    expect((await bot.handoffStore.getCase(c.id))?.lastPersonMessageAt).toEqual(expect.any(Number));
  });

  it('keeps a message once when the channel sends it twice', async () => {
    const { bot, c } = await inCase();
    const message = bot.message({ text: 'Are you there?' });
    await bot.engine.handle(message);
    await bot.engine.handle(message);
    expect((await lines(bot, c)).filter((l) => l.author === 'person')).toEqual([{ author: 'person', text: 'Are you there?' }]);
  });

  it('reminds a person who presses an old button that a caseworker has the conversation', async () => {
    const { bot, c, org } = await inCase();
    const replies = await bot.press('topic.open:packing');
    expect(keysOf(replies)).toEqual(['handoff:stillOpen']);
    expect(replies[0]?.text).toContain(org.name);
    expect((await lines(bot, c)).filter((l) => l.author === 'person')).toEqual([]);
  });

  it('tells a person who sends a voice note to type, and tells the caseworker something came', async () => {
    const { bot, c } = await inCase();
    expect(keysOf(await bot.press('input.unsupported'))).toEqual(['handoff:textOnly']);
    expect((await lines(bot, c)).at(-1)?.author).toBe('system');
  });

  it('ends with stop: the case closes from the person\'s side and the bot is back with the menu', async () => {
    const { bot, c } = await inCase();
    const replies = await bot.send('stop');
    expect(keysOf(replies)).toEqual(['handoff:stoppedByPerson', 'menu:prompt']);
    expect(await bot.handoffStore.getCase(c.id)).toMatchObject({ status: 'closed', closedBy: 'person', closedAt: expect.any(Number) });
    expect((await bot.record())?.caseId).toBeUndefined();
    expect(bot.events).toContainEqual({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    const audit = await bot.handoffStore.listAudit(10);
    expect(audit[0]).toMatchObject({ action: 'case.stopped', caseId: c.id, userId: null });
    // The bot answers again.
    expect(keysOf(await bot.send('hello'))).not.toEqual([]);
  });

  it('gives the emergency number first on SOS, raises the case to urgent and says the caseworker was told', async () => {
    const { bot, c } = await inCase();
    expect(c.priority).toBe('normal');
    const replies = await bot.send('help me');
    expect(keysOf(replies)).toEqual(['common:emergency.single', 'handoff:escalated']);
    expect(replies[0]?.text).toContain('999');
    // No offer of the danger topic: the caseworker has the conversation.
    expect(buttonsOf(replies)).toEqual([]);
    expect(await bot.handoffStore.getCase(c.id)).toMatchObject({ priority: 'urgent', status: 'waiting', alertedAt: null });
    expect(bot.events).toContainEqual({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
    expect(await lines(bot, c)).toEqual(
      expect.arrayContaining([
        { author: 'person', text: 'help me' },
        { author: 'bot', text: replies[0]!.text },
        { author: 'bot', text: english('handoff:escalated') },
      ]),
    );
    expect((await bot.handoffStore.listAudit(5)).map((a) => a.action)).toContain('case.escalated');
    // The SOS button works the same, and a danger word inside a message too.
    expect(keysOf(await bot.press('cmd.sos'))).toEqual(['common:emergency.single', 'handoff:escalated']);
    expect(keysOf(await bot.send('He hits me every night'))).toEqual(['common:emergency.single', 'handoff:escalated']);
    expect((await bot.record())?.caseId).toBe(c.id);
  });

  it('lets the person delete their data during a case, cases included', async () => {
    const { bot, c } = await inCase();
    await bot.send('My name is Ana and my number is +974 5555 1234');
    expect(keysOf(await bot.send('delete my data'))).toEqual(['privacy:explain']);
    expect(keysOf(await bot.press('data.erase.confirm'))).toEqual(['privacy:erased']);
    expect(await bot.handoffStore.getCase(c.id)).toBeNull();
    expect(await bot.handoffStore.listMessages(c.id)).toEqual([]);
    expect(await bot.record()).toBeNull();
    const [entry] = await bot.handoffStore.listAudit(1);
    expect(entry).toMatchObject({ action: 'person.erased', userId: null, caseId: null, detail: { cases: 1, channel: 'test' } });
    expect(JSON.stringify(await bot.handoffStore.listAudit(100))).not.toMatch(/Ana|5555|employer/);
    // Nothing of the case is kept, in any form: the audit log names it by id only.
    expect(bot.handoffStore.dump()).not.toMatch(/Ana|5555|gcm1:/);
    expect(bot.events).toContainEqual({ type: 'case.updated', caseId: c.id, organisationId: c.organisationId });
  });

  it('keeps the case when the person changes their mind about deleting', async () => {
    const { bot, c } = await inCase();
    await bot.send('delete my data');
    expect(keysOf(await bot.send('No, keep it'))).toEqual(['privacy:kept']);
    expect((await bot.handoffStore.getCase(c.id))?.status).toBe('waiting');
    // A number typed later is for the caseworker, not an answer to the old question.
    expect(await bot.send('1')).toEqual([]);
    expect(await bot.handoffStore.getCase(c.id)).not.toBeNull();
  });

  it('forgets a case that is gone behind the record, and answers as the bot again', async () => {
    const { bot, c } = await inCase();
    await bot.handoffStore.deleteUserCases(bot.ref.channel, bot.ref.userId);
    expect(keysOf(await bot.send('hello?'))).not.toEqual([]);
    expect((await bot.record())?.caseId).toBeUndefined();
    expect(await bot.handoffStore.getCase(c.id)).toBeNull();
  });

  it('gives the danger offer again after SOS when the case is gone', async () => {
    const { bot } = await inCase();
    await bot.handoffStore.deleteUserCases(bot.ref.channel, bot.ref.userId);
    expect(keysOf(await bot.send('sos'))).toEqual(['common:emergency.single', 'safety:offer']);
  });
});

describe('a caseworker', () => {
  it('answers on the person\'s channel, named with their organisation, and the line records its delivery', async () => {
    const { bot, c, org, worker } = await inCase();
    const line = await bot.handoff.reply(worker, c.id, '  Hello, I am Mina. Are you safe now?  ');
    expect(line).toMatchObject({ author: 'caseworker', userId: worker.id, text: 'Hello, I am Mina. Are you safe now?', delivery: 'delivered', deliveryError: null });
    const delivered = bot.channel.messages;
    expect(delivered.map((m) => m.text)).toEqual([english('handoff:reply', { organisation: org.name, text: 'Hello, I am Mina. Are you safe now?' })]);
    expect(delivered[0]?.text).toBe(`Caseworker, ${org.name}:\nHello, I am Mina. Are you safe now?`);
    // Answering a waiting case takes it.
    expect(await bot.handoffStore.getCase(c.id)).toMatchObject({ status: 'assigned', assignedTo: worker.id });
    expect(bot.events.map((e) => e.type)).toEqual(['case.updated', 'message.added', 'message.delivery']);
    // Written through the outbox under its source id, then deleted once delivered, as this channel keeps its own
    // chat (the web chat keeps it for its history: replies-across-channels.test.ts).
    expect(await bot.store.repliesTo(bot.key, line.sourceId)).toEqual([]);
    // The person's answer goes back to the case.
    expect(await bot.send('Yes, I am at a friend\'s place.')).toEqual([]);
    expect((await lines(bot, c)).at(-1)).toEqual({ author: 'person', text: 'Yes, I am at a friend\'s place.' });
  });

  it('answers in the person\'s language around the caseworker\'s own words', async () => {
    const bot = createHandoffBot();
    const worker = await addStaff(bot.handoffStore, await bot.handoff.ensureDefaultOrganisation());
    await placeIn(bot, 'SA', 'ID');
    await bot.press('lang.set:id');
    await bot.press('handoff.offer:other');
    await bot.press('handoff.consent.yes:other');
    const c = (await bot.currentCase())!;
    bot.channel.deliveries.length = 0;
    await bot.handoff.reply(worker, c.id, 'Halo, saya Mina.');
    expect(bot.channel.messages[0]).toMatchObject({ locale: 'id', text: expect.stringMatching(/^Pekerja kasus, .*:\nHalo, saya Mina\.$/) });
  });

  it('sends the caseworker\'s words exactly as written, never as text to translate', async () => {
    const { bot, c, org, worker } = await inCase();
    const words = 'See {{organisation}} and $t(common:choice.yes) <b>here</b>\nSecond line';
    await bot.handoff.reply(worker, c.id, words);
    expect(bot.channel.messages[0]?.text).toBe(`Caseworker, ${org.name}:\n${words}`);
  });

  it('refuses an empty or too long reply, and a reply to a closed case', async () => {
    const { bot, c, worker } = await inCase();
    await expect(bot.handoff.reply(worker, c.id, '   ')).rejects.toMatchObject({ code: 'invalid' });
    await expect(bot.handoff.reply(worker, c.id, 'x'.repeat(4001))).rejects.toMatchObject({ code: 'invalid' });
    await bot.handoff.reply(worker, c.id, 'x'.repeat(4000));
    await bot.send('stop');
    await expect(bot.handoff.reply(worker, c.id, 'Still there?')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('claims a case once; a colleague cannot take it or answer in it', async () => {
    const { bot, c, org, worker } = await inCase();
    const colleague = await addStaff(bot.handoffStore, org);
    expect(await bot.handoff.claim(worker, c.id)).toMatchObject({ status: 'assigned', assignedTo: worker.id });
    expect(await bot.handoff.claim(worker, c.id)).toMatchObject({ assignedTo: worker.id });
    await expect(bot.handoff.claim(colleague, c.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(bot.handoff.reply(colleague, c.id, 'Hi')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('keeps a failed delivery visible on the line, and a later retry marks it delivered', async () => {
    const now = { t: Date.now() };
    const { bot, c, worker } = await inCase('passport', () => now.t);
    const send = jest.spyOn(bot.channel, 'send').mockRejectedValueOnce(new Error('channel unreachable'));
    const line = await bot.handoff.reply(worker, c.id, 'Please call me back.');
    expect(line).toMatchObject({ delivery: 'failed', deliveryError: 'channel unreachable' });
    expect((await bot.handoffStore.listMessages(c.id)).find((m) => m.id === line.id)).toMatchObject({ delivery: 'failed' });
    expect(await bot.handoffStore.undelivered(10)).toEqual([expect.objectContaining({ id: line.id })]);
    expect(bot.events).toContainEqual({ type: 'message.delivery', caseId: c.id, organisationId: c.organisationId, messageId: line.id, state: 'failed' });

    now.t += 1_000;
    expect(await (bot.engine.outbox as PollingOutbox).poll()).toBe(1);
    await bot.settled();
    expect((await bot.handoffStore.listMessages(c.id)).find((m) => m.id === line.id)).toMatchObject({ delivery: 'delivered', deliveryError: null });
    expect(bot.events).toContainEqual({ type: 'message.delivery', caseId: c.id, organisationId: c.organisationId, messageId: line.id, state: 'delivered' });
    expect(bot.channel.messages.map((m) => m.text)).toEqual([expect.stringContaining('Please call me back.')]);
    expect(await bot.handoffStore.undelivered(10)).toEqual([]);
    send.mockRestore();
  });

  it('adds internal notes that never reach the person', async () => {
    const { bot, c, worker } = await inCase();
    const note = await bot.handoff.note(worker, c.id, 'Referred to the labour office contact.');
    expect(note).toMatchObject({ caseId: c.id, userId: worker.id, text: 'Referred to the labour office contact.' });
    expect(bot.channel.messages).toEqual([]);
    expect((await bot.handoff.view(worker, c.id)).notes).toEqual([note]);
  });

  it('closes the case: the person is told in their language and the bot takes over at the menu', async () => {
    const { bot, c, org, worker } = await inCase();
    const closed = await bot.handoff.close(worker, c.id);
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'caseworker' });
    expect(keysOf(bot.channel.messages.slice(0, 1))).toEqual(['handoff:closed']);
    expect(bot.channel.messages[0]?.text).toBe(english('handoff:closed', { organisation: org.name }));
    expect(keysOf(bot.channel.messages.slice(1))).toEqual(['menu:prompt']);
    const record = await bot.record();
    expect(record?.caseId).toBeUndefined();
    expect(record?.flow?.id).toBe('menu');
    // The bot answers again, and the menu's choices work by number.
    expect(keysOf(await bot.send('2'))).toEqual(['menu:topicsFor.abroad']);
    await expect(bot.handoff.close(worker, c.id)).rejects.toMatchObject({ code: 'conflict' });
    expect((await bot.handoffStore.listAudit(20)).map((a) => a.action)).toContain('case.closed');
  });

  it('closes in the person\'s language', async () => {
    const bot = createHandoffBot();
    const worker = await addStaff(bot.handoffStore, await bot.handoff.ensureDefaultOrganisation());
    await bot.send('hi');
    await bot.press('lang.set:vi');
    await bot.press('handoff.offer:other');
    await bot.press('handoff.consent.yes:other');
    const c = (await bot.currentCase())!;
    bot.channel.deliveries.length = 0;
    await bot.handoff.close(worker, c.id);
    expect(bot.channel.messages[0]).toMatchObject({ locale: 'vi', text: expect.stringContaining('đã kết thúc cuộc trò chuyện') });
  });

  it('transfers the case to another organisation, which sees its history and can close it', async () => {
    const { bot, c, org, worker } = await inCase();
    const home = await addOrganisation(bot.handoffStore, 'Philippine Red Cross caseworkers', ['PH']);
    const homeWorker = await addStaff(bot.handoffStore, home);
    await bot.send('I want to go home safely.');
    await bot.handoff.reply(worker, c.id, 'We will ask our colleagues in the Philippines.');
    bot.events.length = 0;

    const moved = await bot.handoff.transfer(worker, c.id, home.id, 'Family in Manila; wants to return home.');
    expect(moved).toMatchObject({ organisationId: home.id, status: 'waiting', assignedTo: null, alertedAt: null });
    expect(bot.events[0]).toEqual({ type: 'case.updated', caseId: c.id, organisationId: home.id, previousOrganisationId: org.id });
    // The person is told who has their conversation now.
    expect(bot.channel.messages.at(-1)?.text).toBe(english('handoff:transferred', { organisation: home.name }));
    // The sender no longer sees it; the receiver sees everything.
    await expect(bot.handoff.view(worker, c.id)).rejects.toMatchObject({ code: 'not-found' });
    const view = await bot.handoff.view(homeWorker, c.id);
    expect(view.organisation.id).toBe(home.id);
    expect(view.transfers).toEqual([expect.objectContaining({ from: org.id, to: home.id, userId: worker.id, note: 'Family in Manila; wants to return home.' })]);
    expect(view.messages.map((m) => m.author)).toEqual(expect.arrayContaining(['bot', 'person', 'caseworker']));
    expect(view.case.consent.text).toBe(c.consent.text);
    expect((await bot.handoff.listCases(homeWorker, { status: 'open' }, 10)).map((x) => x.id)).toEqual([c.id]);
    expect(await bot.handoff.listCases(worker, { status: 'open' }, 10)).toEqual([]);

    await bot.handoff.reply(homeWorker, c.id, 'Hello from the Philippine Red Cross.');
    expect(bot.channel.messages.at(-1)?.text).toBe(`Caseworker, ${home.name}:\nHello from the Philippine Red Cross.`);
    await bot.handoff.close(homeWorker, c.id);
    expect(keysOf(bot.channel.messages.slice(-2))).toEqual(['handoff:closed', 'menu:prompt']);
    const audit = (await bot.handoffStore.listAudit(50)).filter((a) => a.caseId === c.id).map((a) => [a.action, a.userId]);
    expect(audit).toEqual(
      expect.arrayContaining([
        ['case.transferred', worker.id],
        ['case.replied', homeWorker.id],
        ['case.closed', homeWorker.id],
      ]),
    );
  });

  it('cannot transfer to the same or an unknown organisation, nor a closed case', async () => {
    const { bot, c, org, worker } = await inCase();
    await expect(bot.handoff.transfer(worker, c.id, org.id, 'note')).rejects.toMatchObject({ code: 'invalid' });
    await expect(bot.handoff.transfer(worker, c.id, 'nowhere', 'note')).rejects.toMatchObject({ code: 'invalid' });
    await bot.send('stop');
    const other = await addOrganisation(bot.handoffStore, 'Elsewhere', ['SG']);
    await expect(bot.handoff.transfer(worker, c.id, other.id, 'note')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('of another organisation finds no such case, whatever they try', async () => {
    const { bot, c } = await inCase();
    const stranger = await addStaff(bot.handoffStore, await addOrganisation(bot.handoffStore, 'Singapore Red Cross caseworkers', ['SG']));
    const target = await addOrganisation(bot.handoffStore, 'Elsewhere', ['TH']);
    const attempts: Promise<unknown>[] = [
      bot.handoff.view(stranger, c.id),
      bot.handoff.claim(stranger, c.id),
      bot.handoff.reply(stranger, c.id, 'Hello'),
      bot.handoff.note(stranger, c.id, 'A note'),
      bot.handoff.transfer(stranger, c.id, target.id, 'mine now'),
      bot.handoff.close(stranger, c.id),
    ];
    for (const attempt of attempts) {
      await expect(attempt).rejects.toBeInstanceOf(HandoffError);
      await expect(attempt).rejects.toMatchObject({ code: 'not-found' });
    }
    expect(await bot.handoff.listCases(stranger, { status: 'open' }, 10)).toEqual([]);
    expect(await bot.handoffStore.getCase(c.id)).toMatchObject({ status: 'waiting', organisationId: c.organisationId, assignedTo: null });
    expect(bot.channel.messages).toEqual([]);
  });

  it('whose account is disabled can do nothing', async () => {
    const { bot, c, worker } = await inCase();
    await bot.handoffStore.saveUser({ ...worker, disabled: true });
    await expect(bot.handoff.view(worker, c.id)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(bot.handoff.listCases(worker, {}, 10)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('is audited for every action, without any content', async () => {
    const { bot, c, worker } = await inCase();
    await bot.send('Secret words from the person');
    await bot.handoff.view(worker, c.id);
    await bot.handoff.claim(worker, c.id);
    await bot.handoff.reply(worker, c.id, 'Secret words from the caseworker');
    await bot.handoff.note(worker, c.id, 'Secret internal note');
    await bot.handoff.close(worker, c.id);
    const audit = await bot.handoffStore.listAudit(100);
    const mine = audit.filter((a) => a.userId === worker.id);
    expect(mine.map((a) => a.action).reverse()).toEqual(['case.viewed', 'case.claimed', 'case.replied', 'case.noted', 'case.closed']);
    for (const entry of mine) expect(entry).toMatchObject({ caseId: c.id, at: expect.any(Number) });
    expect(JSON.stringify(audit)).not.toMatch(/Secret|caseworker of/);
  });
});

describe('an RFL case', () => {
  const ANSWERS = ['Maria Santos Cruz', '34', 'Al Sadd, Doha', 'March 2024', 'Her phone stopped working', 'I am her sister', '+63 917 123 4567'];

  async function atReview(): Promise<HandoffBot> {
    const bot = createHandoffBot();
    await placeIn(bot, 'QA', 'PH');
    await bot.press('flow.start:rfl');
    await bot.press('nav.next');
    await bot.press('rfl.consent');
    for (const answer of ANSWERS) await bot.send(answer);
    return bot;
  }

  it('is offered when the person sends the request, with the explanation that names the tracing details', async () => {
    const bot = await atReview();
    const replies = await bot.press('handoff.offer:rfl');
    expect(keysOf(replies)).toEqual(['handoff:consent.explainRfl']);
    expect(replies[0]?.text).toContain('your answers above');
    expect(await bot.handoffStore.openCaseOf(bot.key)).toBeNull();
  });

  it('carries the tracing request, encrypted at rest, and the conversation keeps no copy', async () => {
    const bot = await atReview();
    await bot.press('handoff.offer:rfl');
    const replies = await bot.press('handoff.consent.yes:rfl');
    expect(keysOf(replies)).toEqual(['handoff:opened', 'common:emergency.single']);
    const c = (await bot.currentCase())!;
    expect(c.category).toBe('rfl');
    expect(c.consent.version).toBe('handoff:consent.explainRfl');
    expect(c.tracing).toEqual({
      sought: { fullName: 'Maria Santos Cruz', ageOrBirthDate: '34', lastPlace: 'Al Sadd, Doha', lastContact: 'March 2024', circumstances: 'Her phone stopped working' },
      enquirer: { relationship: 'I am her sister', contact: '+63 917 123 4567' },
      consent: { given: true, key: 'rfl:consent' },
      countries: { current: 'QA', origin: 'PH' },
      locale: 'en',
    });
    expect(bot.handoffStore.dump()).not.toContain('Maria');
    expect(JSON.stringify(await bot.record())).not.toContain('Maria');
    expect(await bot.store.listSubmissions({}, 10)).toEqual([]);
  });

  it('goes back to the summary on no, with the answers still there to send later', async () => {
    const bot = await atReview();
    await bot.press('handoff.offer:rfl');
    const replies = await bot.press('handoff.consent.no');
    expect(keysOf(replies)).toEqual(['handoff:declined', 'rfl:summary.sought', 'rfl:summary.enquirer', 'rfl:confirm']);
    expect(await bot.handoffStore.openCaseOf(bot.key)).toBeNull();
    await bot.press('handoff.offer:rfl');
    await bot.press('handoff.consent.yes:rfl');
    expect((await bot.currentCase())?.tracing).toMatchObject({ sought: { fullName: 'Maria Santos Cruz' } });
  });

  it('is erased with the tracing details when the person deletes their data', async () => {
    const bot = await atReview();
    await bot.press('handoff.offer:rfl');
    await bot.press('handoff.consent.yes:rfl');
    const c = (await bot.currentCase())!;
    await bot.send('delete my data');
    await bot.press('data.erase.confirm');
    expect(await bot.handoffStore.getCase(c.id)).toBeNull();
    expect(await bot.handoffStore.listMessages(c.id)).toEqual([]);
    expect(bot.handoffStore.dump()).not.toMatch(/Maria|917|gcm1:/);
  });
});
