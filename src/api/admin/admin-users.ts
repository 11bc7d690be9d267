import { hashPassword, verifyPassword } from '../../crypto/passwords';
import type { Db } from '../../db/pool';

export interface AdminUser {
  id: string;
  email: string;
  passwordHash: string;
}

interface AdminUserRow {
  id: string;
  email: string;
  password_hash: string;
}

const fromRow = (r: AdminUserRow): AdminUser => ({ id: r.id, email: r.email, passwordHash: r.password_hash });

export async function findAdminByEmail(db: Db, email: string): Promise<AdminUser | undefined> {
  const { rows } = await db.query<AdminUserRow>('SELECT * FROM admin_users WHERE email = $1', [email.trim().toLowerCase()]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function findAdminById(db: Db, id: string): Promise<AdminUser | undefined> {
  const { rows } = await db.query<AdminUserRow>('SELECT * FROM admin_users WHERE id = $1', [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/**
 * The admin named by ADMIN_EMAIL/ADMIN_PASSWORD: created when absent, and given the configured password
 * when it differs (changing the variable and restarting is how a forgotten password is reset, and
 * how a leaked one is revoked).
 */
export async function ensureAdmin(db: Db, email: string, password: string): Promise<void> {
  const existing = await findAdminByEmail(db, email);
  if (existing && (await verifyPassword(password, existing.passwordHash))) return;
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO admin_users (email, password_hash) VALUES ($1, $2)
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash RETURNING id`,
    [email.trim().toLowerCase(), await hashPassword(password)],
  );
  // A reset password logs that admin out everywhere: whoever knew the old one keeps no session.
  await db.query(`DELETE FROM admin_sessions WHERE sess->>'adminUserId' = $1`, [rows[0]!.id]);
}

export async function recordLogin(db: Db, id: string): Promise<void> {
  await db.query('UPDATE admin_users SET last_login_at = now() WHERE id = $1', [id]);
}
