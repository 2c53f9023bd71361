// The eligibility SQL: one statement per kind of location (point, address, parcel, lot), built once from
// the descriptions (status values read by role), doing all the geometry (20 m geodesic premise search,
// zone shares, territory, nearest wifi) in PostGIS.
import { FIBRE_STAGES, type FibreStage } from '../../core/layers/layer-def.ts';
import { fibreStagesOf, valuesWithRole } from '../../core/layers/code-roles.ts';
import { literal, sqlCase, sqlIn } from '../../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../../core/layers/registry.ts';
import type { PublishedColumns } from './public-fields.ts';

export type LocationKind = 'point' | 'address' | 'parcel' | 'lot';

/** Columns these statements publish, checked against the layer descriptions at start-up. */
export const ELIGIBILITY_COLUMNS: PublishedColumns = {
  addresses: ['id', 'numero', 'rep', 'nom_voie', 'code_postal', 'nom_commune', 'geom'],
  parcels: ['id', 'section', 'numero', 'commune', 'geom'],
  fibre_phases: ['zone_code', 'status', 'phase', 'planned_start', 'planned_end', 'operator', 'data_date', 'geom'],
  fibre_premises: ['premise_id', 'status', 'address', 'pm_ref', 'operator', 'updated_on', 'ban_id', 'geom'],
  business_zones: ['id', 'code', 'name', 'geom'],
  zone_lots: ['id', 'zone_id', 'lot_number', 'status', 'geom'],
  wifi_hotspots: ['name', 'kind', 'status', 'geom'],
};

/** Radius within which the nearest premise answers for a clicked point (geodesic metres). */
export const PREMISE_RADIUS_M = 20;
/** Public wifi hotspots listed: at most this many, this far at most (geodesic metres). */
const WIFI_COUNT = 3;
const WIFI_RADIUS_M = 5000;
/** Premises listed for a parcel or lot (a large building can hold hundreds). */
const PREMISES_LISTED = 50;
/** Layers whose last change dates the answer's sources (from layer_versions). */
export const DATED_LAYERS = ['addresses', 'parcels', 'business_zones', 'zone_lots', 'wifi_hotspots'] as const;

/** The answer's fibre status for a stage on its own, in the zone vocabulary: signed means works under
 *  way, abandoned (not planned) means no connection planned, and a target outside every zone is planned. */
const STAGE_ANSWER: Readonly<Record<FibreStage, Exclude<FibreStatus, 'unknown'>>> = {
  not_planned: 'not_planned', study: 'study', planned: 'planned', target: 'planned',
  signed: 'in_progress', in_progress: 'in_progress', deployed: 'deployed', connectable: 'connectable',
};
const UNKNOWN = literal('unknown' satisfies FibreStatus);

type Stages = readonly (readonly [string, FibreStage])[];

// Progress of a building and of a zone, most advanced highest (their stage's place in FIBRE_STAGES):
// the best premise of a parcel answers for it, and the least advanced of equally large zones answers
// on a border (never promise too much). A value outside the list, which its CHECK forbids, ranks 0.
const rankSql = (stages: Stages): string =>
  sqlCase('status', stages.map(([value, stage]) => [value, String(FIBRE_STAGES.indexOf(stage) + 1)]), '0');

/**
 * The answer's status: the premise's when there is one (per-building data is more precise), read in
 * the zone vocabulary (STAGE_ANSWER) — a mere target takes its zone's status, capped at in progress
 * (the network reached the zone, not yet the building) — else the zone's.
 */
function fibreStatusSql(premises: Stages, zones: Stages): string {
  const answer = (stage: FibreStage) => literal(STAGE_ANSWER[stage]);
  const capped = (stage: FibreStage): FibreStage =>
    FIBRE_STAGES.indexOf(stage) > FIBRE_STAGES.indexOf('in_progress') ? 'in_progress' : stage;
  const targets = premises.filter(([, stage]) => stage === 'target').map(([value]) => value);
  return `CASE
  WHEN ${sqlIn('bp.status', targets)} THEN ${sqlCase('mz.status', zones.map(([v, s]) => [v, answer(capped(s))]), answer('target'))}
  WHEN bp.status IS NOT NULL THEN ${sqlCase('bp.status', premises.map(([v, s]) => [v, answer(s)]), UNKNOWN)}
  ELSE ${sqlCase('mz.status', zones.map(([v, s]) => [v, answer(s)]), UNKNOWN)} END`;
}

/** The fragments that read code values by role, built from the descriptions. */
interface RoleSql {
  premiseRank: string;
  zoneRank: string;
  fibreStatus: string;
  wifiInService: string;
}

const ADDRESS_LABEL = (a: string) => `concat_ws(' ', ${a}.numero::text || coalesce(' ' || ${a}.rep, ''), ${a}.nom_voie)
  || ', ' || concat_ws(' ', ${a}.code_postal, ${a}.nom_commune)`;

/** The located thing: its point, its area (parcels and lots), label and links. */
const LOCATION: Record<LocationKind, string> = {
  point: `SELECT 'point'::text AS source, ST_SetSRID(ST_MakePoint($1::float8, $2::float8), 4326) AS pt,
      NULL::geometry AS area, NULL::text AS label, NULL::text AS address_id, NULL::text[] AS parcel_ids,
      NULL::integer AS lot_id, NULL::integer AS zone_id`,
  address: `SELECT 'address'::text AS source, a.geom AS pt, NULL::geometry AS area, ${ADDRESS_LABEL('a')} AS label,
      a.id AS address_id, NULL::text[] AS parcel_ids, NULL::integer AS lot_id, NULL::integer AS zone_id
      FROM addresses a WHERE a.id = $1`,
  parcel: `SELECT 'parcel'::text AS source, ST_PointOnSurface(p.geom) AS pt, p.geom AS area,
      'Parcelle ' || ltrim(p.section, '0') || ' ' || ltrim(p.numero, '0') || coalesce(', ' || c.nom, '') AS label,
      NULL::text AS address_id, ARRAY[p.id] AS parcel_ids, NULL::integer AS lot_id, NULL::integer AS zone_id
      FROM parcels p LEFT JOIN communes c ON c.code_insee = p.commune WHERE p.id = $1`,
  // A lot's parcels are those whose inner point lies in it (lots and parcels are drawn separately).
  lot: `SELECT 'lot'::text AS source, ST_PointOnSurface(l.geom) AS pt, l.geom AS area,
      'Lot ' || l.lot_number || ', ' || z.name AS label, NULL::text AS address_id,
      ARRAY(SELECT p.id FROM parcels p WHERE p.geom && l.geom AND ST_Intersects(l.geom, ST_PointOnSurface(p.geom))) AS parcel_ids,
      l.id AS lot_id, l.zone_id AS zone_id
      FROM zone_lots l JOIN business_zones z ON z.id = l.zone_id WHERE l.id = $1`,
};

const PREMISE_COLUMNS = 'p.premise_id, p.status, p.address, p.pm_ref, p.operator, p.updated_on';

/** Point: the nearest premise within the radius, geodesic; the degree box only lets the index help. */
const NEAREST_PREMISE = `
  SELECT ${PREMISE_COLUMNS} FROM fibre_premises p, loc
   WHERE p.geom && ST_Expand(loc.pt, ${PREMISE_RADIUS_M + 5} / (111320 * greatest(cos(radians(ST_Y(loc.pt))), 0.01)), ${PREMISE_RADIUS_M + 5} / 110574.0)
     AND ST_DWithin(p.geom::geography, loc.pt::geography, ${PREMISE_RADIUS_M})
   ORDER BY ST_Distance(p.geom::geography, loc.pt::geography), p.premise_id LIMIT 1`;

/** Parcel or lot: the premises of its addresses (BAN cad_parcelles or inside it) and those inside it. */
const AREA_PREMISES = `
  SELECT ${PREMISE_COLUMNS} FROM fibre_premises p
   WHERE p.ban_id = ANY (ARRAY(SELECT a.id FROM addresses a WHERE a.cad_parcelles && (SELECT parcel_ids FROM loc)
                               UNION SELECT a.id FROM addresses a WHERE ST_Intersects(a.geom, (SELECT area FROM loc))))
  UNION
  SELECT ${PREMISE_COLUMNS} FROM fibre_premises p WHERE ST_Intersects(p.geom, (SELECT area FROM loc))`;

const PREMISES: Record<LocationKind, string> = {
  point: NEAREST_PREMISE,
  address: `SELECT ${PREMISE_COLUMNS} FROM fibre_premises p WHERE p.ban_id = (SELECT address_id FROM loc)`,
  parcel: AREA_PREMISES,
  lot: AREA_PREMISES,
};

const ZONE_COLUMNS = 'z.zone_code, z.status, z.phase, z.planned_start, z.planned_end, z.operator, z.data_date';

/** A point lies in its zones (both on a shared border: share 1 each); an area is shared by area. */
const POINT_ZONES = `SELECT ${ZONE_COLUMNS}, 1.0::float8 AS share FROM fibre_phases z WHERE ST_Intersects(z.geom, (SELECT pt FROM loc))`;
const AREA_ZONES = `
  SELECT * FROM (
    SELECT ${ZONE_COLUMNS}, round((ST_Area(ST_Intersection(z.geom, a.area)::geography)
             / nullif(ST_Area(a.area::geography), 0))::numeric, 3)::float8 AS share
      FROM fibre_phases z, (SELECT area FROM loc) a WHERE ST_Intersects(z.geom, a.area)) s
   WHERE share > 0`;

const ZONES: Record<LocationKind, string> = { point: POINT_ZONES, address: POINT_ZONES, parcel: AREA_ZONES, lot: AREA_ZONES };

const BUSINESS_ZONE_AT_POINT = `SELECT z.id, z.code, z.name FROM business_zones z WHERE ST_Intersects(z.geom, (SELECT pt FROM loc)) ORDER BY z.id LIMIT 1`;
const LOT_AT_POINT = `SELECT l.id, l.lot_number, l.status FROM zone_lots l WHERE ST_Intersects(l.geom, (SELECT pt FROM loc)) ORDER BY l.id LIMIT 1`;

const BUSINESS_ZONE: Record<LocationKind, string> = {
  point: BUSINESS_ZONE_AT_POINT, address: BUSINESS_ZONE_AT_POINT, parcel: BUSINESS_ZONE_AT_POINT,
  lot: 'SELECT z.id, z.code, z.name FROM business_zones z WHERE z.id = (SELECT zone_id FROM loc)',
};
const LOT: Record<LocationKind, string> = {
  point: LOT_AT_POINT, address: LOT_AT_POINT, parcel: LOT_AT_POINT,
  lot: 'SELECT l.id, l.lot_number, l.status FROM zone_lots l WHERE l.id = (SELECT lot_id FROM loc)',
};

function buildStatement(kind: LocationKind, roles: RoleSql): string {
  return `
WITH loc AS (${LOCATION[kind]}),
premises AS (${PREMISES[kind]}),
zones AS (${ZONES[kind]}),
best_premise AS (SELECT * FROM premises ORDER BY ${roles.premiseRank} DESC, premise_id LIMIT 1),
main_zone AS (
  SELECT * FROM (
    SELECT 0 AS pri, 1.0::float8 AS share, ${ZONE_COLUMNS} FROM fibre_phases z WHERE z.zone_code = (SELECT pm_ref FROM best_premise)
    UNION ALL
    SELECT 1, share, zone_code, status, phase, planned_start, planned_end, operator, data_date FROM zones) m
  ORDER BY pri, share DESC, ${roles.zoneRank}, zone_code LIMIT 1),
commune AS (SELECT c.nom FROM communes c WHERE ST_Intersects(c.geom, (SELECT pt FROM loc)) ORDER BY c.code_insee LIMIT 1),
business_zone AS (${BUSINESS_ZONE[kind]}),
lot AS (${LOT[kind]}),
wifi AS (
  SELECT w.name, w.kind, round(ST_Distance(w.geom::geography, loc.pt::geography))::integer AS distance_m
    FROM loc CROSS JOIN LATERAL (
      SELECT h.name, h.kind, h.geom FROM wifi_hotspots h WHERE ${roles.wifiInService} ORDER BY h.geom <-> loc.pt LIMIT ${WIFI_COUNT * 4}) w
   WHERE ST_DWithin(w.geom::geography, loc.pt::geography, ${WIFI_RADIUS_M})
   ORDER BY distance_m, w.name LIMIT ${WIFI_COUNT})
SELECT json_build_object(
  'location', json_build_object('lon', round(ST_X(l.pt)::numeric, 7), 'lat', round(ST_Y(l.pt)::numeric, 7),
                                'source', l.source, 'label', l.label),
  'commune', (SELECT nom FROM commune),
  'fibre', json_build_object(
    'status', ${roles.fibreStatus},
    'phase', mz.phase, 'planned_start', mz.planned_start, 'planned_end', mz.planned_end,
    'operator', coalesce(bp.operator, mz.operator), 'zone_code', mz.zone_code, 'data_date', mz.data_date,
    'premises', coalesce((SELECT json_agg(json_build_object('premise_id', s.premise_id, 'status', s.status, 'address', s.address)
                                          ORDER BY s.rank DESC, s.premise_id)
                            FROM (SELECT *, ${roles.premiseRank} AS rank FROM premises ORDER BY rank DESC, premise_id LIMIT ${PREMISES_LISTED}) s), '[]'::json),
    'zones', coalesce((SELECT json_agg(json_build_object('zone_code', zone_code, 'status', status, 'phase', phase, 'share', share)
                                       ORDER BY share DESC, ${roles.zoneRank}, zone_code) FROM zones), '[]'::json)),
  'premises_operator', (SELECT operator FROM best_premise),
  'premises_date', (SELECT max(updated_on) FROM premises),
  'business_zone', (SELECT json_build_object('id', id, 'code', code, 'name', name) FROM business_zone),
  'lot', (SELECT json_build_object('id', id, 'lot_number', lot_number, 'status', status) FROM lot),
  'wifi', coalesce((SELECT json_agg(json_build_object('name', name, 'kind', kind, 'distance_m', distance_m)
                                    ORDER BY distance_m, name) FROM wifi), '[]'::json),
  'layer_dates', (SELECT json_object_agg(v.layer, v.updated_at::date) FROM layer_versions v
                   WHERE v.layer IN (${DATED_LAYERS.map((l) => `'${l}'`).join(', ')}))
)::text AS body
FROM loc l LEFT JOIN best_premise bp ON true LEFT JOIN main_zone mz ON true`;
}

/** One statement per kind of location. */
export type EligibilityStatements = Readonly<Record<LocationKind, string>>;

/** The four statements, built once at start-up with the code values the descriptions give each role. */
export function buildEligibilitySql(layers: LayerRegistry): EligibilityStatements {
  const premises = fibreStagesOf(layers.get('fibre_premises'), 'status');
  const zones = fibreStagesOf(layers.get('fibre_phases'), 'status');
  const roles: RoleSql = {
    premiseRank: rankSql(premises),
    zoneRank: rankSql(zones),
    fibreStatus: fibreStatusSql(premises, zones),
    wifiInService: sqlIn('h.status', valuesWithRole(layers.get('wifi_hotspots'), 'status', ['in_service'])),
  };
  return Object.freeze({
    point: buildStatement('point', roles),
    address: buildStatement('address', roles),
    parcel: buildStatement('parcel', roles),
    lot: buildStatement('lot', roles),
  });
}

/** What the statement returns, before the summary and the sources are added. */
export interface EligibilityRow {
  location: { lon: number; lat: number; source: LocationKind; label: string | null };
  commune: string | null;
  fibre: FibreAnswer;
  premises_operator: string | null;
  premises_date: string | null;
  business_zone: { id: number; code: string; name: string } | null;
  lot: { id: number; lot_number: string; status: string } | null;
  wifi: { name: string; kind: string; distance_m: number }[];
  layer_dates: Partial<Record<(typeof DATED_LAYERS)[number], string>> | null;
}

export type FibreStatus = 'deployed' | 'connectable' | 'in_progress' | 'planned' | 'study' | 'not_planned' | 'unknown';

export interface FibreAnswer {
  status: FibreStatus;
  phase: number | null;
  planned_start: string | null;
  planned_end: string | null;
  operator: string | null;
  zone_code: string | null;
  data_date: string | null;
  premises: { premise_id: string; status: string; address: string | null }[];
  zones: { zone_code: string; status: string; phase: number | null; share: number }[];
}
