// Deterministic benchmark data made in PostGIS by SQL alone: jittered-grid cadastral parcels that
// tile the territory without overlaps, BAN-like addresses inside them, fibre zones and premises.
// Same spec → same rows, so every suite and every run measures the same thing.
import type { Database } from '../../core/db/database.ts';

export interface BenchDataSpec {
  parcels: number;
  addresses: number;
  fibreZones: number;
  /** One premise for every n-th address. */
  premiseEvery: number;
}

export const DEFAULT_SPEC: BenchDataSpec = { parcels: 200_000, addresses: 500_000, fibreZones: 2_000, premiseEvery: 5 };

// A cheap integer hash in [0, 1): deterministic, identical on every PostgreSQL version.
const HASH_FN = `
CREATE OR REPLACE FUNCTION pg_temp.h(i bigint, j bigint, k bigint) RETURNS float8 LANGUAGE sql IMMUTABLE AS
$$ SELECT (((i * 73856093 + j * 19349663 + k * 83492791) % 1000003 + 1000003) % 1000003) / 1000003.0 $$`;

// Jittered grid over the territory's bbox: vertex (i, j) moves by up to ±30 % of a cell, and
// neighbouring cells share vertices, so cells never overlap yet do not look like a lattice.
function gridCellsSql(cellMetres: number, target: number, table: string): string {
  return `
  CREATE TEMP TABLE ${table} ON COMMIT DROP AS
  WITH t AS (SELECT ST_Union(geom) AS g, ST_Extent(geom)::box2d AS b FROM communes),
  p AS (SELECT g, b, ${cellMetres} / (111320 * cos(radians(48.14))) AS dx, ${cellMetres} / 110574.0 AS dy FROM t),
  cells AS (
    SELECT i, j, dx, dy, ST_XMin(b) AS x0, ST_YMin(b) AS y0, g FROM p,
      generate_series(0, ceil((ST_XMax(b) - ST_XMin(b)) / dx)::int) i,
      generate_series(0, ceil((ST_YMax(b) - ST_YMin(b)) / dy)::int) j),
  v AS (
    SELECT i, j, g,
      x0 + dx * (i + 0.6 * (pg_temp.h(i, j, 1) - 0.5)) AS ax, y0 + dy * (j + 0.6 * (pg_temp.h(i, j, 2) - 0.5)) AS ay,
      x0 + dx * (i + 1 + 0.6 * (pg_temp.h(i + 1, j, 1) - 0.5)) AS bx, y0 + dy * (j + 0.6 * (pg_temp.h(i + 1, j, 2) - 0.5)) AS by_,
      x0 + dx * (i + 1 + 0.6 * (pg_temp.h(i + 1, j + 1, 1) - 0.5)) AS cx, y0 + dy * (j + 1 + 0.6 * (pg_temp.h(i + 1, j + 1, 2) - 0.5)) AS cy,
      x0 + dx * (i + 0.6 * (pg_temp.h(i, j + 1, 1) - 0.5)) AS ex, y0 + dy * (j + 1 + 0.6 * (pg_temp.h(i, j + 1, 2) - 0.5)) AS ey
    FROM cells)
  SELECT row_number() OVER (ORDER BY j, i) AS n, i, j,
    ST_SetSRID(ST_MakePolygon(ST_MakeLine(ARRAY[ST_MakePoint(ax, ay), ST_MakePoint(bx, by_), ST_MakePoint(cx, cy),
      ST_MakePoint(ex, ey), ST_MakePoint(ax, ay)])), 4326) AS geom
  FROM v WHERE ST_Intersects(g, ST_SetSRID(ST_MakePoint((ax + cx) / 2, (ay + cy) / 2), 4326))
  ORDER BY j, i LIMIT ${target}`;
}

/** Fills the layer tables of a migrated PostGIS database with benchmark data, unless already there. */
export async function ensureBenchData(db: Database, spec: BenchDataSpec = DEFAULT_SPEC, log = console.log): Promise<void> {
  const key = JSON.stringify(spec);
  await db.query('CREATE TABLE IF NOT EXISTS bench_meta (spec text NOT NULL)');
  const existing = await db.query<{ spec: string }>('SELECT spec FROM bench_meta');
  if (existing.rows[0]?.spec === key) {
    log(`bench data already present (${key})`);
    return;
  }
  const started = Date.now();
  log(`generating bench data ${key} …`);
  await db.transaction(async (tx) => {
    await tx.query(HASH_FN);
    await tx.query('TRUNCATE parcels, addresses, fibre_premises, fibre_phases, bench_meta');
    // 200,000 parcels over ~197 km² is ~1,000 m² each: cells of ~30 m, about the real cadastre.
    // 1 % more cells than needed: a few edge cells fall outside every commune once reshaped.
    await tx.query(gridCellsSql(30, Math.ceil(spec.parcels * 1.01), 'bench_parcels'));
    await tx.query(`
      INSERT INTO parcels (id, commune, prefixe, section, numero, contenance, geom)
      SELECT c.code_insee || '000' || s.section || lpad((p.n % 10000)::text, 4, '0'),
             c.code_insee, '000', s.section, lpad((p.n % 10000)::text, 4, '0'),
             round(ST_Area(p.geom::geography))::int, ST_Multi(p.geom)
        FROM bench_parcels p
        CROSS JOIN LATERAL (SELECT chr(65 + (p.n / 10000 / 26)::int % 26) || chr(65 + (p.n / 10000)::int % 26) AS section) s
        JOIN LATERAL (SELECT code_insee FROM communes WHERE ST_Intersects(geom, ST_PointOnSurface(p.geom)) LIMIT 1) c ON true
       ORDER BY p.n LIMIT ${spec.parcels}`);
    const perParcel = spec.addresses / spec.parcels;
    await tx.query(`
      INSERT INTO addresses (id, id_fantoir, numero, rep, nom_voie, code_postal, code_insee, nom_commune, cad_parcelles, geom)
      SELECT p.commune || '_' || lpad(to_hex(p.fid % 4096), 4, '0') || '_' || lpad(k::text, 5, '0') || '_' || p.fid,
             p.commune || '_' || lpad(to_hex(p.fid % 4096), 4, '0'), k, CASE WHEN k % 17 = 0 THEN 'bis' END,
             (ARRAY['Rue de la Gare','Rue de l''Église','Allée des Châtaigniers','Rue Saint-Éloi','Chemin du Moulin',
                    'Place de la Mairie','Rue des Écoles','Impasse des Tilleuls','Route de Rennes','Rue du Château'])[1 + p.fid % 10]
               || ' ' || (p.fid / 10 % 500),
             CASE WHEN p.commune = '35277' THEN '35750' ELSE '35160' END, p.commune, c.nom, ARRAY[p.id],
             ST_SetSRID(ST_MakePoint(
               ST_X(ST_Centroid(p.geom)) + (pg_temp.h(p.fid, k, 3) - 0.5) * 0.00012,
               ST_Y(ST_Centroid(p.geom)) + (pg_temp.h(p.fid, k, 4) - 0.5) * 0.00008), 4326)
        FROM parcels p JOIN communes c ON c.code_insee = p.commune,
             generate_series(1, floor(${perParcel})::int + CASE WHEN pg_temp.h(p.fid, 0, 5) < ${(perParcel % 1) + 0.05} THEN 1 ELSE 0 END) k
       ORDER BY p.fid, k LIMIT ${spec.addresses}`);
    await tx.query(gridCellsSql(Math.round(0.95 * Math.sqrt(197e6 / spec.fibreZones)), spec.fibreZones, 'bench_zones'));
    await tx.query(`
      INSERT INTO fibre_phases (zone_code, phase, status, planned_start, planned_end, operator, technology, premises, data_date, geom)
      SELECT 'PM-B-' || lpad(n::text, 5, '0'), 1 + n % 3,
             (ARRAY['deployed','in_progress','planned','study','not_planned'])[1 + (n * 7) % 5],
             date '2019-01-01' + (n % 6)::int * 365, date '2020-06-30' + (n % 6)::int * 365, 'Bench Opérateur', 'FttH', 0,
             date '2026-09-30', ST_Multi(geom)
        FROM bench_zones`);
    await tx.query(`
      INSERT INTO fibre_premises (premise_id, ban_id, address, status, pm_ref, operator, updated_on, source, geom)
      SELECT 'IMB/B/' || a.fid, a.id, a.numero || ' ' || a.nom_voie || ', ' || a.nom_commune,
             (ARRAY['target','signed','in_progress','deployed','connectable','abandoned'])[1 + a.fid % 6],
             NULL, 'Bench Opérateur', date '2026-09-30', 'bench', a.geom
        FROM addresses a WHERE a.fid % ${spec.premiseEvery} = 0`);
    await tx.query('INSERT INTO bench_meta (spec) VALUES ($1)', [key]);
  });
  await db.query('ANALYZE parcels; ANALYZE addresses; ANALYZE fibre_phases; ANALYZE fibre_premises');
  const counts = await db.query(
    `SELECT (SELECT count(*) FROM parcels) parcels, (SELECT count(*) FROM addresses) addresses,
            (SELECT count(*) FROM fibre_phases) fibre_phases, (SELECT count(*) FROM fibre_premises) fibre_premises`,
  );
  log(`bench data ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(counts.rows[0])}`);
}
