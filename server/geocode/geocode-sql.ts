// The search SQL (one statement, built once): addresses by full text with typo correction, business
// zones and lots by name and number, parcels by cadastral reference, merged and ranked by score.
import type { Database } from '../../core/db/database.ts';
import { IGNORED_ZONE_WORDS, parseGeocodeQuery, type GeocodeQuery } from './geocode-query.ts';
import type { PublishedColumns } from '../eligibility/public-fields.ts';

/** Columns this SQL publishes, checked against the layer descriptions at start-up. */
export const GEOCODE_COLUMNS: PublishedColumns = {
  addresses: ['id', 'numero', 'rep', 'nom_voie', 'code_postal', 'code_insee', 'nom_commune', 'geom'],
  business_zones: ['id', 'code', 'name', 'commune', 'geom'],
  zone_lots: ['id', 'zone_id', 'lot_number', 'status', 'geom'],
  parcels: ['id', 'commune', 'section', 'numero', 'geom'],
};

/**
 * Address candidates per pass, ranked afterwards. A query precise enough to name one address has far
 * fewer matches; a vaguer one ("rue de la gare") only needs some of its many matches suggested.
 */
const CANDIDATES = 300;
/** Trigram similarity from which a business zone name counts as found. */
const ZONE_MIN_SIMILARITY = 0.45;
/** Similarity of a commune name for a cadastral reference to count. */
const COMMUNE_MIN_SIMILARITY = 0.6;

const ADDRESS_TEXT = 'websig_address_search_text(a.numero, a.rep, a.nom_voie, a.code_postal, a.nom_commune)';
const ADDRESS_TSV = `to_tsvector('simple'::regconfig, ${ADDRESS_TEXT})`;
const BBOX = (g: string) => `json_build_array(round(ST_XMin(${g})::numeric, 7), round(ST_YMin(${g})::numeric, 7),
  round(ST_XMax(${g})::numeric, 7), round(ST_YMax(${g})::numeric, 7))`;

/**
 * Addresses are found in three passes, each run only when the previous one found nothing (the
 * uncorrelated NOT EXISTS are one-time filters): (1) every query word and number — then, if nothing
 * matched, with the last word as a prefix, so suggestions come while typing; (2) each word replaced by the closest vocabulary words
 * (trigrams), numbers still required; (3) the same without the numbers (a house number that does not
 * exist still finds its street). Words with no close vocabulary word are dropped.
 * Score: 0.7 × trigram similarity of the whole text (order-free) + 0.2 for the house number + 0.1 for
 * the repetition index (bis, ter), so the exact address scores 1 and comes first.
 */
export const GEOCODE_SQL = `
WITH exact_hits AS MATERIALIZED (
  SELECT a.id FROM addresses a
   WHERE $1 <> '' AND ${ADDRESS_TSV} @@ to_tsquery('simple', $1)
   LIMIT ${CANDIDATES}
), strict_hits AS MATERIALIZED (
  SELECT id FROM exact_hits
  UNION ALL
  (SELECT a.id FROM addresses a
    WHERE NOT EXISTS (SELECT 1 FROM exact_hits) AND $16 <> '' AND ${ADDRESS_TSV} @@ to_tsquery('simple', $16)
    LIMIT ${CANDIDATES})
), corrections AS MATERIALIZED (
  SELECT w.ord, string_agg(v.word, ' | ') AS alternatives
    FROM unnest($2::text[]) WITH ORDINALITY AS w(token, ord)
    CROSS JOIN LATERAL (
      SELECT s.word FROM search_words s WHERE s.word % w.token
       ORDER BY similarity(s.word, w.token) DESC, s.word LIMIT 3) v
   WHERE NOT EXISTS (SELECT 1 FROM strict_hits)
   GROUP BY w.ord
), tolerant AS MATERIALIZED (
  SELECT to_tsquery('simple', string_agg('(' || alternatives || ')', ' & ')) AS q FROM corrections HAVING count(*) > 0
), numbered_hits AS MATERIALIZED (
  SELECT a.id FROM addresses a
   WHERE NOT EXISTS (SELECT 1 FROM strict_hits) AND cardinality($3::text[]) > 0
     AND ${ADDRESS_TSV} @@ ((SELECT q FROM tolerant) && to_tsquery('simple', array_to_string($3::text[], ' & ')))
   LIMIT ${CANDIDATES}
), tolerant_hits AS MATERIALIZED (
  SELECT a.id FROM addresses a
   WHERE NOT EXISTS (SELECT 1 FROM strict_hits) AND NOT EXISTS (SELECT 1 FROM numbered_hits)
     AND ${ADDRESS_TSV} @@ (SELECT q FROM tolerant)
   LIMIT ${CANDIDATES}
), address_features AS (
  SELECT s.score, 0 AS rank, s.label, json_build_object(
      'type', 'Feature', 'id', s.id, 'geometry', ST_AsGeoJSON(s.geom, 7)::json,
      'properties', json_build_object('kind', 'address', 'label', s.label, 'score', s.score, 'numero', s.numero,
        'rep', s.rep, 'nom_voie', s.nom_voie, 'code_postal', s.code_postal, 'code_insee', s.code_insee,
        'nom_commune', s.nom_commune)) AS feature
    FROM (
      SELECT a.id, a.numero, a.rep, a.nom_voie, a.code_postal, a.code_insee, a.nom_commune, a.geom,
             concat_ws(' ', a.numero::text || coalesce(' ' || a.rep, ''), a.nom_voie) || ', '
               || concat_ws(' ', a.code_postal, a.nom_commune) AS label,
             round(least(1, 0.7 * similarity(${ADDRESS_TEXT}, $4)
               + CASE WHEN a.numero = $5::integer THEN 0.2 ELSE 0 END
               + CASE WHEN lower(coalesce(a.rep, '')) = coalesce($6, '') THEN 0.1 ELSE 0 END)::numeric, 3)::float8 AS score
        FROM addresses a
       WHERE a.id IN (SELECT id FROM strict_hits UNION ALL SELECT id FROM numbered_hits UNION ALL SELECT id FROM tolerant_hits)
       ORDER BY score DESC, a.id LIMIT $14) s
), zones AS (
  SELECT z.id, z.code, z.name, z.commune, z.geom, similarity((
      SELECT coalesce(string_agg(t.w, ' ' ORDER BY t.i), '')
        FROM regexp_split_to_table(websig_search_text(z.name), '[^a-z0-9]+') WITH ORDINALITY AS t(w, i)
       WHERE t.w <> '' AND NOT (t.w = ANY($15::text[]))), $7) AS s
    FROM business_zones z
   WHERE $7 <> ''
), zone_features AS (
  SELECT s.score, 2 AS rank, s.label, json_build_object(
      'type', 'Feature', 'id', 'zone-' || s.id, 'geometry', ST_AsGeoJSON(ST_PointOnSurface(s.geom), 7)::json,
      'bbox', ${BBOX('s.geom')},
      'properties', json_build_object('kind', 'business_zone', 'label', s.label, 'score', s.score,
        'zone_id', s.id, 'code', s.code, 'name', s.name, 'commune', s.commune)) AS feature
    FROM (SELECT z.*, z.name || coalesce(' (' || z.commune || ')', '') AS label,
                 round((z.s * CASE WHEN $8::text IS NULL THEN 1 ELSE 0.9 END)::numeric, 3)::float8 AS score
            FROM zones z WHERE z.s >= ${ZONE_MIN_SIMILARITY}) s
), lot_features AS (
  SELECT s.score, 1 AS rank, s.label, json_build_object(
      'type', 'Feature', 'id', 'lot-' || s.id, 'geometry', ST_AsGeoJSON(ST_PointOnSurface(s.geom), 7)::json,
      'bbox', ${BBOX('s.geom')},
      'properties', json_build_object('kind', 'lot', 'label', s.label, 'score', s.score, 'lot_id', s.id,
        'lot_number', s.lot_number, 'status', s.status, 'zone_id', s.zone_id, 'zone_name', s.zone_name)) AS feature
    FROM (
      SELECT l.id, l.lot_number, l.status, l.geom, l.zone_id, z.name AS zone_name,
             'Lot ' || l.lot_number || ', ' || z.name || coalesce(' (' || z.commune || ')', '') AS label,
             round(CASE WHEN $7 = '' THEN 0.7 ELSE zs.s END::numeric, 3)::float8 AS score
        FROM zone_lots l
        JOIN business_zones z ON z.id = l.zone_id
        LEFT JOIN zones zs ON zs.id = z.id
       WHERE $8::text IS NOT NULL AND lower(l.lot_number) = $8
         AND ($7 = '' OR zs.s >= ${ZONE_MIN_SIMILARITY})) s
), parcel_hits AS (
  SELECT p.id, p.commune, p.section, p.numero, p.geom, 1.0::float8 AS score FROM parcels p WHERE p.id = $9
  UNION ALL
  SELECT p.id, p.commune, p.section, p.numero, p.geom, round((0.95 * c.s)::numeric, 3)::float8
    FROM (SELECT code_insee, CASE WHEN $10 = '' THEN 0.85 WHEN code_insee = $10 THEN 1
                                  ELSE word_similarity($10, websig_search_text(nom)) END AS s
            FROM communes WHERE $10::text IS NOT NULL) c
    JOIN parcels p ON p.commune = c.code_insee AND p.section = $12 AND p.numero = $13 AND ($11::text IS NULL OR p.prefixe = $11)
   WHERE c.s >= ${COMMUNE_MIN_SIMILARITY}
), parcel_features AS (
  SELECT s.score, 3 AS rank, s.label, json_build_object(
      'type', 'Feature', 'id', s.id, 'geometry', ST_AsGeoJSON(ST_PointOnSurface(s.geom), 7)::json,
      'bbox', ${BBOX('s.geom')},
      'properties', json_build_object('kind', 'parcel', 'label', s.label, 'score', s.score, 'parcel_id', s.id,
        'commune', s.commune, 'section', s.section, 'numero', s.numero)) AS feature
    FROM (SELECT h.*, 'Parcelle ' || ltrim(h.section, '0') || ' ' || ltrim(h.numero, '0')
                 || coalesce(', ' || c.nom, '') AS label
            FROM parcel_hits h LEFT JOIN communes c ON c.code_insee = h.commune) s
), ranked AS (
  SELECT * FROM address_features UNION ALL SELECT * FROM lot_features
  UNION ALL SELECT * FROM zone_features UNION ALL SELECT * FROM parcel_features
  ORDER BY score DESC, rank, label LIMIT $14
)
SELECT json_build_object('type', 'FeatureCollection',
         'features', coalesce(json_agg(feature ORDER BY score DESC, rank, label), '[]'::json))::text AS body
  FROM ranked`;

/** The bound values of GEOCODE_SQL, in order. */
export function geocodeParams(q: GeocodeQuery, limit: number, ignoredZoneWords: readonly string[]): unknown[] {
  const ref = q.parcel;
  const byId = ref && 'id' in ref ? ref.id : null;
  const byRef = ref && !('id' in ref) ? ref : null;
  return [
    q.strict, q.words, q.numbers, q.text, q.houseNumber, q.rep,
    q.zoneText, q.lot?.number ?? null,
    byId, byRef?.commune ?? null, byRef?.prefix ?? null, byRef?.section ?? null, byRef?.numero ?? null,
    limit, ignoredZoneWords, q.strictPrefix,
  ];
}

/** Candidates read when only the best address is wanted: zones, lots and parcels may rank above it. */
const BEST_ADDRESS_CANDIDATES = 10;

/**
 * Runs GEOCODE_SQL for `q`: its GeoJSON FeatureCollection, as text. Prepared once per connection and
 * run on its generic plan: planning this statement for each query's values (parsing, a dozen CTEs, the
 * index matching of its expressions) cost more than running it — 6.2 ms of database CPU a search
 * against 2.4 ms, on the region bench's 300 searches over 2,500,000 addresses. The values do not change the plan worth having: every address
 * pass is an index lookup cut by its LIMIT whatever the words, and the passes that are not needed are
 * skipped by one-time filters either way. PostgreSQL only chooses the generic plan by itself when its
 * estimated cost is no higher than the custom plans', which unknown values never let it be here, hence
 * the setting, local to the search's own transaction (it would turn every other statement generic).
 */
export function runGeocode(db: Pick<Database, 'transaction'>, q: GeocodeQuery, limit: number): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
    const { rows } = await tx.query<{ body: string }>(GEOCODE_SQL, geocodeParams(q, limit, IGNORED_ZONE_WORDS), 'geocode');
    return rows[0]!.body;
  });
}

/** The BAN id of the address the search ranks first for `text`, if any (what a typed address means). */
export async function findAddressId(db: Pick<Database, 'transaction'>, text: string): Promise<string | undefined> {
  const body = await runGeocode(db, parseGeocodeQuery(text), BEST_ADDRESS_CANDIDATES);
  const { features } = JSON.parse(body) as { features: { id: string; properties: { kind: string } }[] };
  return features.find((f) => f.properties.kind === 'address')?.id;
}
