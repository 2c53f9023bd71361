// Security headers on every response (HTML, API, tiles): a Content-Security-Policy that allows the
// map and nothing else, who may frame it, HSTS over HTTPS; and responses whose absolute links were
// built from the request's Host kept out of shared caches.
import type { Context, Next } from 'koa';
import { BASEMAP_TILE_ORIGINS } from '../../core/basemap-origins.ts';

export interface SecurityHeadersOptions {
  /** CSP frame-ancestors sources (`FRAME_ANCESTORS`): who may embed the pages in a frame. */
  frameAncestors: readonly string[];
}

/** Builds the policy once. MapLibre runs its workers from a blob: URL and fetches tiles (ours and the
 *  basemaps') with fetch(); images may be data: (the favicon) or blob: (decoded tiles). Styles allow
 *  'unsafe-inline' for the one <style> block of the server-rendered pages and the accessibility
 *  statement: CSS cannot run script, and script-src stays 'self' only. */
export function contentSecurityPolicy(options: SecurityHeadersOptions): string {
  const tiles = BASEMAP_TILE_ORIGINS.join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob: ${tiles}`,
    `connect-src 'self' ${tiles}`,
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${options.frameAncestors.join(' ')}`,
  ].join('; ');
}

declare module 'koa' {
  interface DefaultState {
    /** Set when a response's absolute links were built from the request's Host (no PUBLIC_BASE_URL). */
    linksFromHost?: boolean;
  }
}

/** privateCacheControl's answers by value: routes send a handful of fixed values, on every request. */
const privateValues = new Map<string, string>();

/** A Cache-Control value that no shared cache may store (the browser still may). */
export function privateCacheControl(value: string): string {
  const known = privateValues.get(value);
  if (known !== undefined) return known;
  const made = makePrivate(value);
  if (privateValues.size < 256) privateValues.set(value, made);
  return made;
}

function makePrivate(value: string): string {
  if (/\b(private|no-store)\b/i.test(value)) return value;
  const rest = value.split(',').map((d) => d.trim()).filter((d) => d && !/^(public|s-maxage=.*)$/i.test(d));
  return ['private', ...rest].join(', ');
}

/** Strict-Transport-Security, sent only over HTTPS (here and by the lean path, server/http/lean-path.ts). */
export const HSTS = 'max-age=31536000';

/** The headers every response carries whatever the request (HSTS, which depends on it, apart). */
export function constantSecurityHeaders(options: SecurityHeadersOptions): [name: string, value: string][] {
  return [
    ['Content-Security-Policy', contentSecurityPolicy(options)],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  ];
}

export function securityHeaders(options: SecurityHeadersOptions) {
  const constant = constantSecurityHeaders(options);
  return async (ctx: Context, next: Next) => {
    for (const [name, value] of constant) ctx.set(name, value);
    // Only over HTTPS (ctx.secure honours X-Forwarded-Proto from trusted proxies): browsers ignore
    // it over HTTP, and sending it there would say nothing true.
    if (ctx.secure) ctx.set('Strict-Transport-Security', HSTS);
    try {
      await next();
    } finally {
      // A shared cache would serve links to whatever Host the first client sent (cache poisoning).
      // Without a Cache-Control of its own, a cache could still keep it on heuristics.
      if (ctx.state.linksFromHost) ctx.set('Cache-Control', privateCacheControl(ctx.response.get('Cache-Control') || 'no-cache'));
    }
  };
}
