import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { opsRoutes, type ReadinessDeps } from '../../src/observability/routes';
import { FakeBotApi } from '../channels/telegram/fake-bot-api';
import { startWithFakeClient } from '../channels/whatsapp-web/harness';
import { until } from '../channels/whatsapp-web/fake-client';
import { eventually } from '../support/outbox';
import { TEST_REDIS_URL, connectTestRedis, deleteUnder, describeWithRedis, uniquePrefix } from '../support/redis';
import { getJson, postJson, startApp, tempDatabase, type RunningApp, type TempDatabase } from '../support/server';

let db: TempDatabase;
let server: RunningApp | null;

beforeEach(() => {
  db = tempDatabase();
  server = null;
});

afterEach(async () => {
  await server?.close();
  db.remove();
});

const say = (url: string, conversationId: string, fields: { text?: string; payload?: string }, messageId: string = randomUUID()) =>
  postJson(`${url}/api/webchat/messages`, { conversationId, messageId, locale: 'en-GB', ...fields });

/** One sample of a metric in the text format: its value, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function metrics(url: string, token?: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${url}/metrics`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe('GET /readyz', () => {
  it('is 200 when the database answers, naming each check', async () => {
    server = await startApp(db.path);
    const res = await getJson(`${server.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', channels: { webchat: 'ok' } } });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('is 503 when the database does not answer, and /healthz stays 200', async () => {
    server = await startApp(db.path);
    await server.app.store.close();

    const res = await getJson(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: 'unready', checks: { database: 'unavailable', channels: { webchat: 'ok' } } });
    expect((await getJson(`${server.url}/healthz`)).status).toBe(200);
  });

  it('shows a WhatsApp Web number waiting for its QR scan, and stays ready', async () => {
    const h = await startWithFakeClient({ script: 'qr' });
    try {
      await until(() => h.client.history.some((e) => e.kind === 'emit' && e.event === 'qr'));
      const res = await getJson(`${h.server.url}/readyz`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ready', checks: { channels: { webchat: 'ok', 'whatsapp-web': 'qr' } } });
    } finally {
      await h.close();
    }
  });

  describe('its answers', () => {
    async function ask(deps: Partial<ReadinessDeps>) {
      const app = Fastify();
      await app.register(
        opsRoutes({
          registry: new Registry(),
          readiness: {
            database: async () => undefined,
            channels: () => ({ telegram: 'ok' }),
            stopping: () => false,
            timeoutMs: 50,
            ...deps,
          },
        }),
      );
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const res = await getJson(`${url}/readyz`);
        return { status: res.status, body: res.body };
      } finally {
        await app.close();
      }
    }

    it('is 503 while the instance stops, whatever the checks say', async () => {
      expect(await ask({ stopping: () => true })).toEqual({
        status: 503,
        body: { status: 'stopping', checks: { database: 'ok', channels: { telegram: 'ok' } } },
      });
    });

    it('checks Redis when there is one: 503 when it fails or does not answer in time', async () => {
      expect((await ask({ redis: async () => 'PONG' })).body).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
      expect(await ask({ redis: () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:6379')) })).toEqual({
        status: 503,
        body: { status: 'unready', checks: { database: 'ok', redis: 'unavailable', channels: { telegram: 'ok' } } },
      });
      expect((await ask({ database: () => new Promise(() => undefined) })).body).toMatchObject({
        status: 'unready',
        checks: { database: 'timeout' },
      });
    });

    it('reports a channel that is not connected without making the instance unready', async () => {
      expect(await ask({ channels: () => ({ 'whatsapp-web': 'disconnected' }) })).toMatchObject({
        status: 200,
        body: { checks: { channels: { 'whatsapp-web': 'disconnected' } } },
      });
    });
  });
});

describe('GET /metrics', () => {
  it('counts turns, their latency and deliveries, and reads the outbox and open cases when scraped', async () => {
    server = await startApp(db.path);
    const person = 'metrics-person';
    const first = await say(server.url, person, { text: 'hi' }, 'message-1');
    await say(server.url, person, { text: 'hi' }, 'message-1');
    // Into a case: the passport topic, a person, yes.
    for (const payload of ['flow.start:passport', 'handoff.offer:passport', 'handoff.consent.yes:passport']) {
      await say(server.url, person, { payload });
    }
    const replies = (await server.app.store.outboxSince(`webchat:${person}`, 0, 100)).length;
    expect((first.body as { replies: unknown[] }).replies.length).toBeGreaterThan(0);

    const { status, type, text } = await metrics(server.url);

    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(text, 'vv_turns_total{channel="webchat",outcome="processed"}')).toBe(4);
    expect(sample(text, 'vv_turns_total{channel="webchat",outcome="duplicate"}')).toBe(1);
    expect(sample(text, 'vv_turn_duration_seconds_count{channel="webchat"}')).toBe(5);
    expect(sample(text, 'vv_turn_duration_seconds_sum{channel="webchat"}')).toBeGreaterThan(0);
    expect(sample(text, 'vv_turn_duration_seconds_bucket{le="+Inf",channel="webchat"}')).toBe(5);
    expect(sample(text, 'vv_deliveries_total{channel="webchat"}')).toBe(replies);
    expect(sample(text, 'vv_outbox_pending{channel="webchat"}')).toBe(0);
    expect(sample(text, 'vv_outbox_oldest_pending_age_seconds{channel="webchat"}')).toBe(0);
    expect(sample(text, 'vv_cases_open{priority="normal"}')).toBe(1);
    expect(sample(text, 'vv_cases_open{priority="urgent"}')).toBe(0);
    // Nothing about the person: no conversation id, no text.
    expect(text).not.toContain(person);
  });

  it('counts failed deliveries, and shows the replies waiting and the age of the oldest', async () => {
    const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
    const api = new FakeBotApi(TOKEN);
    await api.start();
    let now = Date.now();
    try {
      server = await startApp(db.path, {
        env: {
          TELEGRAM_BOT_TOKEN: TOKEN,
          TELEGRAM_WEBHOOK_SECRET: 'webhook-secret_42',
          TELEGRAM_BOT_USERNAME: 'vv_test_bot',
          TELEGRAM_API_ROOT: api.url,
          TELEGRAM_SET_COMMANDS: 'false',
        },
        app: { clock: () => now },
      });
      api.queue('sendMessage', { ok: false, error_code: 400, description: 'Bad Request: chat not found' });
      const person = { id: 42, is_bot: false, first_name: 'Sita', language_code: 'en' };
      const update = { update_id: 1, message: { message_id: 1, from: person, chat: { id: 42, type: 'private' }, date: 1, text: 'hi' } };
      const res = await fetch(`${server.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'webhook-secret_42' },
        body: JSON.stringify(update),
      });
      expect(res.status).toBe(200);
      // Answered once saved: the first attempt (which fails) comes after.
      await server.app.engine.idle();
      const waiting = (await server.app.store.pendingOutbox(10)).length;
      expect(waiting).toBeGreaterThan(0);
      now += 5_000;

      const { text } = await metrics(server.url);
      expect(sample(text, 'vv_delivery_failures_total{channel="telegram"}')).toBe(1);
      expect(sample(text, 'vv_outbox_pending{channel="telegram"}')).toBe(waiting);
      expect(sample(text, 'vv_outbox_oldest_pending_age_seconds{channel="telegram"}')).toBe(5);
      expect(sample(text, 'vv_outbox_pending{channel="webchat"}')).toBe(0);

      // The retry after its back-off goes through: nothing waits any more.
      await eventually(async () => (await server!.app.store.pendingOutbox(10)).length === 0);
      const after = await metrics(server.url);
      expect(sample(after.text, 'vv_deliveries_total{channel="telegram"}')).toBe(waiting);
      expect(sample(after.text, 'vv_outbox_pending{channel="telegram"}')).toBe(0);
    } finally {
      await server?.close();
      server = null;
      await api.stop();
    }
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    const token = 'metrics-token-0123456789abcdef';
    server = await startApp(db.path, { env: { METRICS_TOKEN: token } });

    expect((await metrics(server.url)).status).toBe(401);
    expect((await metrics(server.url, 'wrong-token-0123456789abcdef')).status).toBe(401);
    const allowed = await metrics(server.url, token);
    expect(allowed.status).toBe(200);
    expect(allowed.text).toContain('# TYPE vv_turns_total counter');
  });
});

describeWithRedis('readiness and delivery with Redis', () => {
  it('checks Redis, and sends the replies through the queue', async () => {
    const prefix = uniquePrefix('ops');
    const admin = connectTestRedis();
    const TOKEN = '7000000001:AAH-fake-token-for-tests_0123456789';
    const api = new FakeBotApi(TOKEN);
    await api.start();
    try {
      server = await startApp(db.path, {
        env: {
          REDIS_URL: TEST_REDIS_URL,
          REDIS_KEY_PREFIX: prefix,
          TELEGRAM_BOT_TOKEN: TOKEN,
          TELEGRAM_WEBHOOK_SECRET: 'webhook-secret_42',
          TELEGRAM_BOT_USERNAME: 'vv_test_bot',
          TELEGRAM_API_ROOT: api.url,
          TELEGRAM_SET_COMMANDS: 'false',
        },
      });
      const ready = await getJson(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ checks: { database: 'ok', redis: 'ok', channels: { webchat: 'ok', telegram: 'ok' } } });

      // The rows as they were delivered: Telegram keeps the chat, so the outbox keeps none of them afterwards.
      const delivered: string[] = [];
      server.app.engine.onDelivery((entries, outcome) => {
        if (outcome.ok) delivered.push(...entries.map((e) => (e.message as { text: string }).text));
      });
      const person = { id: 43, is_bot: false, first_name: 'Sita', language_code: 'en' };
      const update = { update_id: 2, message: { message_id: 2, from: person, chat: { id: 43, type: 'private' }, date: 1, text: 'hi' } };
      await fetch(`${server.url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'webhook-secret_42' },
        body: JSON.stringify(update),
      });
      expect(await server.app.store.repliesTo('telegram:43', 'u2')).not.toBeNull();
      await eventually(async () => (await server!.app.store.pendingOutbox(10)).length === 0);
      await eventually(() => delivered.length > 0 && api.callsTo('sendMessage').length === delivered.length);
      expect(api.callsTo('sendMessage').map((c) => c.body.text)).toEqual(delivered);
      expect(await server.app.store.outboxSince('telegram:43', 0, 10)).toEqual([]);
    } finally {
      await server?.close();
      server = null;
      await api.stop();
      await deleteUnder(admin, prefix);
      await admin.quit();
    }
  });
});
