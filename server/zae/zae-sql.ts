// The SQL behind the CNIG ZAE inventory: one row per business zone (SITE-ECO) and per lot
// (TERRAIN-ECO) with what PostGIS computes for them (hectares, vacancy counts, fibre, parcels,
// Lambert-93 GeoJSON); built once from the layer descriptions, status lists from core/zae.
import { valuesWithRole } from '../../core/layers/code-roles.ts';
import { sqlIn } from '../../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import { statusesWhere } from '../../core/zae/zae-status.ts';

/** A parcel counts as covered by a lot when they share more than this many m² (slivers along a
 *  boundary drawn on a different base map are not the lot's parcels). */
export const PARCEL_MIN_OVERLAP_M2 = 1;

export interface SiteSqlRow {
  id: number;
  code: string;
  name: string;
  commune: string | null;
  code_insee: string | null;
  kind: string | null;
  description: string | null;
  site_type: string | null;
  site_vocadomi: string | null;
  site_etat: string | null;
  site_moa_type: string | null;
  site_creation_year: number | null;
  site_identif_date: string | null;
  actu_date: string;
  surf_brute_ha: number;
  surf_utile_ha: number;
  surf_dispo_ha: number;
  uf_nbre: number;
  uf_vacant_nbre: number;
  fibre: boolean;
  geojson_2154: string;
  lon: number;
  lat: number;
}

export interface TerrainSqlRow {
  id: number;
  zone_id: number;
  zone_code_insee: string | null;
  status: string;
  surf_brute_ha: number;
  price_per_m2: number | null;
  serviced: boolean | null;
  terr_maitrise_fonc: string | null;
  terr_stade_amngt: string | null;
  terr_usage: string | null;
  terr_identif_date: string | null;
  actu_date: string;
  refcad: string | null;
  geojson_2154: string;
}

/** Zones whose commune names an INSEE code through the communes table (case-insensitive). */
const INSEE_OF = (zone: string) => `(SELECT c.code_insee FROM communes c WHERE lower(c.nom) = lower(${zone}.commune) LIMIT 1)`;

/** All zones as SITE-ECO source rows, ordered by id. */
export function buildSiteSql(layers: LayerRegistry): string {
  const lots = layers.get('zone_lots')!;
  const vacant = sqlIn('l.status', statusesWhere(lots, (m) => m.vacant));
  const available = sqlIn('l.status', statusesWhere(lots, (m) => m.vacant && m.stadeComm === 'en vente'));
  const deployed = sqlIn('f.status', valuesWithRole(layers.get('fibre_phases'), 'status', ['deployed']));
  return `
SELECT z.id, z.code, z.name, z.commune, ${INSEE_OF('z')} AS code_insee, z.kind, z.description,
       z.site_type, z.site_vocadomi, z.site_etat, z.site_moa_type, z.site_creation_year, to_char(z.site_identif_date, 'YYYY-MM-DD') AS site_identif_date,
       to_char(greatest(z.updated_at, (SELECT max(l.updated_at) FROM zone_lots l WHERE l.zone_id = z.id)), 'YYYY-MM-DD') AS actu_date,
       ST_Area(z.geom::geography) / 10000 AS surf_brute_ha,
       coalesce(s.area_m2, 0) / 10000 AS surf_utile_ha,
       coalesce(s.available_m2, 0) / 10000 AS surf_dispo_ha,
       coalesce(s.units, 0)::int AS uf_nbre, coalesce(s.vacant, 0)::int AS uf_vacant_nbre,
       EXISTS (SELECT 1 FROM fibre_phases f WHERE ${deployed} AND f.geom && z.geom AND ST_Intersects(f.geom, z.geom)) AS fibre,
       ST_AsGeoJSON(ST_Transform(z.geom, 2154), 2) AS geojson_2154,
       ST_X(ST_PointOnSurface(z.geom)) AS lon, ST_Y(ST_PointOnSurface(z.geom)) AS lat
  FROM business_zones z
  LEFT JOIN LATERAL (
    SELECT count(*) AS units, count(*) FILTER (WHERE ${vacant}) AS vacant,
           sum(l.area_m2)::float8 AS area_m2, sum(l.area_m2) FILTER (WHERE ${available})::float8 AS available_m2
      FROM zone_lots l WHERE l.zone_id = z.id) s ON true
 ORDER BY z.id`;
}

/** All lots as TERRAIN-ECO source rows, ordered by id; parcels listed in id order. */
export function buildTerrainSql(): string {
  return `
SELECT l.id, l.zone_id, ${INSEE_OF('z')} AS zone_code_insee, l.status, l.area_m2::float8 / 10000 AS surf_brute_ha,
       l.price_per_m2::float8 AS price_per_m2, l.serviced, l.terr_maitrise_fonc, l.terr_stade_amngt, l.terr_usage,
       to_char(l.terr_identif_date, 'YYYY-MM-DD') AS terr_identif_date, to_char(l.updated_at, 'YYYY-MM-DD') AS actu_date,
       (SELECT string_agg(p.id, '|' ORDER BY p.id) FROM parcels p
         WHERE p.geom && l.geom AND ST_Intersects(p.geom, l.geom)
           AND ST_Area(ST_Intersection(p.geom, l.geom)::geography) > ${PARCEL_MIN_OVERLAP_M2}) AS refcad,
       ST_AsGeoJSON(ST_Transform(l.geom, 2154), 2) AS geojson_2154
  FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id
 ORDER BY l.id`;
}
