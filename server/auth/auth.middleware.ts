// Koa middleware guarding staff endpoints: a valid session cookie, the right role, and the CSRF
// token on every request that changes something.
import type { Context, Next } from 'koa';
import type { Database } from '../../core/db/database.ts';
import { ClientError } from '../http/errors.ts';
import { findSession, type Session, type SessionUser } from './sessions.ts';
import { tokensEqual } from './token-compare.ts';

export const SESSION_COOKIE = 'websig_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'koa' {
  interface DefaultState {
    user?: SessionUser;
    session?: Session;
  }
}

/** The session behind the request's signed cookie, cached on ctx.state for the request. */
export async function readSession(ctx: Context, db: Database): Promise<Session | undefined> {
  if (ctx.state.session) return ctx.state.session;
  const token = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  if (!token) return undefined;
  const session = await findSession(db, token);
  if (session) {
    ctx.state.session = session;
    ctx.state.user = session.user;
  }
  return session;
}

/** Rejects requests without a staff (or admin) session: 401, 403 for a missing CSRF token. */
export function requireStaff(db: Database) {
  return async (ctx: Context, next: Next) => {
    const session = await readSession(ctx, db);
    if (!session) throw new ClientError(401, 'Unauthorized', 'connexion requise / login required');
    if (session.user.role !== 'staff' && session.user.role !== 'admin') {
      throw new ClientError(403, 'Forbidden', 'réservé aux agents / staff only');
    }
    if (!SAFE_METHODS.has(ctx.method) && !tokensEqual(ctx.get(CSRF_HEADER), session.csrfToken)) {
      throw new ClientError(403, 'Forbidden', `jeton CSRF absent ou invalide (en-tête ${CSRF_HEADER}) / missing or invalid CSRF token`);
    }
    await next();
  };
}

/** Like requireStaff, for admin-only endpoints. */
export function requireAdmin(db: Database) {
  const staff = requireStaff(db);
  return (ctx: Context, next: Next) =>
    staff(ctx, async () => {
      if (ctx.state.user?.role !== 'admin') throw new ClientError(403, 'Forbidden', 'réservé aux administrateurs / admins only');
      await next();
    });
}
