import { createHash, randomBytes } from 'node:crypto';
import type { PoolClient } from 'pg';
import { hashPassword, verifyPassword } from '../../crypto/passwords';
import { inTransaction, type Db } from '../../db/pool';
import { HttpError } from '../errors';

/** README "Team and single sign-on": owner — everything; admin — the integrations given; viewer — reads the integrations given. */
export const adminRoles = ['owner', 'admin', 'viewer'] as const;
export type AdminRole = (typeof adminRoles)[number];

export interface AdminUser {
  id: string;
  email: string;
  /** null: an admin who signs in only through SSO. */
  passwordHash: string | null;
  role: AdminRole;
  disabledAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
}

interface AdminUserRow {
  id: string;
  email: string;
  password_hash: string | null;
  role: AdminRole;
  disabled_at: Date | null;
  created_at: Date;
  last_login_at: Date | null;
}

const fromRow = (r: AdminUserRow): AdminUser => ({
  id: r.id,
  email: r.email,
  passwordHash: r.password_hash,
  role: r.role,
  disabledAt: r.disabled_at,
  createdAt: r.created_at,
  lastLoginAt: r.last_login_at,
});

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export async function findAdminByEmail(db: Db, email: string): Promise<AdminUser | undefined> {
  const { rows } = await db.query<AdminUserRow>('SELECT * FROM admin_users WHERE email = $1', [normalizeEmail(email)]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function findAdminById(db: Db, id: string): Promise<AdminUser | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const { rows } = await db.query<AdminUserRow>('SELECT * FROM admin_users WHERE id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** The integrations given to an admin or viewer (an owner's list is empty: they have all). */
export async function integrationsOf(db: Db, adminId: string): Promise<string[]> {
  const { rows } = await db.query<{ integration_id: string }>('SELECT integration_id FROM admin_user_integrations WHERE admin_user_id = $1 ORDER BY integration_id', [adminId]);
  return rows.map((r) => r.integration_id);
}

/** Every admin with the integrations given to them, owners first. */
export async function listAdmins(db: Db): Promise<Array<AdminUser & { integrationIds: string[] }>> {
  const { rows } = await db.query<AdminUserRow & { integration_ids: string[] }>(
    `SELECT u.*, coalesce(array_agg(i.integration_id ORDER BY i.integration_id) FILTER (WHERE i.integration_id IS NOT NULL), '{}') AS integration_ids
     FROM admin_users u LEFT JOIN admin_user_integrations i ON i.admin_user_id = u.id
     GROUP BY u.id ORDER BY array_position(ARRAY['owner', 'admin', 'viewer'], u.role), u.email`,
  );
  return rows.map((r) => ({ ...fromRow(r), integrationIds: r.integration_ids }));
}

/** Ends every session of an admin at once (password reset, disabled, role changed). */
export async function deleteSessionsOf(db: Db | PoolClient, adminId: string): Promise<void> {
  await db.query(`DELETE FROM admin_sessions WHERE sess->>'adminUserId' = $1`, [adminId]);
}

/**
 * The admin named by ADMIN_EMAIL/ADMIN_PASSWORD: created when absent, and given the configured password
 * when it differs (changing the variable and restarting is how a forgotten password is reset, and
 * how a leaked one is revoked). This admin is an enabled owner after every start: the variables are the
 * way back in when the team was locked out.
 */
export async function ensureAdmin(db: Db, email: string, password: string): Promise<void> {
  const existing = await findAdminByEmail(db, email);
  if (existing?.passwordHash && (await verifyPassword(password, existing.passwordHash))) {
    if (existing.role !== 'owner' || existing.disabledAt) await db.query(`UPDATE admin_users SET role = 'owner', disabled_at = NULL WHERE id = $1`, [existing.id]);
    return;
  }
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO admin_users (email, password_hash) VALUES ($1, $2)
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = 'owner', disabled_at = NULL RETURNING id`,
    [normalizeEmail(email), await hashPassword(password)],
  );
  // A reset password logs that admin out everywhere: whoever knew the old one keeps no session.
  await deleteSessionsOf(db, rows[0]!.id);
}

export async function recordLogin(db: Db, id: string): Promise<void> {
  await db.query('UPDATE admin_users SET last_login_at = now() WHERE id = $1', [id]);
}

/** 400 naming each id that is no integration. */
export async function assertIntegrationsExist(db: Db | PoolClient, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const { rows } = await db.query<{ id: string }>('SELECT id FROM integrations WHERE id = ANY($1::uuid[])', [ids]);
  const known = new Set(rows.map((r) => r.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new HttpError(400, 'invalid_body', `integrationIds: no integration ${unknown.join(', ')}`, { issues: [{ path: 'integrationIds', message: `no integration ${unknown.join(', ')}` }] });
  }
}

/**
 * The last enabled owner stays one: locks the enabled owners' rows (so two owners demoting each other at
 * once cannot both succeed) and refuses with 409 when `adminId` is the only one.
 */
async function keepAnOwner(client: PoolClient, adminId: string, doing: string): Promise<void> {
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM admin_users WHERE role = 'owner' AND disabled_at IS NULL ORDER BY id FOR UPDATE`);
  if (rows.length === 1 && rows[0]!.id === adminId) {
    throw new HttpError(409, 'last_owner', `${doing} would leave the team without an enabled owner; make another admin an owner first`);
  }
}

async function lockedAdmin(client: PoolClient, adminId: string): Promise<AdminUser> {
  const { rows } = await client.query<AdminUserRow>('SELECT * FROM admin_users WHERE id = $1 FOR UPDATE', [adminId]);
  if (!rows[0]) throw new HttpError(404, 'unknown_admin', `no admin ${adminId}`);
  return fromRow(rows[0]);
}

/** Sets an admin's role and integrations; answers what they were before. */
export async function setAccess(
  db: Db,
  adminId: string,
  role: AdminRole,
  integrationIds: readonly string[],
): Promise<{ admin: AdminUser; before: { role: AdminRole; integrationIds: string[] } }> {
  return inTransaction(db, async (client) => {
    const admin = await lockedAdmin(client, adminId);
    if (admin.role === 'owner' && role !== 'owner' && !admin.disabledAt) await keepAnOwner(client, adminId, `making ${admin.email} ${role === 'admin' ? 'an' : 'a'} ${role}`);
    await assertIntegrationsExist(client, integrationIds);
    const before = (await client.query<{ integration_id: string }>('SELECT integration_id FROM admin_user_integrations WHERE admin_user_id = $1 ORDER BY integration_id', [adminId])).rows.map((r) => r.integration_id);
    await client.query('UPDATE admin_users SET role = $2 WHERE id = $1', [adminId, role]);
    await client.query('DELETE FROM admin_user_integrations WHERE admin_user_id = $1', [adminId]);
    const given = role === 'owner' ? [] : [...new Set(integrationIds)];
    if (given.length > 0) await client.query('INSERT INTO admin_user_integrations (admin_user_id, integration_id) SELECT $1, unnest($2::uuid[])', [adminId, given]);
    return { admin: { ...admin, role }, before: { role: admin.role, integrationIds: before } };
  });
}

/** Disables (and logs out everywhere at once) or re-enables an admin. */
export async function setDisabled(db: Db, adminId: string, disabled: boolean): Promise<{ admin: AdminUser; changed: boolean }> {
  return inTransaction(db, async (client) => {
    const admin = await lockedAdmin(client, adminId);
    if (disabled === Boolean(admin.disabledAt)) return { admin, changed: false };
    if (disabled && admin.role === 'owner') await keepAnOwner(client, adminId, `disabling ${admin.email}`);
    const { rows } = await client.query<AdminUserRow>(`UPDATE admin_users SET disabled_at = ${disabled ? 'now()' : 'NULL'} WHERE id = $1 RETURNING *`, [adminId]);
    if (disabled) await deleteSessionsOf(client, adminId);
    return { admin: fromRow(rows[0]!), changed: true };
  });
}

// ---- invitations ----

export interface Invitation {
  id: string;
  email: string;
  role: AdminRole;
  integrationIds: string[];
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
}

interface InvitationRow {
  id: string;
  email: string;
  role: AdminRole;
  integration_ids: string[];
  invited_by: string;
  created_at: Date;
  expires_at: Date;
}

const invitationFromRow = (r: InvitationRow): Invitation => ({
  id: r.id,
  email: r.email,
  role: r.role,
  integrationIds: r.integration_ids,
  invitedBy: r.invited_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
});

const tokenHash = (token: string) => createHash('sha256').update(token).digest();
const pending = 'accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()';

/** A new invitation; the token (32 random bytes, base64url) is answered once and only its SHA-256 is kept. */
export async function createInvitation(
  db: Db,
  input: { email: string; role: AdminRole; integrationIds: readonly string[]; invitedBy: string; validDays: number },
): Promise<{ invitation: Invitation; token: string }> {
  const email = normalizeEmail(input.email);
  if (await findAdminByEmail(db, email)) throw new HttpError(409, 'admin_exists', `${email} is an admin already; change their role on the Team page instead`);
  await assertIntegrationsExist(db, input.integrationIds);
  const token = randomBytes(32).toString('base64url');
  const { rows } = await db.query<InvitationRow>(
    `INSERT INTO admin_invitations (email, role, integration_ids, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3::uuid[], $4, $5, now() + $6 * interval '1 day') RETURNING *`,
    [email, input.role, input.role === 'owner' ? [] : [...new Set(input.integrationIds)], tokenHash(token), input.invitedBy, input.validDays],
  );
  return { invitation: invitationFromRow(rows[0]!), token };
}

export async function listPendingInvitations(db: Db): Promise<Invitation[]> {
  const { rows } = await db.query<InvitationRow>(`SELECT * FROM admin_invitations WHERE ${pending} ORDER BY created_at DESC`);
  return rows.map(invitationFromRow);
}

export async function revokeInvitation(db: Db, id: string): Promise<Invitation | undefined> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const { rows } = await db.query<InvitationRow>(`UPDATE admin_invitations SET revoked_at = now() WHERE id = $1 AND ${pending} RETURNING *`, [id]);
  return rows[0] ? invitationFromRow(rows[0]) : undefined;
}

/** The newest pending invitation of an e-mail (SSO sign-in of an invitee). */
export async function pendingInvitationFor(db: Db, email: string): Promise<Invitation | undefined> {
  const { rows } = await db.query<InvitationRow>(`SELECT * FROM admin_invitations WHERE email = $1 AND ${pending} ORDER BY created_at DESC LIMIT 1`, [normalizeEmail(email)]);
  return rows[0] ? invitationFromRow(rows[0]) : undefined;
}

/**
 * Accepts an invitation once: by its link's token (`{ token }`) or, after an SSO sign-in with a verified
 * e-mail, by that e-mail (`{ email }`). Creates the admin with the invitation's role and integrations and
 * answers them; undefined when no pending invitation matches (unknown, used, revoked or expired).
 */
export async function acceptInvitation(db: Db, by: { token: string } | { email: string }, password: string | null): Promise<AdminUser | undefined> {
  const passwordHash = password === null ? null : await hashPassword(password);
  return inTransaction(db, async (client) => {
    const { rows } = await client.query<InvitationRow>(
      'token' in by
        ? `UPDATE admin_invitations SET accepted_at = now() WHERE token_hash = $1 AND ${pending} RETURNING *`
        : `UPDATE admin_invitations SET accepted_at = now() WHERE id = (SELECT id FROM admin_invitations WHERE email = $1 AND ${pending} ORDER BY created_at DESC LIMIT 1) RETURNING *`,
      ['token' in by ? tokenHash(by.token) : normalizeEmail(by.email)],
    );
    if (!rows[0]) return undefined;
    const invitation = invitationFromRow(rows[0]);
    const created = await client.query<AdminUserRow>(
      `INSERT INTO admin_users (email, password_hash, role) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING *`,
      [invitation.email, passwordHash, invitation.role],
    );
    if (!created.rows[0]) throw new HttpError(409, 'admin_exists', `${invitation.email} is an admin already; log in instead`);
    // integrations deleted since the invitation are dropped
    await client.query(
      'INSERT INTO admin_user_integrations (admin_user_id, integration_id) SELECT $1, id FROM integrations WHERE id = ANY($2::uuid[])',
      [created.rows[0].id, invitation.integrationIds],
    );
    // the other invitations of this e-mail are spent too
    await client.query(`UPDATE admin_invitations SET revoked_at = now() WHERE email = $1 AND ${pending}`, [invitation.email]);
    return fromRow(created.rows[0]);
  });
}
