// Staff accounts managed by admins: list, create, change role, disable and enable, reset the
// password. Disabling an account or resetting its password ends its sessions; every change is audited.
import type { Database, Queryable } from '../../core/db/database.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { hashPassword } from './password.ts';
import type { Role } from './sessions.ts';
import { checkPassword, createUser } from './users.ts';

export type Account = {
  id: number;
  email: string;
  role: Role;
  disabled: boolean;
  created_at: string;
};

/** A change an admin may make to an account. */
export interface AccountChange {
  role?: Role;
  disabled?: boolean;
}

/** Refused because it would leave nobody able to manage accounts. */
export class LastAdminError extends Error {
  constructor() {
    super('impossible : ce compte est le dernier administrateur actif / refused: this is the last active admin');
  }
}

const ACCOUNT_COLUMNS = `id, email, role, disabled, to_json(created_at)#>>'{}' AS created_at`;

/** Every account, by e-mail. */
export async function listAccounts(db: Queryable): Promise<Account[]> {
  return (await db.query<Account>(`SELECT ${ACCOUNT_COLUMNS} FROM users ORDER BY lower(email)`)).rows;
}

/** One account, if it exists. */
export async function findAccount(db: Queryable, id: number): Promise<Account | undefined> {
  return (await db.query<Account>(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1`, [id])).rows[0];
}

/** Creates an account (UserExistsError when the e-mail has one). */
export async function createAccount(db: Database, actorId: number, email: string, role: Role, password: string): Promise<Account> {
  return db.transaction(async (tx) => {
    const user = await createUser(tx, email, role, password);
    await recordAudit(tx, { userId: actorId, action: 'user_created', details: { after: { id: user.id, email: user.email, role: user.role } } });
    return (await findAccount(tx, user.id))!;
  });
}

/** Applies a role or enabled/disabled change; undefined when there is no such account. */
export async function updateAccount(db: Database, actorId: number, id: number, change: AccountChange): Promise<Account | undefined> {
  return db.transaction(async (tx) => {
    // Locking every active admin serialises concurrent demotions, so two admins cannot each
    // remove the other and leave none.
    const admins = (await tx.query<{ id: number }>(`SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`)).rows;
    const before = (await tx.query<Account>(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id])).rows[0];
    if (!before) return undefined;
    const after = { role: change.role ?? before.role, disabled: change.disabled ?? before.disabled };
    const stillAdmin = after.role === 'admin' && !after.disabled;
    if (admins.some((a) => a.id === id) && !stillAdmin && admins.length === 1) throw new LastAdminError();
    await tx.query('UPDATE users SET role = $2, disabled = $3 WHERE id = $1', [id, after.role, after.disabled]);
    if (after.disabled && !before.disabled) await tx.query('DELETE FROM sessions WHERE user_id = $1', [id]);
    const action = after.disabled === before.disabled ? 'user_updated' : after.disabled ? 'user_disabled' : 'user_enabled';
    await recordAudit(tx, {
      userId: actorId, action,
      details: { account: id, before: { role: before.role, disabled: before.disabled }, after },
    });
    return { ...before, ...after };
  });
}

/** Sets a new password and ends the account's sessions; false when there is no such account. */
export async function resetPassword(db: Database, actorId: number, id: number, password: unknown): Promise<boolean> {
  checkPassword(password);
  const hash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const updated = await tx.query('UPDATE users SET password_hash = $2 WHERE id = $1', [id, hash]);
    if (!updated.rowCount) return false;
    await tx.query('DELETE FROM sessions WHERE user_id = $1', [id]);
    await recordAudit(tx, { userId: actorId, action: 'user_password_reset', details: { account: id } });
    return true;
  });
}
