import { createHmac } from 'node:crypto';

/**
 * Webhook payloads as Meta's reference shows them ("Webhooks: messages" of
 * the WhatsApp Business Platform), with the fields the bot ignores left in,
 * and the signing Meta applies to them.
 */

export const WABA_ID = '102290129340398';
export const DISPLAY_NUMBER = '15550783881';

/** The fields of one `messages[]` entry besides sender, id and time. */
export type MessageContent = Record<string, unknown> & { type: string };

export const text = (body: string): MessageContent => ({ type: 'text', text: { body } });

/** A reply button of the bot's pressed (`interactive.button_reply`). */
export const buttonReply = (id: string, title = 'Button'): MessageContent => ({
  type: 'interactive',
  context: { from: DISPLAY_NUMBER, id: 'wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA' },
  interactive: { type: 'button_reply', button_reply: { id, title } },
});

/** A row of one of the bot's lists chosen (`interactive.list_reply`). */
export const listReply = (id: string, title = 'Row'): MessageContent => ({
  type: 'interactive',
  context: { from: DISPLAY_NUMBER, id: 'wamid.HBgLMTU1NTA3ODM4ODEVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcB' },
  interactive: { type: 'list_reply', list_reply: { id, title, description: '' } },
});

export const image = (): MessageContent => ({
  type: 'image',
  image: { caption: 'my contract', mime_type: 'image/jpeg', sha256: 'Kp1Sa6I0+Q6bZ1mR0X0n0n2cPqGn2sNbR2V9Q2vW3rU=', id: '1003383421387256' },
});

export interface Sender {
  waId: string;
  name: string;
}

export interface MessageSpec {
  from: Sender;
  id: string;
  /** ms since the epoch; Meta sends whole seconds. */
  at: number;
  content: MessageContent;
}

export interface StatusSpec {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | string;
  recipient: string;
  at: number;
  errors?: { code: number; title: string }[];
}

/** A `messages` change for `phoneNumberId`: messages and/or statuses, in one entry as Meta sends them. */
export function payload(phoneNumberId: string, items: { messages?: MessageSpec[]; statuses?: StatusSpec[] }): object {
  const value: Record<string, unknown> = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: DISPLAY_NUMBER, phone_number_id: phoneNumberId },
  };
  if (items.messages) {
    const senders = new Map(items.messages.map((m) => [m.from.waId, m.from]));
    value.contacts = [...senders.values()].map((s) => ({ profile: { name: s.name }, wa_id: s.waId }));
    value.messages = items.messages.map((m) => ({
      from: m.from.waId,
      id: m.id,
      timestamp: String(Math.floor(m.at / 1000)),
      ...m.content,
    }));
  }
  if (items.statuses) {
    value.statuses = items.statuses.map((s) => ({
      id: s.id,
      status: s.status,
      timestamp: String(Math.floor(s.at / 1000)),
      recipient_id: s.recipient,
      ...(s.status === 'failed'
        ? {}
        : {
            conversation: { id: 'CONVERSATION_ID', expiration_timestamp: String(Math.floor(s.at / 1000) + 86400), origin: { type: 'service' } },
            pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
          }),
      ...(s.errors
        ? {
            errors: s.errors.map((e) => ({
              ...e,
              message: e.title,
              error_data: { details: `Message failed to send to ${s.recipient}` },
              href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
            })),
          }
        : {}),
    }));
  }
  return { object: 'whatsapp_business_account', entry: [{ id: WABA_ID, changes: [{ value, field: 'messages' }] }] };
}

/** `X-Hub-Signature-256` as Meta computes it over the exact bytes sent. */
export function signature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export interface PostOptions {
  /** The header to send; null sends none. Defaults to the right signature. */
  signature?: string | null;
  contentType?: string;
}

/** POSTs a body (an object is sent as JSON) to the webhook as Meta would; resolves to the status and answer. */
export async function postWebhook(
  baseUrl: string,
  body: object | string | Buffer,
  appSecret: string,
  options: PostOptions = {},
): Promise<{ status: number; body: unknown }> {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/json' };
  const signed = options.signature === undefined ? signature(raw, appSecret) : options.signature;
  if (signed !== null) headers['x-hub-signature-256'] = signed;
  const res = await fetch(`${baseUrl}/whatsapp/webhook`, { method: 'POST', headers, body: typeof raw === 'string' ? raw : new Uint8Array(raw) });
  const answer = await res.text();
  let parsed: unknown = answer;
  try {
    parsed = JSON.parse(answer);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: res.status, body: parsed };
}
