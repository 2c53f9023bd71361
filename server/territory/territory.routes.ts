// GET /api/territory: the communes' boundaries (reference data) for the map outline.
import Router from '@koa/router';
import type { RouteDeps } from '../http/route-deps.ts';

export function territoryRoutes({ db }: RouteDeps): Router {
  const router = new Router();
  const sql = `SELECT json_build_object(
      'type', 'FeatureCollection',
      'bbox', json_build_array(ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)),
      'features', (SELECT json_agg(json_build_object('type', 'Feature', 'id', code_insee,
          'properties', json_build_object('code_insee', code_insee, 'nom', nom),
          'geometry', ST_AsGeoJSON(geom, 6)::json) ORDER BY nom) FROM communes))::text AS body
    FROM (SELECT ST_Extent(geom)::geometry AS e FROM communes) x`;
  let cached: string | undefined;
  router.get('/api/territory', async (ctx) => {
    // Reference data changes only with a migration, so one read per process is enough.
    cached ??= (await db.query<{ body: string }>(sql)).rows[0]!.body;
    ctx.type = 'application/geo+json';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = cached;
  });
  return router;
}
