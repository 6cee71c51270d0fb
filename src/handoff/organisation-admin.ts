import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { HandoffError } from './service';
import type { HandoffStore } from './store';
import type { Organisation } from './types';

/** Organisations as an admin creates and changes them in the console. */

const unique = <T>(list: T[]) => [...new Set(list)];

const AlertTargetSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      kind: z.literal('webhook'),
      url: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).max(2000, 'at most 2000 characters'),
    }),
    z.strictObject({
      kind: z.literal('teams'),
      conversationKey: z.string({ error: 'must be text' }).min(1, 'must not be empty').max(500, 'at most 500 characters'),
    }),
  ],
  { error: "must be null, { kind: 'webhook', url } or { kind: 'teams', conversationKey }" },
);

/** The fields of an organisation; `locales` are the languages the bot speaks (a caseworker's languages are among them). */
export function organisationInputSchema(locales: readonly string[]) {
  return z.strictObject({
    name: z
      .string({ error: 'must be text' })
      .trim()
      .min(2, 'at least 2 characters')
      .max(120, 'at most 120 characters')
      .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'must not contain control characters'),
    languages: z
      .array(
        z.string({ error: 'must be language codes' }).refine((v) => locales.includes(v), {
          error: `each must be one of ${locales.join(', ')}`,
        }),
        { error: 'must be a list of language codes' },
      )
      .max(locales.length)
      .transform(unique),
    countries: z
      .array(
        z
          .string({ error: 'must be country codes' })
          .regex(/^[A-Za-z]{2}$/, 'each must be a two-letter ISO country code, e.g. MY')
          .transform((v) => v.toUpperCase()),
        { error: 'must be a list of country codes' },
      )
      .max(300, 'at most 300 countries')
      .transform(unique),
    expectedResponseMinutes: z
      .number({ error: 'must be a number of minutes' })
      .int('must be whole minutes')
      .min(1, 'at least 1')
      .max(10080, 'at most 10080 (a week)'),
    alertTarget: AlertTargetSchema.nullable(),
  });
}

export type OrganisationInput = z.infer<ReturnType<typeof organisationInputSchema>>;

export function newOrganisationId(): string {
  return randomBytes(9).toString('base64url');
}

async function nameTaken(store: HandoffStore, name: string, except?: string): Promise<boolean> {
  const wanted = name.toLocaleLowerCase();
  return (await store.listOrganisations()).some((o) => o.id !== except && o.name.toLocaleLowerCase() === wanted);
}

/** Names are unique (case-insensitive), so that a transfer target is never ambiguous. */
export async function createOrganisation(store: HandoffStore, input: OrganisationInput, now: number): Promise<Organisation> {
  if (await nameTaken(store, input.name)) throw new HandoffError('conflict', 'an organisation with this name already exists');
  const org: Organisation = { id: newOrganisationId(), ...input, createdAt: now };
  await store.saveOrganisation(org);
  return org;
}

export async function changeOrganisation(
  store: HandoffStore,
  id: string,
  patch: Partial<OrganisationInput>,
): Promise<{ organisation: Organisation; changed: string[] }> {
  const org = await store.getOrganisation(id);
  if (!org) throw new HandoffError('not-found', 'no such organisation');
  if (patch.name !== undefined && (await nameTaken(store, patch.name, id))) {
    throw new HandoffError('conflict', 'an organisation with this name already exists');
  }
  const changed = (Object.keys(patch) as (keyof OrganisationInput)[]).filter(
    (k) => patch[k] !== undefined && JSON.stringify(patch[k]) !== JSON.stringify(org[k]),
  );
  if (changed.length === 0) return { organisation: org, changed };
  const next: Organisation = { ...org, ...Object.fromEntries(changed.map((k) => [k, patch[k]])) };
  await store.saveOrganisation(next);
  return { organisation: next, changed };
}
