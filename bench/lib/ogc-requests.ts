// The OGC API items request list the features and region suites load: bbox + limit=100 around
// parcels spread over the whole layer, the same bboxes on every run.
import type { Database } from '../../core/db/database.ts';

/** Requests in the fixed list: bboxes centred on parcels spread over the whole layer. */
const BBOXES = 200;
/** Half-size of each bbox in degrees: ~750 m × 780 m, a town-centre map view of some 600 parcels. */
export const HALF_LON = 0.005;
export const HALF_LAT = 0.0035;

/** The fixed request list: a bbox around every (200,000 / BBOXES)-th parcel, limit=100. */
export async function bboxPaths(db: Database): Promise<{ paths: string[]; meanMatched: number }> {
  const { rows } = await db.query<{ x: number; y: number; matched: number }>(`
    WITH c AS (SELECT ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y
                 FROM parcels WHERE fid % (SELECT greatest(1, count(*) / $1) FROM parcels) = 7 ORDER BY fid LIMIT $1)
    SELECT x, y, (SELECT count(*) FROM parcels p
                   WHERE ST_Intersects(p.geom, ST_MakeEnvelope(x - $2, y - $3, x + $2, y + $3, 4326)))::int AS matched FROM c`,
  [BBOXES, HALF_LON, HALF_LAT]);
  const paths = rows.map((r) => `/ogc/collections/parcels/items?bbox=${[r.x - HALF_LON, r.y - HALF_LAT, r.x + HALF_LON, r.y + HALF_LAT]
    .map((n) => n.toFixed(6)).join(',')}&limit=100`);
  return { paths, meanMatched: rows.reduce((s, r) => s + r.matched, 0) / rows.length };
}
