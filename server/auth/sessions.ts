// Staff sessions kept in the database (any instance can check them); only a hash of the token is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../../core/db/database.ts';

export type Role = 'staff' | 'admin';

export interface SessionUser {
  id: number;
  email: string;
  role: Role;
}

export interface Session {
  user: SessionUser;
  csrfToken: string;
}

/** How long a session lasts without a new login. */
export const SESSION_TTL_HOURS = 12;

const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Opens a session for the user; returns the token to put in the cookie and the CSRF token. */
export async function createSession(db: Queryable, userId: number): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO sessions (id, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + make_interval(hours => $4))`,
    [tokenHash(token), userId, csrfToken, SESSION_TTL_HOURS],
  );
  return { token, csrfToken };
}

/** The live session behind a cookie token, if any (expired sessions and disabled users count as none). */
export async function findSession(db: Queryable, token: string): Promise<Session | undefined> {
  const { rows } = await db.query<{ id: number; email: string; role: Role; csrf_token: string }>(
    `SELECT u.id, u.email, u.role, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.id = $1 AND s.expires_at > now() AND NOT u.disabled`,
    [tokenHash(token)],
  );
  const row = rows[0];
  return row && { user: { id: row.id, email: row.email, role: row.role }, csrfToken: row.csrf_token };
}

/** Ends a session (logout), and sweeps expired ones while at it. */
export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE id = $1 OR expires_at < now()', [tokenHash(token)]);
}
