// Staff accounts: creation (CLI) and credential checks (login).
import type { Queryable } from '../../core/db/database.ts';
import { checkPasswordStrength, hashPassword, verifyPassword } from './password.ts';
import type { Role, SessionUser } from './sessions.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class UserInputError extends Error {}

/** Creates a staff account, or resets the password and role of an existing one. */
export async function upsertUser(db: Queryable, email: string, role: Role, password: string): Promise<SessionUser> {
  if (!EMAIL.test(email)) throw new UserInputError(`adresse e-mail invalide / invalid e-mail: "${email}"`);
  if (role !== 'staff' && role !== 'admin') throw new UserInputError(`rôle inconnu / unknown role "${role}" (staff or admin)`);
  const weak = checkPasswordStrength(password);
  if (weak) throw new UserInputError(weak);
  const hash = await hashPassword(password);
  const { rows } = await db.query<{ id: number; email: string; role: Role }>(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3)
     ON CONFLICT (lower(email)) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, disabled = false
     RETURNING id, email, role`,
    [email, hash, role],
  );
  return rows[0]!;
}

// Verifying against a fixed hash when the user is unknown keeps the answer time the same either way.
let dummyHash: Promise<string> | undefined;

/** The user whose e-mail and password match, if any. */
export async function authenticate(db: Queryable, email: string, password: string): Promise<SessionUser | undefined> {
  const { rows } = await db.query<{ id: number; email: string; role: Role; password_hash: string }>(
    'SELECT id, email, role, password_hash FROM users WHERE lower(email) = lower($1) AND NOT disabled',
    [email],
  );
  const row = rows[0];
  dummyHash ??= hashPassword('not-a-real-password');
  const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash));
  return row && ok ? { id: row.id, email: row.email, role: row.role } : undefined;
}
