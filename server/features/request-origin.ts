// The scheme and host a client reached us by, for absolute links (GDAL follows them).
import type { Context } from 'koa';

/** `protocol://host` of the request; behind a trusted proxy (app.proxy) the X-Forwarded-* ones.
 *  Not Koa 3's `ctx.origin`, which is the Origin request header. */
export function requestOrigin(ctx: Context): string {
  return `${ctx.protocol}://${ctx.host}`;
}
