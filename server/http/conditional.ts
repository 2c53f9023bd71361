// Conditional GET on validators derived from the change signal: weak ETags, If-None-Match, 304.
import { hash } from 'node:crypto';
import type { Context } from 'koa';

/**
 * The first of `etags` that an If-None-Match header names, if any: weak comparison, as RFC 9110
 * §13.1.2 asks for If-None-Match, and `*` names the first.
 */
export function matchingEtag(header: string | undefined, etags: readonly string[]): string | undefined {
  if (!header) return undefined;
  if (header.trim() === '*') return etags[0];
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const named = new Set(header.split(',').map(opaque));
  return etags.find((tag) => named.has(opaque(tag)));
}

/** A weak ETag over the parts that make a response: for bodies that are equivalent, not byte for byte
 *  equal (a time stamp inside, or koa-compress re-encoding them under the same tag). */
export function weakEtag(...parts: readonly string[]): string {
  return `W/"${hash('sha1', parts.join('\n'), 'base64url')}"`;
}

/**
 * Sets the ETag and answers 304 when If-None-Match names it; true when it did. If-Modified-Since is
 * not honoured: a restored database can bring back an older Last-Modified with other data, while
 * the ETag carries the database identity.
 */
export function answerNotModified(ctx: Context, etag: string): boolean {
  ctx.set('ETag', etag);
  if (matchingEtag(ctx.get('If-None-Match'), [etag]) === undefined) return false;
  ctx.status = 304;
  return true;
}
