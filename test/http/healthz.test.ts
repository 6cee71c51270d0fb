import { getJson, startApp, tempDatabase } from '../support/server';

test('GET /healthz answers 200 once the app is started', async () => {
  const db = tempDatabase();
  const server = await startApp(db.path);
  try {
    const res = await getJson(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  } finally {
    await server.close();
    db.remove();
  }
});
