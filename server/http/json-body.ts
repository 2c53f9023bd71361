// JSON request bodies for the staff APIs: parsed with a size limit, and read as one flat object
// whose every member must be one the endpoint knows.
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import { ClientError, badRequest } from './errors.ts';

/** Koa middleware parsing a JSON body of at most `limit` (koa-body syntax, e.g. '1mb'). */
export const jsonBody = (limit = '64kb') => koaBody({ json: true, urlencoded: false, text: false, jsonLimit: limit });

/** The body as an object; 400 when it is not one, or names a member outside `known`. */
export function bodyObject(ctx: Context, known: readonly string[]): Record<string, unknown> {
  const body = ctx.request.body as unknown;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('le corps doit être un objet JSON / the body must be a JSON object');
  }
  for (const name of Object.keys(body)) {
    if (!known.includes(name)) {
      throw new ClientError(400, 'InvalidParameterValue', `champ inconnu / unknown field "${name.slice(0, 60)}" (known: ${known.join(', ')})`, { field: name.slice(0, 60) });
    }
  }
  return body as Record<string, unknown>;
}

/** A positive integer path parameter, else a 404 naming what was looked for. */
export function pathId(raw: string | undefined, what: string): number {
  if (!raw || !/^[1-9]\d{0,9}$/.test(raw) || Number(raw) > 2147483647) {
    throw new ClientError(404, 'NotFound', `${what} introuvable / no ${what} "${String(raw).slice(0, 40)}"`);
  }
  return Number(raw);
}
