// /api/auth/login, /logout and /me: staff sessions in a signed, HttpOnly, SameSite cookie.
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import { ClientError, badRequest } from '../http/errors.ts';
import { createBoundedQueue } from '../http/bounded-queue.ts';
import { CSRF_HEADER, SESSION_COOKIE, readSession } from './auth.middleware.ts';
import { deviceFor, issueDeviceCookie } from './device-cookie.ts';
import { createLoginThrottle } from './login-throttle.ts';
import { tokensEqual } from './token-compare.ts';
import { SESSION_TTL_HOURS, createSession, deleteSession } from './sessions.ts';
import { authenticate, isEmailShaped, loginAccountKey } from './users.ts';
import type { RouteDeps } from '../http/route-deps.ts';

// Each password check takes 128 MiB and a thread of libuv's pool of 4, which gzip and static files
// share: two at once leave them room, and a short queue absorbs a few staff logging in together.
const HASHING = { concurrency: 2, maxWaiting: 8, retryAfterS: 2, what: 'vérification du mot de passe / password check' };

export function authRoutes({ db, config, rateLimiter }: RouteDeps): Router {
  const router = new Router({ prefix: '/api/auth' });
  const throttle = createLoginThrottle(rateLimiter, { perAccount: config.loginMaxPerAccount, perNetwork: config.loginMaxPerNetwork });
  const hashing = createBoundedQueue(HASHING);
  const json = koaBody({ json: true, urlencoded: false, text: false, jsonLimit: '10kb' });

  router.post('/login', json, async (ctx) => {
    const body = (ctx.request.body ?? {}) as { email?: unknown; password?: unknown };
    if (typeof body.email !== 'string' || typeof body.password !== 'string' || body.email.length > 320 || body.password.length > 1024) {
      throw badRequest('email et password (texte) sont requis / email and password are required');
    }
    if (!isEmailShaped(body.email)) throw badRequest('adresse e-mail invalide / invalid e-mail address');
    // Counted before the password is checked: a burst of concurrent attempts cannot all reach scrypt.
    const account = await loginAccountKey(db, body.email);
    const device = deviceFor(ctx, account);
    await throttle.attempt(account, ctx.ip, device);
    const user = await authenticate(db, body.email, body.password, hashing.run);
    if (!user) throw new ClientError(401, 'Unauthorized', 'identifiants incorrects / wrong e-mail or password');
    await throttle.succeeded(account, device);
    issueDeviceCookie(ctx, account);
    const { token, csrfToken } = await createSession(db, user.id);
    ctx.cookies.set(SESSION_COOKIE, token, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      // Secure follows the request (ctx.secure honours X-Forwarded-Proto behind trusted proxies), not NODE_ENV.
      secure: ctx.secure,
      maxAge: SESSION_TTL_HOURS * 3600 * 1000,
      overwrite: true,
    });
    await db.query(`INSERT INTO audit_log (user_id, action) VALUES ($1, 'login')`, [user.id]);
    ctx.body = { user, csrfToken };
  });

  router.post('/logout', async (ctx) => {
    const session = await readSession(ctx, db);
    if (session) {
      if (!tokensEqual(ctx.get(CSRF_HEADER), session.csrfToken)) throw new ClientError(403, 'Forbidden', 'jeton CSRF invalide / invalid CSRF token');
      await deleteSession(db, ctx.cookies.get(SESSION_COOKIE, { signed: true })!);
      await db.query(`INSERT INTO audit_log (user_id, action) VALUES ($1, 'logout')`, [session.user.id]);
    }
    ctx.cookies.set(SESSION_COOKIE, null, { signed: true, httpOnly: true, sameSite: 'lax', secure: ctx.secure });
    ctx.status = 204;
  });

  router.get('/me', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const session = await readSession(ctx, db);
    if (!session) throw new ClientError(401, 'Unauthorized', 'non connecté / not logged in');
    ctx.body = { user: session.user, csrfToken: session.csrfToken };
  });
  return router;
}
