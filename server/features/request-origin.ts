// The scheme and host absolute links start with (GDAL and harvesters follow them).
import type { Context } from 'koa';

/** PUBLIC_BASE_URL when configured; otherwise `protocol://host` of the request (behind trusted
 *  proxies the X-Forwarded-* ones), and the response is then marked so that no shared cache keeps
 *  it (see security-headers.ts). Not Koa 3's `ctx.origin`, which is the Origin request header. */
export function requestOrigin(ctx: Context, publicBaseUrl: string | undefined): string {
  if (publicBaseUrl) return publicBaseUrl;
  ctx.state.linksFromHost = true;
  return `${ctx.protocol}://${ctx.host}`;
}
