// Our import of a generated CP1252 Lambert-93 shapefile against GDAL's ogr2ogr of the same file:
// same features, same attributes, same geodesic areas (1e-6 relative). On PostGIS ogr2ogr writes
// into the test database; on the embedded one it writes GeoJSON, which PostGIS then measures.
// Skipped when gdal-bin is not installed (.ci/run installs it).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from '../core/db/database.ts';
import { createLayerRegistry } from '../core/layers/registry.ts';
import { runImport } from '../data-import/pipeline.ts';
import { openTestDatabase } from './helpers/test-db.ts';
import { describeUnless, missingGdal } from './helpers/skip.ts';
import { ESRI_PRJ, project, squareRing, tempDir, writeShapefile } from './helpers/import-fixtures.ts';


type Zone = { zone_code: string; status: string; operator: string; premises: number; planned_start: string };

/** A libpq keyword string (what GDAL's PG: prefix takes) from a postgres:// URL. */
function libpqKeywords(url: URL): string {
  const words: Record<string, string> = {
    host: decodeURIComponent(url.hostname), port: url.port, dbname: decodeURIComponent(url.pathname.slice(1)),
    user: decodeURIComponent(url.username), password: decodeURIComponent(url.password),
  };
  return Object.entries(words)
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}='${v.replace(/['\\]/g, '\\$&')}'`)
    .join(' ');
}

// ogr2ogr is the reference; skipped where gdal-bin is missing (CI installs it).
describeUnless(missingGdal(), 'import compared with ogr2ogr', () => {
  let db: Database;
  let tmp: ReturnType<typeof tempDir>;
  let shp: string;
  const operators = ['Mégalis Bretagne', 'Orange — Bédée', 'Saint-Gonlay Fibre', 'SFR FTTH'];
  const statuses = ['deployed', 'in_progress', 'planned', 'study'];

  beforeAll(async () => {
    db = await openTestDatabase();
    tmp = tempDir();
    const [x, y] = await project(db, 2154, -1.9614, 48.1266);
    const records = Array.from({ length: 40 }, (_, i) => {
      const ox = x + (i % 8) * 300;
      const oy = y + Math.floor(i / 8) * 300;
      // Every fifth zone has a hole, every seventh two parts, one is a bow-tie both tools repair.
      const rings = i === 13
        ? [[[ox, oy], [ox + 200, oy + 200], [ox + 200, oy], [ox, oy + 200], [ox, oy]]]
        : i % 7 === 0
          ? [squareRing(ox, oy, 100), squareRing(ox + 150, oy + 150, 80)]
          : i % 5 === 0
            ? [squareRing(ox, oy, 250), squareRing(ox + 50, oy + 50, 60).reverse()]
            : [squareRing(ox, oy, 200 + i)];
      return {
        geometry: rings,
        attributes: {
          zone_code: `PM-35188-${String(i).padStart(3, '0')}`, status: statuses[i % 4]!, operator: operators[i % 4]!,
          premises: 10 * i, planned_start: `2026${String((i % 12) + 1).padStart(2, '0')}01`,
        },
      };
    });
    shp = writeShapefile(
      {
        base: join(tmp.dir, 'zones'), kind: 'polygon', encoding: 'windows-1252', cpg: '1252', prj: ESRI_PRJ[2154],
        fields: [
          { name: 'zone_code', type: 'C', length: 20 }, { name: 'status', type: 'C', length: 12 }, { name: 'operator', type: 'C', length: 40 },
          { name: 'premises', type: 'N', length: 6 }, { name: 'planned_st', type: 'D', length: 8 },
        ],
      },
      records.map((r) => ({ geometry: r.geometry, attributes: { ...r.attributes, planned_st: r.attributes.planned_start } })),
    );
  });
  afterAll(async () => {
    await db?.close();
    tmp?.cleanup();
  });

  /** GDAL's reading of the file: attributes and geodesic areas, measured by PostGIS. */
  async function gdalZones(): Promise<(Zone & { area: number })[]> {
    const common = ['-t_srs', 'EPSG:4326', '-makevalid', '-nlt', 'PROMOTE_TO_MULTI', '-nln', 'gdal_zones'];
    if (db.kind === 'postgis') {
      const connection = libpqKeywords(new URL(db.connection.connectionString!));
      const schema = (await db.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
      const run = spawnSync('ogr2ogr', ['-f', 'PostgreSQL', `PG:${connection}`, shp, ...common, '-lco', `SCHEMA=${schema}`, '-lco', 'GEOMETRY_NAME=geom', '--config', 'PG_USE_COPY', 'YES'], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const { rows } = await db.query<Zone & { area: number }>(
        `SELECT zone_code, status, operator, premises::int AS premises, planned_st::text AS planned_start, ST_Area(geom::geography) AS area FROM gdal_zones ORDER BY zone_code`,
      );
      return rows;
    }
    const out = join(tmp.dir, 'gdal.geojson');
    const run = spawnSync('ogr2ogr', ['-f', 'GeoJSON', out, shp, ...common], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const collection = JSON.parse(readFileSync(out, 'utf8')) as { features: { properties: Record<string, string | number>; geometry: unknown }[] };
    const { rows } = await db.query<{ area: number }>(
      'SELECT ST_Area(ST_SetSRID(ST_GeomFromGeoJSON(g), 4326)::geography) AS area FROM unnest($1::text[]) WITH ORDINALITY AS t(g, i) ORDER BY i',
      [collection.features.map((f) => JSON.stringify(f.geometry))],
    );
    return collection.features
      .map((f, i) => ({
        zone_code: String(f.properties.zone_code), status: String(f.properties.status), operator: String(f.properties.operator),
        premises: Number(f.properties.premises), planned_start: String(f.properties.planned_st).replace(/\//g, '-'), area: rows[i]!.area,
      }))
      .sort((a, b) => a.zone_code.localeCompare(b.zone_code));
  }

  it('finds the same features, attributes and areas (1e-6 relative) as ogr2ogr -makevalid -t_srs EPSG:4326', async () => {
    const mapping = { name: 'zones', fields: { planned_st: 'planned_start' } };
    const summary = await runImport(db, createLayerRegistry(), { mode: 'replace', confirmed: true, layer: 'fibre_phases', file: shp, mapping });
    expect(summary.status, summary.message).toBe('succeeded');
    expect(summary.counts).toMatchObject({ read: 40, loaded: 40, repaired: 1 });
    const ours = (
      await db.query<Zone & { area: number }>(
        `SELECT zone_code, status, operator, premises, planned_start, ST_Area(geom::geography) AS area FROM fibre_phases ORDER BY zone_code`,
      )
    ).rows;
    const theirs = await gdalZones();
    expect(ours.length).toBe(40);
    expect(theirs.length).toBe(ours.length);
    const strip = ({ area: _, ...attributes }: Zone & { area: number }) => attributes;
    expect(ours.map(strip)).toEqual(theirs.map(strip));
    expect(ours.some((z) => z.operator === 'Orange — Bédée')).toBe(true);
    for (let i = 0; i < ours.length; i++) {
      expect(Math.abs(ours[i]!.area - theirs[i]!.area) / theirs[i]!.area, ours[i]!.zone_code).toBeLessThan(1e-6);
    }
  });
});
