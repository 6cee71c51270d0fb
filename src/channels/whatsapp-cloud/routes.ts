import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { HttpError } from '../../http/errors';
import { SIGNATURE_HEADER, sameSecret, validSignature } from './signature';
import { WebhookProcessor, type WebhookDeps } from './webhook';
import { WebhookPayloadSchema } from './webhook-schema';

export const WEBHOOK_PATH = '/whatsapp/webhook';

export interface WhatsAppCloudRouteDeps extends WebhookDeps {
  /** The Meta app's secret: every webhook request is signed with it. */
  appSecret: string;
  /** The token typed into the app dashboard; Meta sends it back when verifying the webhook URL. */
  verifyToken: string;
}

/** What Meta sends as `hub.challenge` (a number in practice): echoed back, so kept to safe characters. */
const CHALLENGE = /^[A-Za-z0-9._-]{1,256}$/;
/**
 * Meta batches several messages and statuses into one webhook request, up to
 * 3 MB, and resends a refused one for days: this route takes that much, while
 * the rest of the server keeps HTTP_BODY_LIMIT.
 */
export const WEBHOOK_BODY_LIMIT = 3 * 1024 * 1024;
/** Issues shown in a 400: enough to find the fault, short enough to read. */
const MAX_ISSUES = 10;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The WhatsApp Cloud API webhook.
 *
 * `GET /whatsapp/webhook` answers Meta's verification request with the
 * challenge when the verify token matches, else 403.
 *
 * `POST /whatsapp/webhook` first checks `X-Hub-Signature-256` over the raw
 * bytes of the body (its own body parser keeps them; the server's parses
 * JSON) and refuses anything unsigned or wrongly signed with 401, before
 * looking at the body at all. A signed body that is not JSON, not UTF-8 or
 * not a WhatsApp payload gets 400 and nothing is done. A valid payload is
 * answered 200 at once and handled afterwards, so Meta's retries (after a
 * slow answer) do not pile up.
 */
export function whatsappCloudRoutes(deps: WhatsAppCloudRouteDeps): FastifyPluginAsync {
  const processor = new WebhookProcessor(deps);
  return async (app) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    // In this plugin's scope only: bodies of any type arrive as bytes, within WEBHOOK_BODY_LIMIT.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.get(WEBHOOK_PATH, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      if (query['hub.mode'] !== 'subscribe' || !sameSecret(query['hub.verify_token'], deps.verifyToken)) {
        request.log.warn({ event: 'whatsapp-cloud-verify-refused' });
        return reply.status(403).send({ error: { code: 'forbidden', message: 'wrong or missing verify token' } });
      }
      const challenge = query['hub.challenge'];
      if (typeof challenge !== 'string' || !CHALLENGE.test(challenge)) {
        throw new HttpError(400, 'bad_challenge', 'hub.challenge is missing or not a plain token');
      }
      request.log.info({ event: 'whatsapp-cloud-verified' });
      return reply.status(200).type('text/plain; charset=utf-8').send(challenge);
    });

    app.post(WEBHOOK_PATH, { bodyLimit: WEBHOOK_BODY_LIMIT }, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      if (!validSignature(raw, request.headers[SIGNATURE_HEADER], deps.appSecret)) {
        request.log.warn({ event: 'whatsapp-cloud-webhook-refused' });
        return reply.status(401).send({ error: { code: 'unauthorized', message: 'missing or wrong X-Hub-Signature-256' } });
      }
      const body = await parseBody(request, raw, parseJson);
      const parsed = WebhookPayloadSchema.safeParse(body);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, MAX_ISSUES).map((i) => `${i.path.join('.') || 'body'}: ${i.message}`);
        request.log.warn({ event: 'whatsapp-cloud-payload-invalid', issues: parsed.error.issues.length });
        throw new HttpError(400, 'invalid_payload', 'the body is not a WhatsApp Business Account webhook payload', issues);
      }
      processor.accept(parsed.data);
      return reply.status(200).send({ ok: true });
    });
  };
}

type JsonParser = ReturnType<FastifyRequest['server']['getDefaultJsonParser']>;

/** JSON as the rest of the server reads it: UTF-8 only, fastify's parser (with its prototype-poisoning checks). */
async function parseBody(request: FastifyRequest, raw: Buffer, parseJson: JsonParser): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as JSON, with Content-Type: application/json');
  }
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new HttpError(400, 'invalid_utf8', 'the body is not valid UTF-8');
  }
  return new Promise((resolve, reject) => {
    void parseJson(request, text, (err, value) => (err ? reject(err) : resolve(value)));
  });
}
