// A request id on every request: the client's X-Request-Id when it is a plain token (a proxy's),
// else a new one; sent back, written in log lines and in server-error bodies.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';

declare module 'koa' {
  interface DefaultState {
    /** This request's id (X-Request-Id). */
    requestId?: string;
  }
}

const ACCEPTED = /^[A-Za-z0-9._:-]{1,64}$/;

export async function requestId(ctx: Context, next: Next): Promise<void> {
  const given = ctx.get('X-Request-Id');
  ctx.state.requestId = ACCEPTED.test(given) ? given : randomUUID();
  ctx.set('X-Request-Id', ctx.state.requestId);
  await next();
}
