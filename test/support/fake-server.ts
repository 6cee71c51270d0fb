import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The skeleton of the fakes of remote APIs (Telegram, WhatsApp Cloud, the
 * Bot Framework connector, an alert webhook): a real HTTP server on a free
 * port of 127.0.0.1 that hands each request to `handle` with its body read
 * whole, and on stop drops every connection, so that a client keeping one
 * alive (or a request left hanging on purpose) does not keep it open.
 */
export abstract class FakeHttpServer {
  private server: Server | null = null;

  protected abstract handle(req: IncomingMessage, body: string, res: ServerResponse): void | Promise<void>;

  /** Starts listening; resolves to the origin, e.g. http://127.0.0.1:41234. */
  protected async listen(): Promise<string> {
    const server = createServer((req, res) => void this.receive(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await this.handle(req, Buffer.concat(chunks).toString('utf8'), res);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
