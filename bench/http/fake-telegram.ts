import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeBotApi } from '../../test/channels/telegram/fake-bot-api';

/**
 * The fake Telegram Bot API for the HTTP benchmark, in a process of its own
 * (as the real one is elsewhere), so that neither the server nor the load
 * generator pays for it. A second port answers how many messages were sent,
 * and sets how long the Bot API takes to answer. Prints both addresses as
 * one JSON line.
 */
async function main(): Promise<void> {
  const [token] = process.argv.slice(2);
  if (!token) throw new Error('usage: fake-telegram.ts <token>');
  const api = new FakeBotApi(token);
  const url = await api.start();
  let sent = 0;
  const stats = createServer((req, res) => {
    // POST /latency/<ms>: how long the Bot API takes to answer from now on.
    const latency = /^\/latency\/(\d+)$/.exec(req.url ?? '');
    if (req.method === 'POST' && latency) {
      api.latencyMs = Number(latency[1]);
      res.writeHead(204).end();
      return;
    }
    // Only the count is asked for: the recorded calls are counted and dropped, so they do not pile up.
    sent += api.callsTo('sendMessage').length;
    api.calls.length = 0;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sendMessage: sent }));
  });
  await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
  const statsUrl = `http://127.0.0.1:${(stats.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ url, stats: statsUrl })}\n`);
  process.once('SIGTERM', () => {
    stats.close();
    api.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`fake Bot API failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
