import { z } from 'zod';

/**
 * The WhatsApp Cloud API webhook, after Meta's documented payloads
 * ("Webhooks: messages" in the WhatsApp Business Platform reference). Only
 * what the bot reads is declared; unknown fields are dropped, not refused,
 * because Meta adds fields without notice. Unknown message types and
 * statuses are accepted as strings and handled as such further on: refusing
 * them would make Meta send the whole payload again for days.
 */

/** Unix seconds, as a string of digits (Meta's `timestamp`). */
const Seconds = z.string().regex(/^\d{1,12}$/, 'a Unix time in seconds, as digits');

const ReplyId = z.object({ id: z.string().min(1), title: z.string().optional() });

export const CloudMessageSchema = z.object({
  /** The sender's WhatsApp id (their phone number, digits only). */
  from: z.string().min(1).max(32),
  /** The message's `wamid`: the de-duplication key. */
  id: z.string().min(1).max(200),
  timestamp: Seconds,
  type: z.string().min(1).max(64),
  text: z.object({ body: z.string() }).optional(),
  interactive: z
    .object({
      type: z.string(),
      button_reply: ReplyId.optional(),
      list_reply: ReplyId.extend({ description: z.string().optional() }).optional(),
    })
    .optional(),
  /** A quick-reply button of a template message. */
  button: z.object({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  /** The message this one answers (a pressed button's message). */
  context: z.object({ id: z.string().optional(), from: z.string().optional() }).optional(),
});
export type CloudMessage = z.infer<typeof CloudMessageSchema>;

const CloudErrorSchema = z.object({
  code: z.number().int(),
  title: z.string().optional(),
});

export const CloudStatusSchema = z.object({
  /** The `wamid` of the message the bot sent. */
  id: z.string().min(1).max(200),
  /** sent, delivered, read or failed; anything else is logged and skipped. */
  status: z.string().min(1).max(64),
  timestamp: Seconds,
  recipient_id: z.string().min(1).max(32),
  errors: z.array(CloudErrorSchema).optional(),
});
export type CloudStatus = z.infer<typeof CloudStatusSchema>;

export const MessagesValueSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: z.object({
    display_phone_number: z.string().optional(),
    phone_number_id: z.string().min(1),
  }),
  contacts: z.array(z.object({ wa_id: z.string().min(1).max(32) })).optional(),
  messages: z.array(CloudMessageSchema).optional(),
  statuses: z.array(CloudStatusSchema).optional(),
});
export type MessagesValue = z.infer<typeof MessagesValueSchema>;

/**
 * One change. Only `messages` changes are read (value null for the others):
 * an app subscribed to other fields (template reviews, account updates) gets
 * values of other shapes, which are kept unread rather than refused.
 */
const ChangeSchema = z.object({ field: z.string(), value: z.unknown() }).transform((change, ctx) => {
  if (change.field !== 'messages') return { field: change.field, value: null };
  const parsed = MessagesValueSchema.safeParse(change.value);
  if (parsed.success) return { field: change.field, value: parsed.data };
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: ['value', ...issue.path] });
  }
  return z.NEVER;
});

export const WebhookPayloadSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      /** The WhatsApp Business Account id. */
      id: z.string(),
      changes: z.array(ChangeSchema),
    }),
  ),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;
