import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hashPassword, passwordProblem } from './passwords';
import { HandoffError } from './service';
import type { HandoffStore } from './store';
import type { StaffUser } from './types';

/**
 * Staff accounts: created by an admin in the console or by
 * `npm run admin:create`, with the same rules either way.
 */

/** Letters, marks, spaces and punctuation a name can have; no control or format characters. */
const PRINTABLE = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+$/u;

export const StaffName = z
  .string({ error: 'must be text' })
  .trim()
  .min(1, 'must not be empty')
  .max(120, 'at most 120 characters')
  .regex(PRINTABLE, 'must not contain control characters');

/** Emails compare case-insensitively; they are kept trimmed and in lower case. */
export const StaffEmail = z
  .string({ error: 'must be text' })
  .trim()
  .max(254, 'at most 254 characters')
  .pipe(z.email({ error: 'must be an email address' }))
  .transform((v) => v.toLowerCase());

export const StaffPassword = z.string({ error: 'must be text' }).superRefine((value, ctx) => {
  const problem = passwordProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/^the password /, '') });
});

export const StaffRole = z.enum(['caseworker', 'admin'], { error: "must be 'caseworker' or 'admin'" });

export const NewStaffUserSchema = z.strictObject({
  email: StaffEmail,
  name: StaffName,
  password: StaffPassword,
  role: StaffRole,
  organisationId: z.string({ error: 'must be text' }).min(1, 'must not be empty').max(64, 'at most 64 characters'),
});
export type NewStaffUser = z.infer<typeof NewStaffUserSchema>;

export const StaffUserPatchSchema = z.strictObject({
  name: StaffName.optional(),
  role: StaffRole.optional(),
  organisationId: z.string({ error: 'must be text' }).min(1, 'must not be empty').max(64, 'at most 64 characters').optional(),
  disabled: z.boolean({ error: 'must be true or false' }).optional(),
  password: StaffPassword.optional(),
});
export type StaffUserPatch = z.infer<typeof StaffUserPatchSchema>;

/** A user as the console shows it: never the password hash. */
export interface StaffUserView {
  id: string;
  email: string;
  name: string;
  role: StaffUser['role'];
  organisationId: string;
  disabled: boolean;
  createdAt: number;
}

export function staffUserView(user: StaffUser): StaffUserView {
  const { id, email, name, role, organisationId, disabled, createdAt } = user;
  return { id, email, name, role, organisationId, disabled, createdAt };
}

export function newStaffId(): string {
  return randomBytes(12).toString('base64url');
}

/** Creates a staff user; `conflict` for an email already used, `invalid` for an unknown organisation. */
export async function createStaffUser(store: HandoffStore, input: NewStaffUser, now: number): Promise<StaffUser> {
  if (!(await store.getOrganisation(input.organisationId))) throw new HandoffError('invalid', 'organisationId: no such organisation');
  if (await store.findUserByEmail(input.email)) throw new HandoffError('conflict', 'a user with this email already exists');
  const user: StaffUser = {
    id: newStaffId(),
    email: input.email,
    name: input.name,
    role: input.role,
    organisationId: input.organisationId,
    passwordHash: await hashPassword(input.password),
    disabled: false,
    createdAt: now,
  };
  await store.saveUser(user);
  return user;
}

/**
 * Changes a staff user. Refuses (`conflict`) a change that would leave no
 * enabled admin: nobody could then manage the console. A new password or a
 * disabled account ends the user's sessions at once.
 */
export async function changeStaffUser(
  store: HandoffStore,
  id: string,
  patch: StaffUserPatch,
): Promise<{ user: StaffUser; changed: string[]; sessionsEnded: boolean }> {
  const user = await store.getUser(id);
  if (!user) throw new HandoffError('not-found', 'no such user');
  if (patch.organisationId !== undefined && !(await store.getOrganisation(patch.organisationId))) {
    throw new HandoffError('invalid', 'organisationId: no such organisation');
  }
  const next: StaffUser = { ...user };
  const changed: string[] = [];
  if (patch.name !== undefined && patch.name !== user.name) {
    next.name = patch.name;
    changed.push('name');
  }
  if (patch.role !== undefined && patch.role !== user.role) {
    next.role = patch.role;
    changed.push('role');
  }
  if (patch.organisationId !== undefined && patch.organisationId !== user.organisationId) {
    next.organisationId = patch.organisationId;
    changed.push('organisationId');
  }
  if (patch.disabled !== undefined && patch.disabled !== user.disabled) {
    next.disabled = patch.disabled;
    changed.push('disabled');
  }
  if (patch.password !== undefined) {
    next.passwordHash = await hashPassword(patch.password);
    changed.push('password');
  }

  const wasAdmin = user.role === 'admin' && !user.disabled;
  const isAdmin = next.role === 'admin' && !next.disabled;
  if (wasAdmin && !isAdmin) {
    const others = (await store.listUsers()).filter((u) => u.id !== id && u.role === 'admin' && !u.disabled);
    if (others.length === 0) throw new HandoffError('conflict', 'this is the last enabled admin: make another admin first');
  }
  if (changed.length === 0) return { user, changed, sessionsEnded: false };
  await store.saveUser(next);
  const sessionsEnded = changed.includes('password') || (next.disabled && changed.includes('disabled'));
  if (sessionsEnded) await store.deleteSessions({ userId: id });
  return { user: next, changed, sessionsEnded };
}
