// The first admin of a new installation, made through the running server: while no active admin
// exists, start-up issues a one-time setup token (logged, only its hash stored) that
// POST /api/setup exchanges for an admin account. `user:add` cannot reach the embedded database
// the server holds, so this is the way in there; once an admin exists, setup is closed for good.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database, Queryable } from '../../core/db/database.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { SessionUser } from './sessions.ts';
import { createUser } from './users.ts';

const SETTING = 'first_admin_setup_token';

/** Setup is closed: an admin exists, or no token was issued. */
export class SetupClosedError extends Error {
  constructor() {
    super('la configuration initiale est close : un administrateur existe déjà / setup is closed: an admin already exists');
  }
}

/** The token does not match the one logged at start-up. */
export class SetupTokenError extends Error {
  constructor() {
    super('jeton de configuration incorrect / wrong setup token');
  }
}

const hashToken = (token: string) => createHash('sha256').update(token).digest();

async function hasActiveAdmin(db: Queryable): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM users WHERE role = 'admin' AND NOT disabled LIMIT 1`)).rowCount! > 0;
}

/**
 * At start-up: a fresh setup token when no active admin exists (replacing any earlier one, so the
 * token last logged is the valid one), else none and any leftover token is withdrawn.
 */
export async function issueSetupToken(db: Queryable): Promise<string | undefined> {
  if (await hasActiveAdmin(db)) {
    await db.query('DELETE FROM app_settings WHERE key = $1', [SETTING]);
    return undefined;
  }
  const token = randomBytes(24).toString('base64url');
  await db.query(
    `INSERT INTO app_settings (key, value) VALUES ($1, $2)
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [SETTING, hashToken(token).toString('base64url')],
  );
  return token;
}

/** Whether setup is open (a token was issued and no active admin exists yet). */
export async function setupOpen(db: Queryable): Promise<boolean> {
  const issued = (await db.query('SELECT 1 FROM app_settings WHERE key = $1', [SETTING])).rowCount! > 0;
  return issued && !(await hasActiveAdmin(db));
}

/** Exchanges the token for the first admin account; the token is spent in the same transaction. */
export async function setupFirstAdmin(db: Database, token: string, email: string, password: string): Promise<SessionUser> {
  return db.transaction(async (tx) => {
    // The row lock makes two simultaneous attempts with the right token create one admin, not two.
    const stored = (await tx.query<{ value: string }>('SELECT value FROM app_settings WHERE key = $1 FOR UPDATE', [SETTING])).rows[0];
    if (!stored || (await hasActiveAdmin(tx))) throw new SetupClosedError();
    const expected = Buffer.from(stored.value, 'base64url');
    if (!timingSafeEqual(hashToken(token), expected)) throw new SetupTokenError();
    const user = await createUser(tx, email, 'admin', password);
    await tx.query('DELETE FROM app_settings WHERE key = $1', [SETTING]);
    await recordAudit(tx, { userId: user.id, action: 'first_admin_created', details: { after: user } });
    return user;
  });
}
