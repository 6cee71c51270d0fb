import { randomUUID } from 'node:crypto';
import { postJson, startApp, tempDatabase } from '../support/server';

test('log lines carry neither message text nor conversation ids', async () => {
  const lines: string[] = [];
  const db = tempDatabase();
  const server = await startApp(db.path, { log: { level: 'debug', destination: { write: (l: string) => lines.push(l) } } });
  const conversationId = randomUUID();
  const secret = 'my passport number is P1234567';
  try {
    const url = `${server.url}/api/webchat/messages`;
    expect((await postJson(url, { conversationId, text: 'hi' })).status).toBe(200);
    expect((await postJson(url, { conversationId, text: secret })).status).toBe(200);
    expect((await postJson(url, null, { raw: `{"conversationId":"${conversationId}","text":"${secret}` })).status).toBe(400);
    expect((await postJson(url, { conversationId, text: secret, extra: secret })).status).toBe(400);
    expect((await fetch(`${url}?conversationId=${conversationId}&after=0`)).status).toBe(200);
  } finally {
    await server.close();
    db.remove();
  }

  const log = lines.join('');
  expect(log).toContain('"event":"turn"');
  expect(log).toContain('"route":"/api/webchat/messages"');
  expect(log).toContain('"code":"invalid_json"');
  expect(log).not.toContain('P1234567');
  expect(log).not.toContain(conversationId);
});
