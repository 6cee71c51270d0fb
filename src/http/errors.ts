/**
 * An error a route means to show the client: its status, a stable code that
 * programs can branch on and an English message a person can act on.
 */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly issues?: string[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: string[] };
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
}

/**
 * The answer for an error raised before or inside a route, or null when it is
 * the server's fault. Fastify's own messages are replaced: they name headers
 * and internals that a chat client cannot act on.
 */
export function clientError(err: unknown, bodyLimit: number): HttpError | null {
  if (err instanceof HttpError) return err.statusCode < 500 ? err : null;
  const { code, statusCode } = (err ?? {}) as FastifyLikeError;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'too_large', `message too large: the limit is ${bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'send the body as JSON, with Content-Type: application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'empty_body', 'the body is empty: send a JSON object');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new HttpError(400, 'invalid_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new HttpError(400, 'bad_content_length', 'the body is not as long as its Content-Length header says');
    case 'FST_ERR_BAD_URL':
      return new HttpError(400, 'bad_url', 'the address is not valid');
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return new HttpError(statusCode, 'bad_request', 'the request could not be understood');
  }
  return null;
}
