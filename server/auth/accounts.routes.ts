// /api/users…: admins list, create, disable and enable staff accounts, change roles and reset
// passwords; /api/users/{id}/history lists what an account changed (admins, or the person).
import Router from '@koa/router';
import { ClientError, notFound, unprocessable } from '../http/errors.ts';
import { bodyObject, jsonBody, pathId } from '../http/json-body.ts';
import { readAudit } from '../audit/audit-log.ts';
import { requireAdmin, requireStaff } from './auth.middleware.ts';
import { LastAdminError, createAccount, findAccount, listAccounts, resetPassword, updateAccount, type AccountChange } from './accounts.ts';
import { UserExistsError, UserInputError, checkRole } from './users.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** Most history entries one request lists. */
const HISTORY_LIMIT = 200;

/** Account errors as HTTP answers: 409 for an existing e-mail or the last admin, 422 for a bad field. */
function asClientError(error: unknown): unknown {
  if (error instanceof UserExistsError) return new ClientError(409, 'Conflict', error.message, { field: 'email' });
  if (error instanceof UserInputError) return unprocessable(error.field ?? 'body', error.message);
  if (error instanceof LastAdminError) return new ClientError(409, 'Conflict', error.message);
  return error;
}

export function accountsRoutes({ db }: RouteDeps): Router {
  const router = new Router({ prefix: '/api/users' });
  const admin = requireAdmin(db);
  const json = jsonBody('8kb');

  router.get('/', admin, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { users: await listAccounts(db) };
  });

  router.post('/', admin, json, async (ctx) => {
    const body = bodyObject(ctx, ['email', 'role', 'password']);
    if (typeof body.email !== 'string') throw unprocessable('email', 'adresse e-mail requise / e-mail required');
    try {
      const role = body.role ?? 'staff';
      checkRole(role);
      const account = await createAccount(db, ctx.state.user!.id, body.email, role, body.password as string);
      ctx.status = 201;
      ctx.set('Location', `/api/users/${account.id}`);
      ctx.body = account;
    } catch (error) {
      throw asClientError(error);
    }
  });

  router.get('/:id', admin, async (ctx) => {
    const account = await findAccount(db, pathId(ctx.params.id, 'compte / account'));
    if (!account) throw notFound(`compte introuvable / no account ${ctx.params.id}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = account;
  });

  router.patch('/:id', admin, json, async (ctx) => {
    const id = pathId(ctx.params.id, 'compte / account');
    const body = bodyObject(ctx, ['role', 'disabled']);
    const change: AccountChange = {};
    try {
      if (body.role !== undefined) {
        checkRole(body.role);
        change.role = body.role;
      }
    } catch (error) {
      throw asClientError(error);
    }
    if (body.disabled !== undefined) {
      if (typeof body.disabled !== 'boolean') throw unprocessable('disabled', 'disabled doit valoir true ou false / disabled must be true or false');
      change.disabled = body.disabled;
    }
    let account;
    try {
      account = await updateAccount(db, ctx.state.user!.id, id, change);
    } catch (error) {
      throw asClientError(error);
    }
    if (!account) throw notFound(`compte introuvable / no account ${id}`);
    ctx.body = account;
  });

  router.post('/:id/password', admin, json, async (ctx) => {
    const id = pathId(ctx.params.id, 'compte / account');
    const body = bodyObject(ctx, ['password']);
    let found;
    try {
      found = await resetPassword(db, ctx.state.user!.id, id, body.password);
    } catch (error) {
      throw asClientError(error);
    }
    if (!found) throw notFound(`compte introuvable / no account ${id}`);
    ctx.status = 204;
  });

  router.get('/:id/history', requireStaff(db), async (ctx) => {
    const id = pathId(ctx.params.id, 'compte / account');
    const me = ctx.state.user!;
    if (me.role !== 'admin' && me.id !== id) throw new ClientError(403, 'Forbidden', 'réservé aux administrateurs ou à la personne / admins or the person only');
    if (!(await findAccount(db, id))) throw notFound(`compte introuvable / no account ${id}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { entries: await readAudit(db, { userId: id }, HISTORY_LIMIT) };
  });
  return router;
}
