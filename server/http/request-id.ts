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

/** The id of a request that sent `given` as its X-Request-Id ('' or undefined when it sent none). */
export function requestIdOf(given: string | undefined): string {
  return given && ACCEPTED.test(given) ? given : randomUUID();
}

export async function requestId(ctx: Context, next: Next): Promise<void> {
  ctx.state.requestId = requestIdOf(ctx.get('X-Request-Id'));
  ctx.set('X-Request-Id', ctx.state.requestId);
  await next();
}
