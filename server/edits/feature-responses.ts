// How the zone and lot APIs answer: who is reading (public or staff), features and collections
// with strong ETags and 304s, and the preconditions an edit request carries.
import type { Context } from 'koa';
import type { Database } from '../../core/db/database.ts';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { ident } from '../../core/layers/layer-sql.ts';
import { readSession } from '../auth/auth.middleware.ts';
import { featureJsonSql, type Audience } from './feature-sql.ts';
import type { EditPreconditions, StoredFeature } from './feature-store.ts';
import { bodyEtag, bodyVersion, noneMatch, versionFromIfMatch } from './preconditions.ts';

/** Staff (any signed-in account) see every field; everybody else the public ones. */
export async function audienceOf(ctx: Context, db: Database): Promise<Audience> {
  return (await readSession(ctx, db)) ? 'staff' : 'public';
}

function cacheHeaders(ctx: Context, audience: Audience, etag: string): boolean {
  ctx.set('ETag', etag);
  // Revalidated on every use (a cheap 304), so an edit shows at once; staff answers stay private.
  ctx.set('Cache-Control', audience === 'staff' ? 'private, no-cache' : 'public, no-cache');
  ctx.vary('Cookie');
  if (noneMatch(ctx.get('If-None-Match'), etag)) {
    ctx.status = 304;
    return true;
  }
  return false;
}

/** Answers one feature with its ETag (304 when the client has it). */
export function sendFeature(ctx: Context, stored: StoredFeature, audience: Audience, status = 200): void {
  if (status === 200 && cacheHeaders(ctx, audience, stored.etag)) return;
  ctx.set('ETag', stored.etag);
  ctx.status = status;
  ctx.type = 'application/geo+json';
  ctx.body = stored.feature;
}

/** Answers a FeatureCollection of the rows `where` selects ($1… = params), ordered by `orderBy`. */
export async function sendCollection(
  ctx: Context, db: Database, layer: LayerDef, audience: Audience, where: string, params: unknown[], orderBy: string,
): Promise<void> {
  const { rows } = await db.query<{ body: string }>(
    `SELECT json_build_object('type', 'FeatureCollection',
       'features', coalesce(json_agg(${featureJsonSql(layer, audience)} ORDER BY ${orderBy}), '[]'::json))::text AS body
       FROM ${ident(layer.id)} t WHERE ${where}`,
    params,
  );
  const body = rows[0]!.body;
  if (cacheHeaders(ctx, audience, bodyEtag(body))) return;
  ctx.type = 'application/geo+json';
  ctx.body = body;
}

/** The If-Match version (428 / 412) and body version (422 when malformed) of an edit of feature `id`. */
export function editPreconditions(ctx: Context, layer: LayerDef, id: number, body: Record<string, unknown> = {}): EditPreconditions {
  return { ifMatch: versionFromIfMatch(ctx.get('If-Match') || undefined, layer.id, id), bodyVersion: bodyVersion(body.version) };
}
