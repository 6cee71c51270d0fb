import type { OutboundMessage } from '../../../src/conversation/channel';
import type { ConversationRef } from '../../../src/conversation/record';
import { english } from '../../support';
import { GRAPH_ERRORS } from './fake-graph-api';
import { SETTINGS, shown, startCloud, type CloudHarness } from './harness';
import { buttonReply, listReply, payload, text, type Sender } from './payloads';

const HOUR = 60 * 60 * 1000;
const SITA: Sender = { waId: '97455512345', name: 'Sita' };
const ref = (person: Sender): ConversationRef => ({ channel: 'whatsapp-cloud', conversationId: person.waId, userId: person.waId });
/** A message written to the person later, as a caseworker's reply would be sent. */
const note = (body: string, locale = 'en'): OutboundMessage => ({ text: body, locale, dir: 'ltr' });

let h: CloudHarness;

afterEach(async () => {
  await h.close();
});

const template = (code: string) => ({
  messaging_product: 'whatsapp',
  recipient_type: 'individual',
  type: 'template',
  template: { name: 'reply_waiting', language: { code } },
});
const waiting = async (person: Sender) =>
  ((await h.server.app.store.getReference(`whatsapp-cloud:${person.waId}`)) as { waiting: OutboundMessage[] } | null)?.waiting.map((m) => m.text);

describe('with the default settings', () => {
  beforeEach(async () => {
    h = await startCloud();
  });

  test('inside the 24 hours a message goes out as it is', async () => {
    await h.send(SITA, text('hi'));
    h.advance(23 * HOUR);
    const before = h.graph.calls.length;
    await h.channel.send(ref(SITA), [note('A caseworker has read your message.')]);
    expect(h.graph.sent.slice(before)).toEqual([expect.objectContaining({ type: 'text', text: { body: 'A caseworker has read your message.' } })]);
  });

  test('past the 24 hours the template goes out instead, once; the held messages follow the next message, before the reply to it', async () => {
    await h.send(SITA, text('hi'));
    h.advance(25 * HOUR);
    const before = h.graph.calls.length;

    await h.channel.send(ref(SITA), [note('A caseworker has answered you.')]);
    expect(h.graph.sent.slice(before)).toEqual([expect.objectContaining({ ...template('en'), to: SITA.waId })]);
    const templateId = h.graph.calls.at(-1)!.wamid!;
    expect(await h.server.app.store.getDelivery('whatsapp-cloud', templateId)).toMatchObject({ state: 'accepted' });

    // More while the window is still closed: held too, and no second template.
    h.advance(HOUR);
    await h.channel.send(ref(SITA), [note('Here is the number to call.')]);
    expect(h.graph.calls.length).toBe(before + 1);
    expect(await waiting(SITA)).toEqual(['A caseworker has answered you.', 'Here is the number to call.']);

    const replies = await h.send(SITA, text('menu'));
    expect(replies.map((r) => shown(r).text)).toEqual(['A caseworker has answered you.', 'Here is the number to call.', english('menu:prompt')]);
    expect(await waiting(SITA)).toEqual([]);

    // The window is open again: the next message goes straight out.
    const after = h.graph.calls.length;
    await h.channel.send(ref(SITA), [note('One more thing.')]);
    expect(h.graph.sent.slice(after).map((b) => b.type)).toEqual(['text']);
  });

  test('when the window closes again, a new template is due', async () => {
    await h.send(SITA, text('hi'));
    h.advance(25 * HOUR);
    await h.channel.send(ref(SITA), [note('First.')]);
    await h.send(SITA, text('ok'));
    h.advance(25 * HOUR);
    const before = h.graph.calls.length;
    await h.channel.send(ref(SITA), [note('Second.')]);
    expect(h.graph.sent.slice(before)).toEqual([expect.objectContaining(template('en'))]);
  });

  test('the bot’s own replies are held the same way, choices and all, when a message arrives a day late', async () => {
    await h.send(SITA, text('hi'));
    h.advance(25 * HOUR);
    // Meta delivers, late, a message sent before the window closed: answered, but the answer must wait.
    const sentAt = h.now() - 24.5 * HOUR;
    const before = h.graph.calls.length;
    await h.deliver(payload(SETTINGS.phoneNumberId, { messages: [{ from: SITA, id: 'wamid.LATE', at: sentAt, content: text('menu') }] }));
    expect(h.graph.sent.slice(before)).toEqual([expect.objectContaining(template('en'))]);
    const held = (await h.server.app.store.getReference(`whatsapp-cloud:${SITA.waId}`)) as { waiting: OutboundMessage[] };
    expect(held.waiting).toEqual([expect.objectContaining({ text: english('menu:prompt'), buttons: expect.any(Array) })]);

    const replies = await h.send(SITA, listReply('menu.audience:preparing'));
    expect(shown(replies[0]!)).toEqual({ text: english('menu:prompt'), choices: expect.arrayContaining(['menu.audience:preparing']) });
    expect(replies.slice(1).flatMap((r) => shown(r).choices)).toContain('topic.open:packing');
  });

  test('the template is in the person’s language where WhatsApp has one, else the fallback', async () => {
    const filipino: Sender = { waId: '639171234567', name: 'Maria' };
    const nepali: Sender = { waId: '9779812345678', name: 'Ram' };
    await h.send(filipino, text('hi'));
    await h.send(nepali, text('hi'));
    h.advance(25 * HOUR);
    const before = h.graph.calls.length;
    await h.channel.send(ref(filipino), [note('Mayroong sagot.', 'fil')]);
    await h.channel.send(ref(nepali), [note('जवाफ आएको छ।', 'ne')]);
    expect(h.graph.sent.slice(before)).toEqual([
      expect.objectContaining({ ...template('fil'), to: filipino.waId }),
      expect.objectContaining({ ...template('en'), to: nepali.waId }),
    ]);
  });

  test('a re-engagement error inside what looked like the window holds the message and sends the template', async () => {
    await h.send(SITA, text('hi'));
    h.graph.queue(GRAPH_ERRORS.reengagement);
    const before = h.graph.calls.length;
    await h.channel.send(ref(SITA), [note('Are you safe?'), note('Reply when you can.')]);
    expect(h.graph.calls.slice(before).map((c) => c.body.type)).toEqual(['text', 'template']);
    expect(await waiting(SITA)).toEqual(['Are you safe?', 'Reply when you can.']);

    const replies = await h.send(SITA, text('yes'));
    expect(replies.slice(0, 2).map((r) => shown(r).text)).toEqual(['Are you safe?', 'Reply when you can.']);
  });

  test('a template that fails is logged and tried again with the next message; nothing is lost', async () => {
    await h.send(SITA, text('hi'));
    h.advance(25 * HOUR);
    h.graph.queue(GRAPH_ERRORS.templateMissing);
    await h.channel.send(ref(SITA), [note('First.')]);
    expect(h.graph.sent.filter((b) => b.type === 'template')).toEqual([]);
    await h.channel.send(ref(SITA), [note('Second.')]);
    expect(h.graph.sent.filter((b) => b.type === 'template')).toHaveLength(1);
    expect(await waiting(SITA)).toEqual(['First.', 'Second.']);
  });

  test('held messages that cannot be delivered stay held, and the person’s message is answered anyway', async () => {
    await h.send(SITA, text('hi'));
    h.advance(25 * HOUR);
    await h.channel.send(ref(SITA), [note('Held.')]);
    // Enough failures to use up the retries of the held message's send.
    h.graph.queue(GRAPH_ERRORS.serverError, GRAPH_ERRORS.serverError, GRAPH_ERRORS.serverError);
    const before = h.graph.sent.length;
    await h.send(SITA, text('menu'));
    expect(h.graph.sent.slice(before).map((b) => shown(b).text)).toEqual([english('menu:prompt')]);
    expect(await waiting(SITA)).toEqual(['Held.']);

    const replies = await h.send(SITA, text('menu'));
    expect(replies.map((r) => shown(r).text)).toEqual(['Held.', english('menu:prompt')]);
  });

  test('a person who asks to delete their data gets the goodbye, and nothing about them is kept', async () => {
    await h.send(SITA, text('hi'));
    await h.send(SITA, text('delete my data'));
    const goodbye = await h.send(SITA, buttonReply('data.erase.confirm'));
    expect(goodbye.map((r) => shown(r).text)).toContain(english('privacy:erased'));
    const key = `whatsapp-cloud:${SITA.waId}`;
    expect(await h.server.app.store.getConversation(key)).toBeNull();
    expect(await h.server.app.store.getReference(key)).toBeNull();
    const last = h.graph.calls.at(-1)!.wamid!;
    expect(await h.server.app.store.getDelivery('whatsapp-cloud', last)).toBeNull();
    await h.status({ id: last, status: 'delivered', recipient: SITA.waId });
    expect(await h.server.app.store.getDelivery('whatsapp-cloud', last)).toBeNull();
  });
});

test('the template languages and the fallback can be set', async () => {
  h = await startCloud({ env: { WHATSAPP_CLOUD_TEMPLATE_LANGUAGES: 'ne=ne,en=en_US', WHATSAPP_CLOUD_TEMPLATE_FALLBACK_LANGUAGE: 'en_GB', WHATSAPP_CLOUD_TEMPLATE_NAME: 'vv_reply_waiting' } });
  const people: [Sender, string][] = [
    [{ waId: '9779812345678', name: 'Ram' }, 'ne'],
    [{ waId: '97455512345', name: 'Sita' }, 'en'],
    [{ waId: '94771234567', name: 'Nimal' }, 'si'],
  ];
  for (const [person] of people) await h.send(person, text('hi'));
  h.advance(25 * HOUR);
  const before = h.graph.calls.length;
  for (const [person, locale] of people) await h.channel.send(ref(person), [note('…', locale)]);
  expect(h.graph.sent.slice(before).map((b) => b.template)).toEqual([
    { name: 'vv_reply_waiting', language: { code: 'ne' } },
    { name: 'vv_reply_waiting', language: { code: 'en_US' } },
    { name: 'vv_reply_waiting', language: { code: 'en_GB' } },
  ]);
});
