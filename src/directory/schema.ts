import { z } from 'zod';

/**
 * The shape of one country file in src/directory/data. Every statement of
 * fact carries the source it came from, so that a reviewer can re-check it
 * and the bot can hedge ("please check this number") when it is unverified.
 * Objects are strict: a misspelt field name in a data file is an error, not
 * a silently missing fact.
 */

const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;

export const SourceSchema = z.strictObject({
  /** Publisher or page title, for people reading the data. */
  name: z.string().min(1).optional(),
  url: z.url({ protocol: /^https?$/ }),
  date: z
    .string()
    .refine((d) => d === 'undated' || DATE.test(d), 'date must be YYYY-MM-DD, YYYY-MM, YYYY or "undated"'),
  /** The date is approximate ("c.2023" in the facts file). */
  circa: z.literal(true).optional(),
  grade: z.enum(['A', 'B', 'C']),
});
export type Source = z.infer<typeof SourceSchema>;

export const CountryCodeSchema = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code in capitals');
export const LanguageCodeSchema = z.string().regex(/^[a-z]{2}$/, 'an ISO 639-1 code in lower case');
/** A number exactly as a person dials it; spaces and dashes are kept as the source writes them. */
export const PhoneSchema = z
  .string()
  .regex(/^\+?\d[\d -]*\d$/, 'a number as dialled: digits, spaces and dashes, optionally a leading +');
/** A bare host name (and path) as the source gives it; no scheme is added because none was seen. */
export const WebAddressSchema = z
  .string()
  .regex(/^(?:[a-z0-9-]+\.)+[a-z]{2,}(?:\/\S*)?$/, 'a web address without scheme, e.g. redcross.org.hk');

function factShape<T extends z.ZodType>(value: T) {
  return { value, source: SourceSchema, verified: z.boolean(), note: z.string().min(1).optional() };
}

/** The reason an unverified value is unverified is what a reviewer needs first. */
function reasonIfUnverified(fact: { verified: boolean; note?: string }, ctx: z.RefinementCtx): void {
  if (!fact.verified && fact.note === undefined) {
    ctx.addIssue({ code: 'custom', path: ['note'], message: 'an unverified fact needs a note saying why' });
  }
}

export function factSchema<T extends z.ZodType>(value: T) {
  return z.strictObject(factShape(value)).superRefine(reasonIfUnverified);
}

export interface Fact<T> {
  value: T;
  source: Source;
  verified: boolean;
  note?: string;
}

export const LineSchema = z
  .strictObject({
    ...factShape(PhoneSchema),
    /** What the line is for, in English, for staff and for choosing a locale key. */
    label: z.string().min(1),
    /** Phone unless said otherwise. */
    kind: z.enum(['phone', 'sms', 'whatsapp']).optional(),
    /** Languages the source says the line answers in. */
    languages: z.array(LanguageCodeSchema).min(1).optional(),
    /** Countries the number can be dialled from, when the source restricts it. */
    availableIn: z.array(CountryCodeSchema).min(1).optional(),
  })
  .superRefine(reasonIfUnverified);
export type Line = z.infer<typeof LineSchema>;

const TextFact = factSchema(z.string().min(1));
const WebFact = factSchema(WebAddressSchema);

export const AgencySchema = z.strictObject({
  name: TextFact,
  website: WebFact.optional(),
  lines: z.array(LineSchema).min(1).optional(),
  /** Ways to complain that are not a number: portals, apps, e-mail, forms. */
  channels: z.array(TextFact).min(1).optional(),
});
export type Agency = z.infer<typeof AgencySchema>;

export const NationalSocietySchema = z.strictObject({
  name: TextFact,
  website: WebFact.optional(),
  phone: LineSchema.optional(),
  /** Set when the body is not a recognised member of the Movement (Taiwan, Oman). */
  movementMember: factSchema(z.boolean()).optional(),
});

export const EmergencySchema = z.strictObject({
  police: factSchema(PhoneSchema),
  ambulance: factSchema(PhoneSchema),
  fire: factSchema(PhoneSchema),
  otherNumbers: z.array(LineSchema).min(1).optional(),
  notes: z.array(TextFact).min(1).optional(),
});

export const PassportLawSchema = z.strictObject({
  /** Whether an employer holding a worker's passport is forbidden; conditions go in the note. */
  forbidden: factSchema(z.boolean()),
  laws: z.array(TextFact).min(1).optional(),
  penalty: TextFact.optional(),
});

export const DestinationSchema = z.strictObject({
  emergency: EmergencySchema,
  passportLaw: PassportLawSchema.optional(),
  labour: z.array(AgencySchema).min(1),
  otherHotlines: z.array(LineSchema).min(1).optional(),
});

export const OriginSchema = z.strictObject({
  /** The government body (or bodies) for overseas workers; the first is the main one. */
  agencies: z.array(AgencySchema).min(1),
  /** Lines that are not an agency's own: national emergency, help desks in destination countries. */
  helpLines: z.array(LineSchema).min(1).optional(),
  languages: factSchema(z.array(LanguageCodeSchema).min(1)).optional(),
});

/** Something the facts file mentions that the data leaves out, and why. */
export const GapSchema = z.strictObject({ field: z.string().min(1), reason: z.string().min(1) });

export const CountrySchema = z
  .strictObject({
    code: CountryCodeSchema,
    /** The English name first, then spellings, abbreviations and local names; typos of these are matched. */
    names: z.array(z.string().min(1)).min(1),
    /** Cities and regions; matched exactly only, since many are also personal names or words. */
    places: z.array(z.string().min(1)).optional(),
    /** Phrases that contain a name but mean another place ("North Korea"). */
    excludes: z.array(z.string().min(1)).optional(),
    /** One society per country, whichever role the country plays. */
    nationalSociety: NationalSocietySchema.optional(),
    destination: DestinationSchema.optional(),
    origin: OriginSchema.optional(),
    gaps: z.array(GapSchema).min(1).optional(),
  })
  .superRefine((c, ctx) => {
    if (!c.destination && !c.origin) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a country needs a destination or an origin section' });
    }
    if (c.destination && !c.nationalSociety) {
      ctx.addIssue({ code: 'custom', path: ['nationalSociety'], message: 'a destination needs its national society' });
    }
  });
export type Country = z.infer<typeof CountrySchema>;
export type Destination = z.infer<typeof DestinationSchema>;
export type Origin = z.infer<typeof OriginSchema>;
export type NationalSociety = z.infer<typeof NationalSocietySchema>;
export type PassportLaw = z.infer<typeof PassportLawSchema>;
