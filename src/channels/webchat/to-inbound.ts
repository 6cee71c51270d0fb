import { z } from 'zod';
import { MAX_TEXT_LENGTH, type InboundMessage } from '../../conversation/inbound';

export const CHANNEL = 'webchat';

/** Random ids from the page (UUIDs) fit; so do most ids a client library makes. */
const Id = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${what} is missing` : `${what} must be a string`) })
    .regex(/^[A-Za-z0-9_-]{8,64}$/, `${what} must be 8 to 64 letters, digits, '-' or '_' (a UUID fits)`);

/**
 * The body of POST /api/webchat/messages. Unknown fields are refused: a
 * misspelt `messageID` would otherwise be dropped without a word, and with it
 * the protection against a retried message being answered twice.
 */
export const WebchatMessageSchema = z
  .strictObject(
    {
      conversationId: Id('conversationId'),
      text: z
        .string({ message: 'text must be a string' })
        .max(MAX_TEXT_LENGTH, `text is too long: the limit is ${MAX_TEXT_LENGTH} characters`)
        .refine((t) => t.trim() !== '', 'text is empty')
        .optional(),
      payload: z
        .string({ message: 'payload must be a string' })
        .min(1, 'payload is empty')
        .max(256, 'payload is too long: the limit is 256 characters')
        .optional(),
      locale: z
        .string({ message: 'locale must be a string' })
        .max(35, 'locale is too long')
        .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, "locale must be a language tag such as 'en' or 'ur-PK'")
        .optional(),
      messageId: Id('messageId').optional(),
    },
    {
      error: (issue) => {
        if (issue.code === 'unrecognized_keys') return `unknown field: ${issue.keys.join(', ')}`;
        if (issue.code === 'invalid_type') return 'the body must be a JSON object';
        return undefined;
      },
    },
  )
  .refine((m) => (m.text === undefined) !== (m.payload === undefined), {
    message: 'send exactly one of text (typed) or payload (a button)',
  });

export type WebchatMessage = z.infer<typeof WebchatMessageSchema>;

export type ParseResult = { ok: true; message: InboundMessage } | { ok: false; issues: string[] };

export interface InboundContext {
  now: number;
  /** Makes a message id when the client sent none. */
  newId: () => string;
}

/**
 * A web chat request body as the engine's InboundMessage. The page itself is
 * the user, so userId is the conversation id. Ids chosen by clients are
 * scoped to their conversation so that one client can never reuse another's
 * id and be given that conversation's replies (processed marks are kept per
 * conversation too), and so that a resend still matches the marks kept with
 * that prefix.
 */
export function toInbound(body: unknown, ctx: InboundContext): ParseResult {
  const parsed = WebchatMessageSchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, issues: parsed.error.issues.map(describeIssue) };
  }
  const m = parsed.data;
  const message: InboundMessage = {
    channel: CHANNEL,
    conversationId: m.conversationId,
    userId: m.conversationId,
    messageId: `${m.conversationId}:${m.messageId ?? ctx.newId()}`,
    timestamp: ctx.now,
  };
  if (m.text !== undefined) message.text = m.text;
  if (m.payload !== undefined) message.payload = m.payload;
  if (m.locale !== undefined) message.locale = m.locale;
  return { ok: true, message };
}

/** The messages above name their field; any other gets it as a prefix. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.');
  return field === '' || issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
}
