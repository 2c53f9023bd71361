// /api/zones…: business zones and their lots as GeoJSON (public fields for everyone, every field
// for staff, with ETags), and staff edits of zones and new lots (CSRF, If-Match, audited).
import Router from '@koa/router';
import type { LayerDef } from '../../core/layers/layer-def.ts';
import { requireStaff } from '../auth/auth.middleware.ts';
import { notFound } from '../http/errors.ts';
import { jsonBody, pathId } from '../http/json-body.ts';
import { readFeature } from '../edits/feature-store.ts';
import { audienceOf, editPreconditions, sendCollection, sendFeature } from '../edits/feature-responses.ts';
import { createLot } from '../lots/lot-edits.ts';
import { createZone, deleteZone, patchZone } from './zone-edits.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** The layer descriptions an edit API works on; a missing one is a programming error. */
export function editedLayers(layers: RouteDeps['layers']): { zones: LayerDef; lots: LayerDef } {
  const zones = layers.get('business_zones');
  const lots = layers.get('zone_lots');
  if (!zones || !lots) throw new Error('the zone and lot APIs need the business_zones and zone_lots layer descriptions');
  return { zones, lots };
}

/** Lots in the order people number them: 2 before 10, 12 before 12a. */
export const LOT_ORDER = 'length(t.lot_number), t.lot_number, t.id';

export function zonesRoutes({ db, layers }: RouteDeps): Router {
  const { zones, lots } = editedLayers(layers);
  const router = new Router({ prefix: '/api/zones' });
  const staff = requireStaff(db);
  const json = jsonBody('2mb');
  const zoneId = (raw: string | undefined) => pathId(raw, 'zone');

  router.get('/', async (ctx) => {
    await sendCollection(ctx, db, zones, await audienceOf(ctx, db), 'TRUE', [], 't.code');
  });

  router.post('/', staff, json, async (ctx) => {
    const created = await createZone(db, zones, ctx.state.user!.id, ctx.request.body);
    ctx.set('Location', `/api/zones/${created.feature.id}`);
    sendFeature(ctx, created, 'staff', 201);
  });

  router.get('/:id', async (ctx) => {
    const audience = await audienceOf(ctx, db);
    const zone = await readFeature(db, zones, zoneId(ctx.params.id), audience);
    if (!zone) throw notFound(`zone introuvable / no business zone ${ctx.params.id}`);
    sendFeature(ctx, zone, audience);
  });

  router.patch('/:id', staff, json, async (ctx) => {
    const id = zoneId(ctx.params.id);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const pre = editPreconditions(ctx, zones, id, body);
    sendFeature(ctx, await patchZone(db, zones, ctx.state.user!.id, id, pre, body), 'staff');
  });

  router.delete('/:id', staff, async (ctx) => {
    const id = zoneId(ctx.params.id);
    await deleteZone(db, zones, ctx.state.user!.id, id, editPreconditions(ctx, zones, id));
    ctx.status = 204;
  });

  router.get('/:id/lots', async (ctx) => {
    const id = zoneId(ctx.params.id);
    if (!(await db.query('SELECT 1 FROM business_zones WHERE id = $1', [id])).rowCount) throw notFound(`zone introuvable / no business zone ${id}`);
    await sendCollection(ctx, db, lots, await audienceOf(ctx, db), 't.zone_id = $1', [id], LOT_ORDER);
  });

  router.post('/:id/lots', staff, json, async (ctx) => {
    const created = await createLot(db, lots, ctx.state.user!.id, zoneId(ctx.params.id), ctx.request.body);
    ctx.set('Location', `/api/lots/${created.feature.id}`);
    sendFeature(ctx, created, 'staff', 201);
  });
  return router;
}
