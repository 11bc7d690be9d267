import express, { type Request, type Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/pool';
import type { Logger } from '../../log';
import { auditDetails, auditTarget, changesBetween } from '../../audit/audit-log';
import { HttpError } from '../errors';
import { idCheckedRouter } from '../ids';
import { parseBody } from '../validate';
import { requireAdmin } from './admin-auth';
import { adminRoles, createInvitation, findAdminById, listAdmins, listPendingInvitations, revokeInvitation, setAccess, setDisabled, type Invitation } from './admin-users';

/** How long an invitation link works. */
export const invitationValidDays = 7;

const integrationIds = z.array(z.uuid()).max(500).default([]);
const accessFields = {
  role: z.enum(adminRoles),
  integrationIds,
};
const ownersHaveAll = (b: { role: string; integrationIds: string[] }) => b.role !== 'owner' || b.integrationIds.length === 0;
const ownersHaveAllIssue = { message: 'an owner has every integration: send no integrationIds', path: ['integrationIds'] };

const inviteSchema = z.strictObject({ email: z.email().max(320), ...accessFields }).refine(ownersHaveAll, ownersHaveAllIssue);
const accessSchema = z.strictObject({ adminId: z.uuid(), ...accessFields }).refine(ownersHaveAll, ownersHaveAllIssue);
const adminIdSchema = z.strictObject({ adminId: z.uuid() });
const invitationIdSchema = z.strictObject({ invitationId: z.uuid() });

const invitationView = (i: Invitation) => ({
  id: i.id,
  email: i.email,
  role: i.role,
  integrationIds: i.integrationIds,
  invitedBy: i.invitedBy,
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
});

/** Who is acting, as the audit log names them. */
const actorOf = (req: Request) => (req.get('authorization') ? 'admin token' : (req.session?.adminEmail ?? 'unknown'));

/**
 * The team (owners only, as src/api/admin/roles.ts decides for every /api/team path): the admins with
 * their roles and integrations, the pending invitations; inviting, revoking, changing a role or the
 * integrations given, disabling and enabling. The last enabled owner is neither demoted nor disabled (409).
 * Ids go in the bodies: every path parameter of the API is one of src/api/ids.ts's.
 */
export function teamRoutes(deps: { db: Db; adminToken: string | undefined; publicUrl: string; logger: Logger }): Router {
  const router = idCheckedRouter();
  router.use('/api/team', requireAdmin(deps.adminToken), express.json({ limit: '16kb' }));

  router.get('/api/team', async (_req, res) => {
    const [admins, invitations] = await Promise.all([listAdmins(deps.db), listPendingInvitations(deps.db)]);
    res.json({
      admins: admins.map((a) => ({
        id: a.id,
        email: a.email,
        role: a.role,
        integrationIds: a.integrationIds,
        disabled: a.disabledAt !== null,
        password: a.passwordHash !== null,
        createdAt: a.createdAt.toISOString(),
        lastLoginAt: a.lastLoginAt?.toISOString() ?? null,
      })),
      invitations: invitations.map(invitationView),
      invitationValidDays,
    });
  });

  router.post('/api/team/invitations', async (req, res) => {
    const body = parseBody(inviteSchema, req.body);
    const { invitation, token } = await createInvitation(deps.db, { ...body, invitedBy: actorOf(req), validDays: invitationValidDays });
    auditTarget(res, `admin=${invitation.email}`);
    auditDetails(res, { role: invitation.role, integrationIds: invitation.integrationIds, expiresAt: invitation.expiresAt.toISOString() });
    deps.logger.info({ invitation: invitation.id, role: invitation.role }, 'admin invited');
    // The link is answered once, to the owner who passes it on; the token is in the fragment, so it is in no request line.
    res.status(201).json({ invitation: invitationView(invitation), link: `${deps.publicUrl}/admin/#/invitation/${token}` });
  });

  router.post('/api/team/invitations/revoke', async (req, res) => {
    const { invitationId } = parseBody(invitationIdSchema, req.body);
    const revoked = await revokeInvitation(deps.db, invitationId);
    if (!revoked) throw new HttpError(404, 'unknown_invitation', `no pending invitation ${invitationId}`);
    auditTarget(res, `admin=${revoked.email}`);
    res.json({ invitation: invitationView(revoked) });
  });

  router.put('/api/team/admins/access', async (req, res) => {
    const body = parseBody(accessSchema, req.body);
    const { admin, before } = await setAccess(deps.db, body.adminId, body.role, body.integrationIds);
    const after = { role: admin.role, integrationIds: admin.role === 'owner' ? [] : [...new Set(body.integrationIds)].sort() };
    auditTarget(res, `admin=${admin.email}`);
    auditDetails(res, { changes: changesBetween(before, after) });
    res.json({ admin: { id: admin.id, email: admin.email, ...after, disabled: admin.disabledAt !== null } });
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    router.post(`/api/team/admins/${action}`, async (req, res) => {
      const { adminId } = parseBody(adminIdSchema, req.body);
      if (!(await findAdminById(deps.db, adminId))) throw new HttpError(404, 'unknown_admin', `no admin ${adminId}`);
      const { admin, changed } = await setDisabled(deps.db, adminId, disabled);
      auditTarget(res, `admin=${admin.email}`);
      auditDetails(res, { changes: changed ? [{ path: 'disabled', before: !disabled, after: disabled }] : [] });
      if (changed) deps.logger.info({ admin: admin.id }, disabled ? 'admin disabled' : 'admin enabled');
      res.json({ admin: { id: admin.id, email: admin.email, role: admin.role, disabled: admin.disabledAt !== null } });
    });
  }
  return router;
}
