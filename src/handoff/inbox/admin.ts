import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HttpError } from '../../http/errors';
import { changeOrganisation, createOrganisation, organisationInputSchema } from '../organisation-admin';
import { NewStaffUserSchema, StaffUserPatchSchema, changeStaffUser, createStaffUser, staffUserView } from '../staff';
import { requireAdmin, whoIs } from './auth';
import type { ConsoleContext } from './context';
import { parseInput } from './http-errors';
import { Names } from './views';

const AUDIT_PAGE = 100;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

function pathId(params: unknown, what: string): string {
  const id = (params as { id?: unknown }).id;
  if (typeof id !== 'string' || !ID.test(id)) throw new HttpError(404, 'not_found', `no such ${what}`);
  return id;
}

const nonEmpty = <T extends object>(value: T) => Object.keys(value).length > 0;

const UsersQuery = z.object({
  organisationId: z.string({ error: 'give organisationId once' }).regex(ID, 'must be an organisation id').optional(),
});
const AuditQuery = z.object({
  before: z
    .string({ error: 'give before once' })
    .regex(/^\d{1,15}$/, 'must be an entry id')
    .transform(Number)
    .optional(),
});

/**
 * Users, organisations and the audit log (API.md, Admin): admins only. Each
 * change is audited with what changed, never the new values of personal
 * fields (a name, an email, a password).
 */
export function registerAdmin(app: FastifyInstance, ctx: ConsoleContext): void {
  const { store, clock } = ctx;
  const OrgInput = organisationInputSchema(ctx.locales);
  const OrgPatch = OrgInput.partial().refine(nonEmpty, { error: 'give at least one field to change' });
  const UserPatch = StaffUserPatchSchema.refine(nonEmpty, { error: 'give at least one field to change' });

  app.addHook('onRequest', requireAdmin);

  app.get('/admin/users', async (request) => {
    const { organisationId } = parseInput(UsersQuery, request.query, 'the query');
    const users = await store.listUsers(organisationId);
    return { users: users.map(staffUserView) };
  });

  app.post('/admin/users', async (request) => {
    const actor = whoIs(request).user;
    const input = parseInput(NewStaffUserSchema, request.body);
    const user = await createStaffUser(store, input, clock());
    await store.audit({
      at: clock(),
      userId: actor.id,
      action: 'user.created',
      caseId: null,
      detail: { user: user.id, role: user.role, organisation: user.organisationId },
    });
    return { user: staffUserView(user) };
  });

  app.patch('/admin/users/:id', async (request) => {
    const actor = whoIs(request).user;
    const id = pathId(request.params, 'user');
    const patch = parseInput(UserPatch, request.body);
    const { user, changed, sessionsEnded } = await changeStaffUser(store, id, patch);
    // A stream filters by the organisation it started with: end it, and the page reconnects as the user is now.
    if (sessionsEnded || changed.includes('organisationId')) ctx.live.endUser(user.id);
    if (changed.length > 0) {
      await store.audit({
        at: clock(),
        userId: actor.id,
        action: 'user.changed',
        caseId: null,
        detail: {
          user: user.id,
          changed: changed.join(','),
          ...(changed.includes('role') ? { role: user.role } : {}),
          ...(changed.includes('organisationId') ? { organisation: user.organisationId } : {}),
          ...(changed.includes('disabled') ? { disabled: user.disabled } : {}),
        },
      });
    }
    return { user: staffUserView(user) };
  });

  app.get('/admin/organisations', async () => ({ organisations: await store.listOrganisations() }));

  app.post('/admin/organisations', async (request) => {
    const actor = whoIs(request).user;
    const input = parseInput(OrgInput, request.body);
    const organisation = await createOrganisation(store, input, clock());
    await store.audit({
      at: clock(),
      userId: actor.id,
      action: 'organisation.created',
      caseId: null,
      detail: { organisation: organisation.id },
    });
    return { organisation };
  });

  app.patch('/admin/organisations/:id', async (request) => {
    const actor = whoIs(request).user;
    const id = pathId(request.params, 'organisation');
    const patch = parseInput(OrgPatch, request.body);
    const { organisation, changed } = await changeOrganisation(store, id, patch);
    if (changed.length > 0) {
      await store.audit({
        at: clock(),
        userId: actor.id,
        action: 'organisation.changed',
        caseId: null,
        detail: { organisation: organisation.id, changed: changed.join(',') },
      });
    }
    return { organisation };
  });

  app.get('/admin/audit', async (request) => {
    const { before } = parseInput(AuditQuery, request.query, 'the query');
    const entries = await store.listAudit(AUDIT_PAGE, before);
    const names = new Names(store);
    return {
      entries: await Promise.all(entries.map(async (e) => ({ ...e, userName: await names.user(e.userId) }))),
    };
  });
}
