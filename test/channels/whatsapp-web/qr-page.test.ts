import { qrMatrix } from '../../../src/channels/whatsapp-web/qr-svg';
import { FAKE_QR, until } from './fake-client';
import { ADMIN_TOKEN, startWithFakeClient, type Harness } from './harness';

let h: Harness;

beforeEach(async () => {
  // A long back-off, so that the page can be read while disconnected.
  h = await startWithFakeClient({ script: 'qr', timing: { reconnectBaseMs: 30_000, reconnectMaxMs: 60_000 } });
  await until(() => h.logs.some((l) => l.event === 'whatsapp-web-qr'));
});

afterEach(async () => {
  await h.close();
});

const page = (query = '', headers: Record<string, string> = {}) => fetch(`${h.server.url}/whatsapp-web/qr${query}`, { headers });

describe('GET /whatsapp-web/qr', () => {
  test.each<[string, string, Record<string, string>]>([
    ['no token', '', {}],
    ['a wrong token in the query', `?token=${ADMIN_TOKEN.slice(0, -1)}x`, {}],
    ['a longer token that starts with the right one', `?token=${ADMIN_TOKEN}0`, {}],
    ['a wrong bearer token', '', { authorization: 'Bearer wrong-token-wrong-token-wrong' }],
    ['the right token as Basic credentials', '', { authorization: `Basic ${ADMIN_TOKEN}` }],
    ['the token twice in the query', `?token=${ADMIN_TOKEN}&token=${ADMIN_TOKEN}`, {}],
  ])('answers 401 to %s, showing nothing of the connection', async (_name, query, headers) => {
    const res = await page(query, headers);
    const body = await res.text();

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="whatsapp-web"');
    expect(body).not.toContain('<svg');
    expect(body).not.toContain('qr');
    expect(h.logs.filter((l) => l.event === 'whatsapp-web-qr-refused')).toHaveLength(1);
  });

  test('shows the QR code to the token in the query, as a page that reloads itself, is never cached and loads nothing else', async () => {
    const res = await page(`?token=${encodeURIComponent(ADMIN_TOKEN)}`);
    const html = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('<body data-state="qr">');
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).toContain('Linked devices');
    // The code drawn is the client's QR string: one 4-module quiet zone around its modules.
    const side = qrMatrix(FAKE_QR).length + 8;
    expect(html).toContain(`viewBox="0 0 ${side} ${side}"`);
    // Nothing from elsewhere, and no script (the content policy allows neither).
    expect(html).not.toMatch(/<script|<link|<img|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toContain(ADMIN_TOKEN);
  });

  test('follows the connection: authenticated, then ready (no code left), then disconnected with the next try', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    h.client.script = 'manual';

    await h.client.emit('authenticated');
    let html = await (await page('', auth)).text();
    expect(html).toContain('<body data-state="authenticated">');
    expect(html).not.toContain('<svg');

    await h.client.emit('ready');
    html = await (await page('', auth)).text();
    expect(html).toContain('<body data-state="ready">');
    expect(html).toContain('State: ready');
    expect(html).not.toContain('<svg');

    await h.client.emit('disconnected', 'UNPAIRED');
    html = await (await page('', auth)).text();
    expect(html).toContain('<body data-state="disconnected">');
    expect(html).toMatch(/tries again in \d+ seconds/);
  });
});
