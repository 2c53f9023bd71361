// The canonical tile reference shared by the tiles and region suites: the PostGIS manual's ST_AsMVT
// query (as martin writes it) on a plain table of the parcels, behind the least HTTP code that can
// answer a tile; it shares none of our code.
import type { RequestListener } from 'node:http';
import type { Database } from '../../core/db/database.ts';

/** The plain table the canonical query reads: the parcels' public columns and their 3857 geometry, indexed. */
export const CANONICAL_TABLE = 'bench_canonical_parcels';

/** Makes the plain table from the parcels once per bench database (kept while the parcels keep their count). */
export async function ensureCanonicalTable(db: Database): Promise<void> {
  const { rows } = await db.query<{ same: boolean }>(`SELECT to_regclass($1) IS NOT NULL
      AND (SELECT count(*) FROM ${CANONICAL_TABLE}) = (SELECT count(*) FROM parcels) AS same`, [CANONICAL_TABLE])
    .catch(() => ({ rows: [{ same: false }] }));
  if (rows[0]?.same) return;
  await db.query(`DROP TABLE IF EXISTS ${CANONICAL_TABLE}`);
  await db.query(`CREATE TABLE ${CANONICAL_TABLE} AS
    SELECT fid, id, commune, prefixe, section, numero, contenance, geom_3857 AS geom FROM parcels ORDER BY fid`);
  await db.query(`CREATE INDEX ON ${CANONICAL_TABLE} USING gist (geom)`);
  await db.query(`ANALYZE ${CANONICAL_TABLE}`);
}

/** The PostGIS manual's ST_AsMVT example (as martin writes it for a table): clip to the tile, buffer 64. */
export const CANONICAL_SQL = `
  SELECT ST_AsMVT(mvt, 'parcels', 4096, 'geom', 'fid') AS tile FROM (
    SELECT fid, id, commune, prefixe, section, numero, contenance,
           ST_AsMVTGeom(geom, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
      FROM ${CANONICAL_TABLE}
     WHERE geom && ST_TileEnvelope($1, $2, $3, margin => (64.0 / 4096))) mvt`;

/** The canonical query behind the same minimal handler as the bare server. */
export function serveCanonical(db: Database): RequestListener {
  const route = /^\/tiles\/parcels\/(\d+)\/(\d+)\/(\d+)\.mvt$/;
  return (req, res) => {
    const m = route.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    db.query<{ tile: Buffer }>(CANONICAL_SQL, [Number(m[1]), Number(m[2]), Number(m[3])]).then(({ rows }) => {
      const tile = rows[0]!.tile;
      if (tile.length === 0) return void res.writeHead(204).end();
      res.writeHead(200, { 'Content-Type': 'application/vnd.mapbox-vector-tile', 'Content-Length': tile.length }).end(tile);
    }, () => res.writeHead(500).end());
  };
}
