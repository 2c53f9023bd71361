// /api/lots…: one lot as GeoJSON (public or staff fields, ETag), and staff edits: PATCH and DELETE
// with If-Match, split along a line, merge, undo of one's own last edit, and the lot's history.
import Router from '@koa/router';
import { requireStaff } from '../auth/auth.middleware.ts';
import { readAudit } from '../audit/audit-log.ts';
import { ClientError, notFound, unprocessable } from '../http/errors.ts';
import { bodyObject, jsonBody, pathId } from '../http/json-body.ts';
import { parseLine } from '../edits/edit-geometry.ts';
import { readFeature } from '../edits/feature-store.ts';
import { audienceOf, editPreconditions, sendFeature } from '../edits/feature-responses.ts';
import { bodyVersion, versionFromIfMatch } from '../edits/preconditions.ts';
import { editedLayers } from '../zones/zones.routes.ts';
import { deleteLot, patchLot, undoLastEdit } from './lot-edits.ts';
import { MAX_MERGED, mergeLots, readLineage, splitLot } from './lot-reshape.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** Most history entries one request lists. */
const HISTORY_LIMIT = 200;

export function lotsRoutes({ db, layers }: RouteDeps): Router {
  const { lots } = editedLayers(layers);
  const router = new Router({ prefix: '/api/lots' });
  const staff = requireStaff(db);
  const json = jsonBody('2mb');
  const lotId = (raw: string | undefined) => pathId(raw, 'lot');

  router.post('/merge', staff, json, async (ctx) => {
    const body = bodyObject(ctx, ['ids', 'versions', 'lot_number']);
    const ids = body.ids;
    if (!Array.isArray(ids) || ids.length < 2 || ids.length > MAX_MERGED || ids.some((i) => !Number.isInteger(i) || i < 1) || new Set(ids).size !== ids.length) {
      throw unprocessable('ids', `ids : de 2 à ${MAX_MERGED} identifiants de lots distincts / 2 to ${MAX_MERGED} distinct lot ids`);
    }
    const versions = body.versions;
    if (versions !== undefined && (!Array.isArray(versions) || versions.length !== ids.length || versions.some((v) => !Number.isInteger(v)))) {
      throw unprocessable('versions', 'versions : une version par identifiant / one version per id');
    }
    if (body.lot_number !== undefined && (typeof body.lot_number !== 'string' || body.lot_number.trim() === '' || body.lot_number.length > 40)) {
      throw unprocessable('lot_number', 'lot_number : texte non vide / non-empty text');
    }
    const merged = await mergeLots(db, lots, ctx.state.user!.id, ids as number[], versions as number[] | undefined, (body.lot_number as string | undefined)?.trim());
    ctx.set('Location', `/api/lots/${merged.feature.id}`);
    sendFeature(ctx, merged, 'staff', 201);
  });

  router.get('/:id', async (ctx) => {
    const audience = await audienceOf(ctx, db);
    const lot = await readFeature(db, lots, lotId(ctx.params.id), audience);
    if (!lot) throw notFound(`lot introuvable / no lot ${ctx.params.id}`);
    sendFeature(ctx, lot, audience);
  });

  router.patch('/:id', staff, json, async (ctx) => {
    const id = lotId(ctx.params.id);
    const body = ctx.request.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ClientError(400, 'InvalidParameterValue', 'le corps doit être un objet JSON / the body must be a JSON object');
    const fields = body as Record<string, unknown>;
    sendFeature(ctx, await patchLot(db, lots, ctx.state.user!.id, id, editPreconditions(ctx, lots, id, fields), fields), 'staff');
  });

  router.delete('/:id', staff, async (ctx) => {
    const id = lotId(ctx.params.id);
    await deleteLot(db, lots, ctx.state.user!.id, id, editPreconditions(ctx, lots, id));
    ctx.status = 204;
  });

  router.post('/:id/split', staff, json, async (ctx) => {
    const id = lotId(ctx.params.id);
    const body = bodyObject(ctx, ['type', 'coordinates', 'version']);
    const { version, ...line } = body;
    const ifMatch = ctx.get('If-Match');
    const pre = { ifMatch: ifMatch ? versionFromIfMatch(ifMatch, lots.id, id) : undefined, bodyVersion: bodyVersion(version) };
    const pieces = await splitLot(db, lots, ctx.state.user!.id, id, pre, parseLine(line));
    ctx.status = 201;
    ctx.type = 'application/geo+json';
    ctx.body = { type: 'FeatureCollection', features: pieces.map((p) => p.feature) };
  });

  router.post('/:id/undo', staff, async (ctx) => {
    sendFeature(ctx, await undoLastEdit(db, lots, ctx.state.user!.id, lotId(ctx.params.id)), 'staff');
  });

  router.get('/:id/history', staff, async (ctx) => {
    const id = lotId(ctx.params.id);
    const entries = await readAudit(db, { layer: lots.id, featureId: id }, HISTORY_LIMIT);
    const lineage = await readLineage(db, id);
    if (entries.length === 0 && !(await readFeature(db, lots, id, 'staff'))) throw notFound(`lot introuvable / no lot ${id}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { entries, lineage };
  });
  return router;
}
