// GET /api/setup (is first-admin setup open?) and POST /api/setup {token, email, password}: the
// first admin of a new installation, with the one-time token the server logged at start-up.
import Router from '@koa/router';
import { ClientError, RetryLaterError, unprocessable } from '../http/errors.ts';
import { bodyObject, jsonBody } from '../http/json-body.ts';
import { clientNetwork } from '../http/client-network.ts';
import { SetupClosedError, SetupTokenError, setupFirstAdmin, setupOpen } from './first-admin.ts';
import { UserInputError } from './users.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** Setup attempts per client network per 15 minutes, counted before the token is checked. */
const SETUP_ATTEMPTS = 10;
const WINDOW_S = 15 * 60;

export function setupRoutes({ db, rateLimiter }: RouteDeps): Router {
  const router = new Router({ prefix: '/api/setup' });

  router.get('/', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { open: await setupOpen(db) };
  });

  router.post('/', jsonBody('8kb'), async (ctx) => {
    // The token is long enough that guessing is hopeless; the limit keeps it so.
    const attempt = await rateLimiter.hit('setup', clientNetwork(ctx.ip), SETUP_ATTEMPTS, WINDOW_S);
    if (!attempt.allowed) throw new RetryLaterError(429, 'trop de tentatives, réessayez plus tard / too many attempts', attempt.retryAfterS);
    const body = bodyObject(ctx, ['token', 'email', 'password']);
    if (typeof body.token !== 'string' || body.token.length > 200) throw unprocessable('token', 'jeton requis / token required');
    if (typeof body.email !== 'string') throw unprocessable('email', 'adresse e-mail requise / e-mail required');
    if (typeof body.password !== 'string') throw unprocessable('password', 'mot de passe requis / password required');
    try {
      const user = await setupFirstAdmin(db, body.token, body.email, body.password);
      ctx.status = 201;
      ctx.body = { user };
    } catch (error) {
      if (error instanceof SetupClosedError) throw new ClientError(410, 'Gone', error.message);
      if (error instanceof SetupTokenError) {
        throw new ClientError(403, 'Forbidden', error.message, { field: 'token' });
      }
      if (error instanceof UserInputError) throw unprocessable(error.field ?? 'body', error.message);
      throw error;
    }
  });
  return router;
}
