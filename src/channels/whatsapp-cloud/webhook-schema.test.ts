import { WebhookPayloadSchema } from './webhook-schema';

/** Meta's documented example of a text message, whole, with the fields the bot does not read. */
const textExample = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
            messages: [
              {
                from: '16505551234',
                id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
                timestamp: '1749416383',
                type: 'text',
                text: { body: 'Does it come in another color?' },
              },
            ],
          },
          field: 'messages',
        },
      ],
    },
  ],
};

/** Meta's documented example of a failed status. */
const failedExample = {
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [
        {
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
            statuses: [
              {
                id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA',
                status: 'failed',
                timestamp: '1750263773',
                recipient_id: '16505551234',
                errors: [
                  {
                    code: 131050,
                    title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
                    message: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
                    error_data: { details: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business' },
                    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
                  },
                ],
              },
            ],
          },
          field: 'messages',
        },
      ],
    },
  ],
};

type Change = { field: string; value: Record<string, unknown> };
const withValue = (patch: (value: Record<string, unknown>) => void) => {
  const copy = structuredClone(textExample) as unknown as { entry: { changes: Change[] }[] };
  patch(copy.entry[0]!.changes[0]!.value);
  return copy;
};

test("Meta's text message example parses, keeping what the bot reads", () => {
  const parsed = WebhookPayloadSchema.parse(textExample);
  const value = parsed.entry[0]!.changes[0]!.value!;
  expect(value.metadata.phone_number_id).toBe('106540352242922');
  expect(value.messages).toEqual([
    {
      from: '16505551234',
      id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
      timestamp: '1749416383',
      type: 'text',
      text: { body: 'Does it come in another color?' },
    },
  ]);
});

test("Meta's failed status example parses with its error code and title", () => {
  const status = WebhookPayloadSchema.parse(failedExample).entry[0]!.changes[0]!.value!.statuses![0]!;
  expect(status).toMatchObject({ status: 'failed', recipient_id: '16505551234', errors: [{ code: 131050 }] });
});

test('fields, message types and statuses Meta adds later are tolerated', () => {
  const later = withValue((value) => {
    value.new_field = { anything: true };
    (value.messages as Record<string, unknown>[])[0]!.referral = { source_type: 'ad' };
    (value.messages as Record<string, unknown>[]).push({ from: '16505551234', id: 'wamid.2', timestamp: '1749416384', type: 'hologram', hologram: {} });
    value.statuses = [{ id: 'wamid.3', status: 'played', timestamp: '1749416385', recipient_id: '16505551234' }];
  });
  (later as unknown as Record<string, unknown>).extra = 1;
  expect(WebhookPayloadSchema.safeParse(later).success).toBe(true);
});

test('a change of another field is kept unread, whatever its value', () => {
  const review = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] }] };
  expect(WebhookPayloadSchema.parse(review).entry[0]!.changes[0]).toEqual({ field: 'message_template_status_update', value: null });
});

test.each<[string, unknown]>([
  ['another object', { ...textExample, object: 'page' }],
  ['no entries', { object: 'whatsapp_business_account' }],
  ['another product', withValue((v) => (v.messaging_product = 'instagram'))],
  ['no phone number id', withValue((v) => (v.metadata = { display_phone_number: '15550783881' }))],
  ['a message without an id', withValue((v) => delete (v.messages as Record<string, unknown>[])[0]!.id)],
  ['a time that is not Unix seconds', withValue((v) => ((v.messages as Record<string, unknown>[])[0]!.timestamp = '2025-06-08T20:59:43Z'))],
  ['a status without a recipient', withValue((v) => (v.statuses = [{ id: 'wamid.1', status: 'sent', timestamp: '1' }]))],
  ['an error code that is not a number', withValue((v) => (v.statuses = [{ id: 'w', status: 'failed', timestamp: '1', recipient_id: '1', errors: [{ code: 'x' }] }]))],
])('%s is refused', (_name, body) => {
  expect(WebhookPayloadSchema.safeParse(body).success).toBe(false);
});
