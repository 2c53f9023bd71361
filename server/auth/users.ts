// Staff accounts: creation (CLI, admin API, first-admin setup) and credential checks (login).
import type { Queryable } from '../../core/db/database.ts';
import { checkPasswordStrength, hashPassword, needsRehash, verifyPassword } from './password.ts';
import type { Role, SessionUser } from './sessions.ts';

// No control characters: PostgreSQL text cannot hold NUL, and no real address has them.
const EMAIL = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

/** Whether `email` could be an account's address (the shape accounts are created with). */
export function isEmailShaped(email: string): boolean {
  return email.length <= 320 && EMAIL.test(email);
}

/** A value that cannot make an account; `field` names it (`email`, `role`, `password`). */
export class UserInputError extends Error {
  constructor(message: string, readonly field?: 'email' | 'role' | 'password') {
    super(message);
  }
}

/** An account with this e-mail exists already (e-mails are compared ignoring case). */
export class UserExistsError extends UserInputError {
  constructor(email: string) {
    super(`un compte existe déjà pour ${email} / an account already exists for ${email}`, 'email');
  }
}

export const ROLES: readonly Role[] = ['staff', 'admin'];

/** Checks e-mail, role and password; throws UserInputError naming the first one at fault. */
function checkAccount(email: string, role: string, password: string): asserts role is Role {
  if (!isEmailShaped(email)) throw new UserInputError(`adresse e-mail invalide / invalid e-mail: "${email.slice(0, 320)}"`, 'email');
  checkRole(role);
  checkPassword(password);
}

/** Throws unless `role` is one of ROLES. */
export function checkRole(role: unknown): asserts role is Role {
  if (!ROLES.includes(role as Role)) throw new UserInputError(`rôle inconnu / unknown role "${String(role)}" (${ROLES.join(' or ')})`, 'role');
}

/** Throws unless the password is acceptable for a staff account. */
export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length > 1024) throw new UserInputError('mot de passe requis (texte) / password required (text)', 'password');
  const weak = checkPasswordStrength(password);
  if (weak) throw new UserInputError(weak, 'password');
}

/** Creates a staff account; refuses (UserExistsError) when the e-mail already has one. */
export async function createUser(db: Queryable, email: string, role: Role, password: string): Promise<SessionUser> {
  checkAccount(email, role, password);
  const hash = await hashPassword(password);
  const { rows } = await db.query<{ id: number; email: string; role: Role }>(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3)
     ON CONFLICT (lower(email)) DO NOTHING RETURNING id, email, role`,
    [email, hash, role],
  );
  if (!rows[0]) throw new UserExistsError(email);
  return rows[0];
}

/**
 * Creates a staff account, or (asked for explicitly: `user:add --reset`) resets the password and
 * role of an existing one, enables it again and ends its sessions.
 */
export async function upsertUser(db: Queryable, email: string, role: Role, password: string): Promise<SessionUser> {
  checkAccount(email, role, password);
  const hash = await hashPassword(password);
  const { rows } = await db.query<{ id: number; email: string; role: Role }>(
    `INSERT INTO users (email, password_hash, role) VALUES ($1, $2, $3)
     ON CONFLICT (lower(email)) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, disabled = false
     RETURNING id, email, role`,
    [email, hash, role],
  );
  await db.query('DELETE FROM sessions WHERE user_id = $1', [rows[0]!.id]);
  return rows[0]!;
}

// Verifying against a fixed hash when the user is unknown keeps the answer time the same either way.
let dummyHash: Promise<string> | undefined;

/** Runs the costly hashing of a login (a bounded queue in the server; at once by default). */
export type HashingGate = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * The key logins of `email` are counted under: the e-mail as `authenticate` compares it, lower-cased
 * by PostgreSQL. JavaScript's toLowerCase differs on some letters ('İ'), which gave one account as
 * many throttle counters as spellings the database takes for it.
 */
export async function loginAccountKey(db: Queryable, email: string): Promise<string> {
  return (await db.query<{ key: string }>('SELECT lower($1) AS key', [email])).rows[0]!.key;
}

/**
 * The user whose e-mail and password match, if any. A matching password stored with other scrypt
 * parameters than today's is hashed again and stored (unless it changed meanwhile), so raising the
 * cost reaches every account at its next login.
 */
export async function authenticate(
  db: Queryable, email: string, password: string, gate: HashingGate = (work) => work(),
): Promise<SessionUser | undefined> {
  const { rows } = await db.query<{ id: number; email: string; role: Role; password_hash: string }>(
    'SELECT id, email, role, password_hash FROM users WHERE lower(email) = lower($1) AND NOT disabled',
    [email],
  );
  const row = rows[0];
  return gate(async () => {
    dummyHash ??= hashPassword('not-a-real-password');
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash));
    if (!row || !ok) return undefined;
    if (needsRehash(row.password_hash)) {
      await db.query('UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3',
        [await hashPassword(password), row.id, row.password_hash]);
    }
    return { id: row.id, email: row.email, role: row.role };
  });
}
