// GET /api/geocode (addresses, business zones, lots and parcels by text) and the parcel lookups
// GET /api/parcels/{id} and GET /api/parcels?lon=&lat= (the parcel under a click).
import Router from '@koa/router';
import { badRequest, notFound } from '../http/errors.ts';
import { parseCoordinate, parseParcelId } from '../eligibility/eligibility-params.ts';
import { rejectUnknownParameters, single } from '../http/params.ts';
import { assertPublicColumns } from '../eligibility/public-fields.ts';
import { parseGeocodeLimit, parseGeocodeQuery } from './geocode-query.ts';
import { GEOCODE_COLUMNS, runGeocode } from './geocode-sql.ts';
import { buildParcelSql } from './parcel-sql.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** Results change only when data is imported; suggestions typed twice come from the browser cache. */
const CACHE_CONTROL = 'public, max-age=60';

export function geocodeRoutes({ db, layers }: RouteDeps): Router {
  assertPublicColumns(layers, 'geocode', GEOCODE_COLUMNS);
  const parcelLayer = layers.get('parcels');
  if (!parcelLayer) throw new Error('geocode: the parcels layer is not described');
  const parcelSql = buildParcelSql(parcelLayer);
  const router = new Router();

  router.get('/api/geocode', async (ctx) => {
    rejectUnknownParameters(ctx.query, ['q', 'limit']);
    const query = parseGeocodeQuery(single(ctx.query, 'q'));
    const limit = parseGeocodeLimit(single(ctx.query, 'limit'));
    const body = await runGeocode(db, query, limit);
    ctx.type = 'application/geo+json';
    ctx.set('Cache-Control', CACHE_CONTROL);
    ctx.body = body;
  });

  router.get('/api/parcels', async (ctx) => {
    rejectUnknownParameters(ctx.query, ['lon', 'lat']);
    const lon = single(ctx.query, 'lon');
    const lat = single(ctx.query, 'lat');
    if (lon === undefined || lat === undefined) throw badRequest('lon and lat are both required: the point whose parcel is wanted');
    const { rows } = await db.query<{ body: string }>(parcelSql.atPoint, [parseCoordinate('lon', lon, 180), parseCoordinate('lat', lat, 90)]);
    ctx.type = 'application/geo+json';
    ctx.set('Cache-Control', CACHE_CONTROL);
    ctx.body = rows[0]!.body;
  });

  router.get('/api/parcels/:id', async (ctx) => {
    const id = parseParcelId(ctx.params.id ?? '');
    const { rows } = await db.query<{ body: string }>(parcelSql.byId, [id]);
    if (!rows[0]) throw notFound(`no parcel "${id}" in the cadastre`);
    ctx.type = 'application/geo+json';
    ctx.set('Cache-Control', CACHE_CONTROL);
    ctx.body = rows[0].body;
  });
  return router;
}
