import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Replaces fastify's JSON parser (and drops the plain-text one, so anything
 * but JSON gets a 415). Fastify decodes bodies leniently, turning invalid
 * bytes into U+FFFD; a message would then reach the bot silently changed, so
 * the raw bytes are checked first and refused when they are not UTF-8.
 */
export function acceptUtf8JsonOnly(app: FastifyInstance): void {
  // Fastify's own parser keeps its protection against __proto__ and constructor poisoning.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8'), undefined);
      return;
    }
    void parseJson(req, text, done);
  });
}
