// Routes each request's reads: to the primary for writes and for a client that wrote a moment ago
// (a cookie set by its write), else to one replica for the whole request.
import type { Context, Next } from 'koa';
import type { ReadRouter } from '../../core/db/read-router.ts';

/** Set by a successful write; its presence sends the client's reads to the primary until it expires. */
export const READ_YOUR_WRITES_COOKIE = 'websig-rw';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readYourWrites(router: ReadRouter, windowS: number) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!router.hasReplicas) return next();
    const writes = !SAFE_METHODS.has(ctx.method);
    await router.scope(writes || ctx.cookies.get(READ_YOUR_WRITES_COOKIE) !== undefined, () => next());
    // Holds no identity: only "this browser wrote within the window", so replicas that have not
    // replayed the write yet are not asked by its next screens.
    if (writes && ctx.status < 400) {
      ctx.cookies.set(READ_YOUR_WRITES_COOKIE, '1', {
        maxAge: windowS * 1000, httpOnly: true, sameSite: 'lax', secure: ctx.secure, signed: false, overwrite: true,
      });
    }
  };
}
