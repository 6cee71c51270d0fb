import { Writable } from 'node:stream';
import { english } from '../../support';
import { GRAPH_ERRORS, GRAPH_VERSION } from './fake-graph-api';
import { SETTINGS, shown, startCloud, type CloudHarness } from './harness';
import { WABA_ID, buttonReply, image, listReply, payload, signature, text, type Sender } from './payloads';
import { WEBHOOK_BODY_LIMIT } from '../../../src/channels/whatsapp-cloud/routes';

/** A Qatari number: its calling code names no language of the bot, so the bot speaks English. */
const SITA: Sender = { waId: '97455512345', name: 'Sita Kumari' };
const conversation = `whatsapp-cloud:${SITA.waId}`;

let h: CloudHarness;

afterEach(async () => {
  await h.close();
});

describe('with the app running', () => {
  beforeEach(async () => {
    h = await startCloud();
  });

  describe('verification', () => {
    const verify = (query: Record<string, string>) => fetch(`${h.server.url}/whatsapp/webhook?${new URLSearchParams(query).toString()}`);

    test("Meta's handshake is answered with the challenge, as plain text", async () => {
      const res = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': SETTINGS.verifyToken, 'hub.challenge': '1158201444' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('1158201444');
    });

    test.each([
      ['a wrong verify token', { 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' }],
      ['no verify token', { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444' }],
      ['another mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': SETTINGS.verifyToken, 'hub.challenge': '1158201444' }],
    ])('%s is refused with 403, and the challenge is not echoed', async (_name, query) => {
      const res = await verify(query);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('1158201444');
    });

    test('a request without the query is refused with 403', async () => {
      const res = await fetch(`${h.server.url}/whatsapp/webhook`);
      expect(res.status).toBe(403);
      await res.arrayBuffer();
    });

    test('a challenge that is not a plain token is refused with 400', async () => {
      const res = await verify({ 'hub.mode': 'subscribe', 'hub.verify_token': SETTINGS.verifyToken, 'hub.challenge': '<script>' });
      expect(res.status).toBe(400);
      await res.arrayBuffer();
    });
  });

  test('a whole conversation: reply buttons, list rows, and every request made as Graph expects', async () => {
    const hi = await h.send(SITA, text('hi'));
    expect(shown(hi[0]!)).toEqual({ text: english('common:welcome', { language: 'English' }), choices: ['cmd.language'] });
    expect(hi[0]).toMatchObject({ type: 'interactive', interactive: { type: 'button' } });

    const menu = await h.send(SITA, text('menu'));
    const list = menu.find((b) => (b.interactive as { type?: string } | undefined)?.type === 'list');
    expect(list).toBeDefined();
    expect(shown(list!).text).toBe(english('menu:prompt'));
    expect(shown(list!).choices).toContain('menu.audience:preparing');
    expect(list!.interactive).toMatchObject({ action: { button: english('whatsapp:listButton') } });

    const topics = await h.send(SITA, listReply('menu.audience:preparing', 'I am going abroad'));
    expect(topics.flatMap((b) => shown(b).choices)).toContain('topic.open:packing');
    expect(topics.at(-1)).toMatchObject({ interactive: { type: 'list' } });

    const intro = await h.send(SITA, listReply('topic.open:packing', 'What to pack'));
    expect(intro.map(shown)).toEqual([{ text: english('packing:intro', { total: 8 }), choices: ['answer.yes', 'cmd.menu'] }]);
    expect(intro[0]).toMatchObject({
      interactive: {
        type: 'button',
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'answer.yes', title: english('common:choice.yes') } },
            { type: 'reply', reply: { id: 'cmd.menu', title: expect.any(String) } },
          ],
        },
      },
    });

    const first = await h.send(SITA, buttonReply('answer.yes', 'Yes'));
    expect(first.map((b) => shown(b).text)).toEqual([english('packing:documents', { step: 1, total: 8 })]);
    expect(shown(first[0]!).choices).toContain('nav.next');

    const second = await h.send(SITA, buttonReply('nav.next', 'Next'));
    expect(second.map((b) => shown(b).text)).toEqual([english('packing:copies', { step: 2, total: 8 })]);

    for (const call of h.graph.calls) {
      expect(call.method).toBe('POST');
      expect(call.path).toBe(`/${GRAPH_VERSION}/${SETTINGS.phoneNumberId}/messages`);
      expect(call.authorization).toBe(`Bearer ${SETTINGS.token}`);
      expect(call.body).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', to: SITA.waId });
      for (const row of (call.body.interactive as { action?: { sections?: { rows: { title: string }[] }[] } } | undefined)?.action?.sections?.[0]?.rows ?? []) {
        expect([...row.title].length).toBeLessThanOrEqual(24);
      }
    }
    // Every send is recorded as accepted, against the wamid Graph gave it.
    for (const call of h.graph.calls) {
      expect(await h.server.app.store.getDelivery('whatsapp-cloud', call.wamid!)).toMatchObject({
        state: 'accepted',
        conversationKey: conversation,
        userId: SITA.waId,
      });
    }
  });

  test('a photo or a voice note is answered with a request to type', async () => {
    await h.send(SITA, text('hi'));
    const replies = await h.send(SITA, image());
    expect(shown(replies[0]!).text).toBe(english('common:textOnly'));
  });

  describe('signatures', () => {
    const hello = () => payload(SETTINGS.phoneNumberId, { messages: [{ from: SITA, id: 'wamid.FORGED1', at: h.now(), content: text('hi') }] });

    test.each<[string, (raw: string) => string | null]>([
      ['no signature', () => null],
      ['a wrong signature', (raw) => signature(raw, SETTINGS.appSecret).replace(/.$/, (c) => (c === '0' ? '1' : '0'))],
      ['a signature made with another secret', (raw) => signature(raw, 'not-the-app-secret')],
      ['a signature of the wrong length', (raw) => signature(raw, SETTINGS.appSecret).slice(0, -4)],
      ['a signature of other bytes', (raw) => signature(`${raw} `, SETTINGS.appSecret)],
    ])('%s gets 401, and nothing is sent or stored', async (_name, sign) => {
      const raw = JSON.stringify(hello());
      const res = await h.post(raw, { signature: sign(raw) });
      expect(res.status).toBe(401);
      await h.channel.idle();
      expect(h.graph.calls).toEqual([]);
      expect(await h.server.app.store.getConversation(conversation)).toBeNull();
      expect(await h.server.app.store.getReference(conversation)).toBeNull();
    });

    test('an unsigned body that is not even JSON gets 401 too, not a parse error', async () => {
      expect((await h.post('not json', { signature: null, contentType: 'text/plain' })).status).toBe(401);
    });

    const messageWithoutSender = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WABA_ID,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: SETTINGS.phoneNumberId },
                messages: [{ id: 'wamid.X', timestamp: '1750000000', type: 'text', text: { body: 'hi' } }],
              },
            },
          ],
        },
      ],
    };
    test.each([
      { name: 'not a WhatsApp payload', raw: JSON.stringify({ object: 'page', entry: [] }), status: 400, code: 'invalid_payload' },
      { name: 'a message without a sender', raw: JSON.stringify(messageWithoutSender), status: 400, code: 'invalid_payload' },
      { name: 'not JSON', raw: '{"object":', status: 400, code: 'invalid_json' },
      { name: 'not UTF-8', raw: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), status: 400, code: 'invalid_utf8' },
      {
        name: 'not sent as JSON',
        raw: JSON.stringify({ object: 'whatsapp_business_account', entry: [] }),
        contentType: 'text/plain',
        status: 415,
        code: 'unsupported_media_type',
      },
    ])('a well-signed body that is $name is refused with $status, and nothing is done', async ({ raw, contentType, status, code }) => {
      const res = await h.post(raw, { signature: signature(raw, SETTINGS.appSecret), contentType });
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ error: { code } });
      await h.channel.idle();
      expect(h.graph.calls).toEqual([]);
    });

    test('a body over the webhook limit (3 MB, as Meta batches) is refused with 413 before anything reads it', async () => {
      const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [], padding: 'x'.repeat(WEBHOOK_BODY_LIMIT) });
      const res = await h.post(raw, { signature: signature(raw, SETTINGS.appSecret) });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ error: { code: 'too_large' } });
    });

    test('a batch larger than the server limit (HTTP_BODY_LIMIT) but within 3 MB is read and answered', async () => {
      const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [], padding: 'x'.repeat(200_000) });
      const res = await h.post(raw, { signature: signature(raw, SETTINGS.appSecret) });
      expect(res.status).toBe(200);
    });

    test('a payload that fails the schema says where', async () => {
      const res = await h.post({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: {} } }] }] });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_payload', issues: [expect.stringContaining('entry.0.changes.0.value.metadata.phone_number_id')] } });
    });
  });

  describe('Meta delivering the same message more than once', () => {
    test('a repeated message id gets one reply', async () => {
      const body = payload(SETTINGS.phoneNumberId, { messages: [{ from: SITA, id: 'wamid.ONCE', at: h.now(), content: text('hi') }] });
      await h.deliver(body);
      const once = h.graph.calls.length;
      expect(once).toBeGreaterThan(0);
      await h.deliver(body);
      expect(h.graph.calls).toHaveLength(once);
    });

    test('two copies arriving at once get one reply', async () => {
      await h.send(SITA, text('hi'));
      const before = h.graph.calls.length;
      const body = payload(SETTINGS.phoneNumberId, { messages: [{ from: SITA, id: 'wamid.TWICE', at: h.now(), content: text('menu') }] });
      const answers = await Promise.all([h.post(body), h.post(body), h.post(body)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      await h.channel.idle();
      const menu = h.graph.calls.slice(before).map((c) => shown(c.body).text);
      expect(menu.filter((t) => t === english('menu:prompt'))).toHaveLength(1);
    });
  });

  test('messages for another number of the account are ignored', async () => {
    await h.deliver(payload('999999999999999', { messages: [{ from: SITA, id: 'wamid.OTHER', at: h.now(), content: text('hi') }] }));
    expect(h.graph.calls).toEqual([]);
    expect(await h.server.app.store.getConversation(conversation)).toBeNull();
  });

  test('changes of other fields (a template review) are accepted and left alone', async () => {
    const review = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1, message_template_name: 'reply_waiting', message_template_language: 'en' } }] }],
    };
    expect((await h.post(review)).status).toBe(200);
    await h.channel.idle();
    expect(h.graph.calls).toEqual([]);
  });

  describe('delivery statuses', () => {
    test('are recorded against the sent message and never move back', async () => {
      await h.send(SITA, text('hi'));
      const wamid = h.graph.calls[0]!.wamid!;
      await h.status({ id: wamid, status: 'sent', recipient: SITA.waId });
      expect(await h.server.app.store.getDelivery('whatsapp-cloud', wamid)).toMatchObject({ state: 'sent' });
      await h.status({ id: wamid, status: 'read', recipient: SITA.waId });
      await h.status({ id: wamid, status: 'delivered', recipient: SITA.waId });
      expect(await h.server.app.store.getDelivery('whatsapp-cloud', wamid)).toMatchObject({ state: 'read' });
    });

    test('a status Meta adds later is accepted and ignored', async () => {
      await h.send(SITA, text('hi'));
      const wamid = h.graph.calls[0]!.wamid!;
      await h.status({ id: wamid, status: 'played', recipient: SITA.waId });
      expect(await h.server.app.store.getDelivery('whatsapp-cloud', wamid)).toMatchObject({ state: 'accepted' });
    });

    test('a status for someone the bot does not know (erased) brings no record back', async () => {
      await h.status({ id: 'wamid.UNKNOWN', status: 'delivered', recipient: '6591234567' });
      expect(await h.server.app.store.getDelivery('whatsapp-cloud', 'wamid.UNKNOWN')).toBeNull();
      expect(await h.server.app.store.getReference('whatsapp-cloud:6591234567')).toBeNull();
    });
  });
});

describe('sending', () => {
  beforeEach(async () => {
    h = await startCloud();
  });

  test('a 500 from Graph is retried, and the reply is delivered', async () => {
    h.graph.queue(GRAPH_ERRORS.serverError);
    const replies = await h.send(SITA, text('hi'));
    expect(replies[0]).toEqual(replies[1]);
    expect(h.graph.calls[0]!.wamid).toBeNull();
    expect(h.graph.calls[1]!.wamid).not.toBeNull();
    // Delivered, so deleted (WhatsApp keeps the chat): unlike a reply still failing, below, none stays in the outbox.
    expect(await h.server.app.store.outboxSince(conversation, 0, 100)).toEqual([]);
    expect(await h.server.app.store.pendingOutbox(10)).toEqual([]);
  });

  test('a send still failing after the retries throws, and the replies stay in the outbox', async () => {
    h.graph.queue(GRAPH_ERRORS.rateLimited, GRAPH_ERRORS.rateLimited, GRAPH_ERRORS.serverError);
    await h.send(SITA, text('hi'));
    expect(h.graph.calls).toHaveLength(3);
    expect(h.graph.sent).toEqual([]);
    const outbox = await h.server.app.store.outboxSince(conversation, 0, 100);
    expect(outbox.length).toBeGreaterThan(0);
    expect(outbox.every((e) => e.deliveredAt === null)).toBe(true);
  });
});

describe('logs', () => {
  test('name events and error codes, never a phone number, a name or what anyone wrote', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    h = await startCloud({ log: { level: 'info', destination } });
    await h.send(SITA, text('my passport was taken'));
    const wamid = h.graph.calls[0]!.wamid!;
    await h.status({ id: wamid, status: 'failed', recipient: SITA.waId, errors: [{ code: 131026, title: 'Message undeliverable' }] });
    await h.post(payload(SETTINGS.phoneNumberId, { messages: [{ from: SITA, id: 'wamid.BAD', at: h.now(), content: text('secret words') }] }), { signature: null });
    await h.deliver(payload('999999999999999', { messages: [{ from: SITA, id: 'wamid.ELSEWHERE', at: h.now(), content: text('secret words') }] }));

    expect(await h.server.app.store.getDelivery('whatsapp-cloud', wamid)).toMatchObject({
      state: 'failed',
      errorCode: 131026,
      errorTitle: 'Message undeliverable',
    });
    expect(lines).toContainEqual(expect.objectContaining({ event: 'whatsapp-cloud-status-failed', code: 131026 }));
    expect(lines.map((l) => l.event)).toEqual(
      expect.arrayContaining(['whatsapp-cloud-webhook-refused', 'whatsapp-cloud-other-number', 'turn']),
    );
    expect(lines).toContainEqual(expect.objectContaining({ event: 'channels', 'whatsapp-cloud': 'on' }));
    const all = JSON.stringify(lines);
    for (const secret of [SITA.waId, SITA.name, 'passport', 'secret words', SETTINGS.token, SETTINGS.appSecret]) {
      expect(all).not.toContain(secret);
    }
  });
});
