import { z } from 'zod';
import { fromStoredRecord, toStoredRecord, type StoredRecord } from './record-stored';

/**
 * Everything needed to answer this conversation later, on any channel
 * (after botbuilder's ConversationReference).
 */
export const ConversationRefSchema = z.object({
  channel: z.string(),
  conversationId: z.string(),
  userId: z.string(),
});
export type ConversationRef = z.infer<typeof ConversationRefSchema>;

type StoredParams = { [name: string]: string | number | StoredPhrase | StoredPhrase[] };
interface StoredPhrase {
  key: string;
  params?: StoredParams;
}
const PhraseSchema: z.ZodType<StoredPhrase> = z.lazy(() =>
  z.object({ key: z.string(), params: ParamsSchema.optional() }),
);
const ParamsSchema: z.ZodType<StoredParams> = z.lazy(() =>
  z.record(z.string(), z.union([z.string(), z.number(), PhraseSchema, z.array(PhraseSchema)])),
);

const ChoiceSchema = z.object({ label: z.string(), payload: z.string(), params: ParamsSchema.optional() });
/** Choices as version 3 stores them: `[label, payload]`, `[label, payload, params]`, or a run of them (record-stored.ts). */
const StoredChoicesSchema = z.array(
  z.union([
    z.tuple([z.string(), z.string()]),
    z.tuple([z.string(), z.string(), ParamsSchema]),
    z.object({ label: z.string(), payload: z.string(), each: z.array(z.string()).min(1) }),
  ]),
);

/** An Output (flows/types.ts) as stored: locale keys, so it can be shown again in any language. */
const outputFields = {
  key: z.string(),
  params: ParamsSchema.optional(),
  links: z.array(z.object({ label: z.string(), url: z.string(), params: ParamsSchema.optional() })).optional(),
  aside: z.boolean().optional(),
  expects: z.literal('text').optional(),
  locale: z.string().optional(),
  clearChat: z.boolean().optional(),
};
const OutputSchema = z.object({ ...outputFields, choices: z.array(ChoiceSchema).optional() });

const recordFields = {
  ref: ConversationRefSchema,
  locale: z.string(),
  localeSource: z.enum(['default', 'detected', 'chosen']),
  country: z.object({ current: z.string().optional(), origin: z.string().optional() }),
  flow: z.object({ id: z.string(), version: z.number().int(), snapshot: z.unknown() }),
  misses: z.number().int().nonnegative(),
  notices: z.array(z.string()),
  caseId: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
};

export const CURRENT_RECORD_VERSION = 3;

/** A record as the engine works with it. */
const ConversationRecordSchema = z.object({
  version: z.literal(CURRENT_RECORD_VERSION),
  ...recordFields,
  flow: recordFields.flow.nullable(),
  /**
   * What the current flow step last said, shown again after `help`, a change
   * of language or a message nobody understood.
   */
  prompt: z.array(OutputSchema),
  /** The choices last offered (by a flow or a command): what "2" or a label's text answers. */
  choices: z.array(ChoiceSchema),
});
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

/** Version 2, as it was stored: the record as the engine worked with it then. */
const RecordV2Schema = ConversationRecordSchema.extend({ version: z.literal(2) });

/** Version 3, as it is stored: see record-stored.ts. */
const StoredRecordSchema: z.ZodType<StoredRecord> = z.object({
  version: z.literal(3),
  ref: recordFields.ref,
  locale: recordFields.locale,
  localeSource: recordFields.localeSource.optional(),
  country: recordFields.country.optional(),
  flow: recordFields.flow.optional(),
  prompt: z.array(z.object({ ...outputFields, choices: StoredChoicesSchema.optional() })).optional(),
  choices: StoredChoicesSchema.optional(),
  misses: recordFields.misses.optional(),
  notices: recordFields.notices.optional(),
  caseId: recordFields.caseId,
  createdAt: recordFields.createdAt,
  updatedAt: recordFields.updatedAt,
});

export function newRecord(ref: ConversationRef, locale: string, now: number): ConversationRecord {
  return {
    version: CURRENT_RECORD_VERSION,
    ref,
    locale,
    localeSource: 'default',
    country: {},
    flow: null,
    prompt: [],
    choices: [],
    misses: 0,
    notices: [],
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * One function per past version, each lifting a record by one version. A
 * record is migrated on read and saved in the current shape on the next turn.
 * Keep every entry forever: a record may sleep for years between two messages.
 */
const migrations: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  // 1 → 2: the draft-translation notice is remembered per language.
  1: (old) => ({ ...old, version: 2, notices: [] }),
  // 2 → 3: the same record in fewer bytes (record-stored.ts).
  2: (old) => {
    const parsed = RecordV2Schema.safeParse(old);
    if (!parsed.success) throw new RecordError('stored version 2 record does not match its schema', parsed.error);
    return toStoredRecord({ ...parsed.data, version: CURRENT_RECORD_VERSION }) as unknown as Record<string, unknown>;
  },
};

export class RecordError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'RecordError';
  }
}

/** Validate a stored record, migrating older versions. Throws RecordError when it cannot. */
export function parseRecord(raw: unknown): ConversationRecord {
  let data = raw as Record<string, unknown>;
  if (typeof data !== 'object' || data === null) throw new RecordError('stored record is not an object');
  let version = typeof data.version === 'number' ? data.version : NaN;
  while (version < CURRENT_RECORD_VERSION) {
    const migrate = migrations[version];
    if (!migrate) throw new RecordError(`no migration from record version ${version}`);
    data = migrate(data);
    version += 1;
  }
  const parsed = StoredRecordSchema.safeParse(data);
  if (!parsed.success) throw new RecordError('stored record does not match its schema', parsed.error);
  return fromStoredRecord(parsed.data);
}

/**
 * Only the address of a stored record, which every version has in the same
 * shape: what sending a saved reply needs, without validating all the rest.
 * Throws RecordError when it cannot be read.
 */
export function parseRef(raw: unknown): ConversationRef {
  const ref = typeof raw === 'object' && raw !== null ? (raw as { ref?: unknown }).ref : undefined;
  const parsed = ConversationRefSchema.safeParse(ref);
  if (!parsed.success) throw new RecordError('stored record has no readable address', parsed.error);
  return parsed.data;
}

export { migrations as recordMigrations, toStoredRecord };
