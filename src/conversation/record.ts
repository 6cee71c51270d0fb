import { z } from 'zod';

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

/** An Output (flows/types.ts) as stored: locale keys, so it can be shown again in any language. */
const StoredOutputSchema = z.object({
  key: z.string(),
  params: ParamsSchema.optional(),
  choices: z
    .array(z.object({ label: z.string(), payload: z.string(), params: ParamsSchema.optional() }))
    .optional(),
  links: z.array(z.object({ label: z.string(), url: z.string(), params: ParamsSchema.optional() })).optional(),
  aside: z.boolean().optional(),
  expects: z.literal('text').optional(),
  locale: z.string().optional(),
  clearChat: z.boolean().optional(),
});

export const CURRENT_RECORD_VERSION = 2;

export const ConversationRecordSchema = z.object({
  version: z.literal(CURRENT_RECORD_VERSION),
  ref: ConversationRefSchema,
  locale: z.string(),
  localeSource: z.enum(['default', 'detected', 'chosen']),
  country: z.object({ current: z.string().optional(), origin: z.string().optional() }),
  flow: z
    .object({ id: z.string(), version: z.number().int(), snapshot: z.unknown() })
    .nullable(),
  /**
   * What the current flow step last said, shown again after `help`, a change
   * of language or a message nobody understood.
   */
  prompt: z.array(StoredOutputSchema),
  /** The choices last offered (by a flow or a command): what "2" or a label's text answers. */
  choices: z.array(z.object({ label: z.string(), payload: z.string(), params: ParamsSchema.optional() })),
  /** Messages in a row that nothing understood. */
  misses: z.number().int().nonnegative(),
  /** Draft languages whose "this translation is new" notice was already said. */
  notices: z.array(z.string()),
  caseId: z.string().optional(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

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
  const parsed = ConversationRecordSchema.safeParse(data);
  if (!parsed.success) throw new RecordError('stored record does not match its schema', parsed.error);
  return parsed.data;
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

export { migrations as recordMigrations };
