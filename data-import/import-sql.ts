// The SQL of an import, built from the layer description: staging table, geometry repair,
// rejections, diff against the live layer and the merge. Identifiers only through ident().
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ident } from '../core/layers/layer-sql.ts';
import { PROPERTY_TYPES } from '../core/layers/property-types.ts';
import type { TargetColumn } from './mapping.ts';

/** The staging table, private to the import's session; it vanishes with its transaction. */
export const STAGE = 'pg_temp.websig_import_stage';

/** A staged row's final geometry: the repaired one if repair was needed, else the reprojected one. */
const FINAL_GEOM = 'coalesce(r._made_valid, r.geom)';

/** Longitude/latitude a stored geometry must stay within (Web Mercator tiles end at ±85.05°). */
const LON_LAT_LIMITS = `NOT (${FINAL_GEOM} @ ST_MakeEnvelope(-180, -85.06, 180, 85.06, 4326))`;

/**
 * Staging: row number, whether the geometry was repaired, the columns, the source geometry (EWKB
 * with its SRID) or WKT. The database reprojects (`geom`) and, for polygons, tests validity
 * (`_valid`) as rows arrive, while the reader is busy with the next ones; `_made_valid` holds
 * repairs. (Transforming twice costs less than a serial pass over the table afterwards.)
 */
export function createStageSql(layer: LayerDef, columns: readonly TargetColumn[]): string {
  const cols = columns.map((c) => `${ident(c.name)} ${PROPERTY_TYPES[c.type].sqlType}`).join(', ');
  const validity = layer.geometryType === 'MultiPolygon' ? ', _valid boolean GENERATED ALWAYS AS (ST_IsValid(ST_Transform(_src, 4326))) STORED' : '';
  return `CREATE TEMP TABLE websig_import_stage (
    _row integer NOT NULL, _fixed boolean NOT NULL, ${cols}, _src geometry, _wkt text, _error text,
    geom geometry GENERATED ALWAYS AS (ST_Transform(_src, 4326)) STORED${validity}, _made_valid geometry) ON COMMIT DROP`;
}

/** A per-row WKT reader that turns a parse failure into a reason instead of failing the statement. */
export function wktFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION pg_temp.websig_import_wkt(t text, srid integer, polygons boolean, OUT g geometry, OUT err text)
  LANGUAGE plpgsql AS $$
  BEGIN
    g := ST_Force2D(ST_GeomFromEWKT(t));
    IF ST_SRID(g) = 0 THEN g := ST_SetSRID(g, srid); END IF;
    IF ST_IsEmpty(g) THEN g := NULL; err := 'empty geometry'; RETURN; END IF;
    IF polygons THEN
      IF GeometryType(g) NOT IN ('POLYGON', 'MULTIPOLYGON') THEN
        err := 'geometry type ' || GeometryType(g) || ' does not fit a polygon layer'; g := NULL; RETURN;
      END IF;
      g := ST_Multi(g);
    ELSE
      IF GeometryType(g) = 'MULTIPOINT' AND ST_NumGeometries(g) = 1 THEN g := ST_GeometryN(g, 1); END IF;
      IF GeometryType(g) <> 'POINT' THEN
        err := 'geometry type ' || GeometryType(g) || ' does not fit a point layer'; g := NULL; RETURN;
      END IF;
    END IF;
  EXCEPTION WHEN others THEN
    g := NULL; err := 'unreadable WKT: ' || SQLERRM;
  END $$`;
}

/** Parses the staged WKT rows ($1 source SRID, $2 polygons?). */
export const PARSE_WKT_SQL = `UPDATE ${STAGE} SET (_src, _error) = (SELECT g, err FROM pg_temp.websig_import_wkt(_wkt, $1, $2)) WHERE _wkt IS NOT NULL`;

/**
 * Repairs invalid polygons (ST_MakeValid may return a collection: its polygons are kept). Only
 * the invalid rows are rewritten.
 */
export const REPAIR_POLYGONS_SQL = `UPDATE ${STAGE} r SET _made_valid = ST_Multi(ST_CollectionExtract(ST_MakeValid(r.geom), 3)), _fixed = true
  WHERE NOT r._valid`;

/** Rows rejected for their geometry (removed from staging): `_row`, `reason`, `total`; $1 = how many to list. */
export const GEOMETRY_REJECTS_SQL = `
  WITH gone AS (
    DELETE FROM ${STAGE} r
     WHERE r.geom IS NULL OR ST_IsEmpty(${FINAL_GEOM}) OR ${LON_LAT_LIMITS}
    RETURNING r._row, CASE WHEN r.geom IS NULL THEN coalesce(r._error, 'no geometry')
      WHEN ST_IsEmpty(${FINAL_GEOM}) THEN 'empty geometry after repair'
      ELSE 'outside the longitude/latitude range after reprojection: wrong coordinate system?' END AS reason)
  SELECT _row, reason, count(*) OVER () AS total FROM gone ORDER BY _row LIMIT $1`;

/** Whether the file repeats a natural key. */
export const hasDuplicateKeysSql = (key: string) =>
  `SELECT 1 FROM ${STAGE} GROUP BY ${ident(key)} HAVING count(*) > 1 LIMIT 1`;

/** Removes repeats of a natural key, keeping the first occurrence; lists them ($1 = how many). */
export function duplicateRejectsSql(key: string): string {
  return `
  WITH d AS (SELECT _row, ${ident(key)}::text AS k, min(_row) OVER (PARTITION BY ${ident(key)}) AS first FROM ${STAGE}),
  gone AS (DELETE FROM ${STAGE} r USING d WHERE r._row = d._row AND d._row <> d.first
           RETURNING r._row, 'duplicate ${key} "' || d.k || '" (first at row ' || d.first || ')' AS reason)
  SELECT _row, reason, count(*) OVER () AS total FROM gone ORDER BY _row LIMIT $1`;
}

/** In append mode, rows whose key the layer already holds are rejected ($1 = how many to list). */
export function appendConflictsSql(layer: LayerDef, key: string): string {
  return `
  WITH gone AS (DELETE FROM ${STAGE} r USING ${ident(layer.id)} l WHERE l.${ident(key)} = r.${ident(key)}
                RETURNING r._row, '${key} "' || r.${ident(key)}::text || '" is already in the layer: use mode upsert' AS reason)
  SELECT _row, reason, count(*) OVER () AS total FROM gone ORDER BY _row LIMIT $1`;
}

/**
 * In append mode, removes from staging the rows identical to a live feature (every mapped column,
 * and the same geometry); `~=` (same bounding box) lets the spatial index find the candidates.
 */
export function identicalRowsSql(layer: LayerDef, columns: readonly TargetColumn[]): string {
  const same = columns.map((c) => `l.${ident(c.name)} IS NOT DISTINCT FROM r.${ident(c.name)}`);
  return `DELETE FROM ${STAGE} r WHERE EXISTS (SELECT 1 FROM ${ident(layer.id)} l
    WHERE l.geom ~= ${FINAL_GEOM} AND ST_Equals(l.geom, ${FINAL_GEOM})${same.map((c) => ` AND ${c}`).join('')})`;
}

/** True when a delivered row differs from the live one: any column, or the geometry by more than ~1 cm. */
function changedSql(columns: readonly TargetColumn[], key: string): string {
  const cols = columns.filter((c) => c.name !== key).map((c) => `r.${ident(c.name)} IS DISTINCT FROM l.${ident(c.name)}`);
  return `(${[...cols, geometryMovedSql()].join(' OR ')})`;
}

/** Exact equality first (cheap); snapped to 1e-7° only when the coordinates differ at all. */
const geometryMovedSql = () =>
  `CASE WHEN ${FINAL_GEOM} = l.geom THEN false ELSE NOT (ST_SnapToGrid(${FINAL_GEOM}, 1e-7) = ST_SnapToGrid(l.geom, 1e-7)) END`;

/** Counts for the diff of a keyed layer: added, changed, unchanged, and changes per column (c0…, geom). */
export function diffCountsSql(layer: LayerDef, columns: readonly TargetColumn[], key: string): string {
  const k = ident(key);
  const perColumn = columns.map((c, i) => `count(*) FILTER (WHERE l.${k} IS NOT NULL AND r.${ident(c.name)} IS DISTINCT FROM l.${ident(c.name)}) AS c${i}`);
  return `SELECT count(*) FILTER (WHERE l.${k} IS NULL) AS added,
                 count(*) FILTER (WHERE l.${k} IS NOT NULL AND ${changedSql(columns, key)}) AS changed,
                 ${perColumn.join(', ')},
                 count(*) FILTER (WHERE l.${k} IS NOT NULL AND ${geometryMovedSql()}) AS geom
            FROM ${STAGE} r LEFT JOIN ${ident(layer.id)} l ON l.${k} = r.${k}`;
}

/** Live features the delivery no longer holds: how many, and the first keys ($1 = how many to list). */
export function absentSql(layer: LayerDef, key: string): string {
  const k = ident(key);
  return `SELECT l.${k}::text AS key, count(*) OVER () AS total FROM ${ident(layer.id)} l
           WHERE NOT EXISTS (SELECT 1 FROM ${STAGE} r WHERE r.${k} = l.${k}) ORDER BY 1 LIMIT $1`;
}

/** The first keys (in file order) of added or changed rows ($1 = how many). */
export function sampleKeysSql(layer: LayerDef, columns: readonly TargetColumn[], key: string, which: 'added' | 'changed'): string {
  const k = ident(key);
  const where = which === 'added' ? `l.${k} IS NULL` : `l.${k} IS NOT NULL AND ${changedSql(columns, key)}`;
  return `SELECT r.${k}::text AS key FROM ${STAGE} r LEFT JOIN ${ident(layer.id)} l ON l.${k} = r.${k} WHERE ${where} ORDER BY r._row LIMIT $1`;
}

/** Value changes of a code-list column between the live layer and the delivery, most frequent first. */
export function transitionsSql(layer: LayerDef, column: string, key: string): string {
  const k = ident(key);
  const c = ident(column);
  return `SELECT l.${c}::text AS before, r.${c}::text AS after, count(*) AS n
            FROM ${STAGE} r JOIN ${ident(layer.id)} l ON l.${k} = r.${k}
           WHERE r.${c} IS DISTINCT FROM l.${c} GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`;
}

/**
 * The writes into the live table. With a natural key, replace and upsert touch only what changed
 * (surviving features keep their ids); replace also deletes what the delivery no longer holds.
 */
export function mergeSql(layer: LayerDef, columns: readonly TargetColumn[], mode: 'replace' | 'append' | 'upsert', key: string | undefined): string[] {
  const live = ident(layer.id);
  const names = columns.map((c) => ident(c.name));
  // No ORDER BY: the staging table is scanned in load order, and sorting 500,000 rows costs a second.
  const insertAll = `INSERT INTO ${live} (${names.join(', ')}, geom) SELECT ${names.map((n) => `r.${n}`).join(', ')}, ${FINAL_GEOM} FROM ${STAGE} r`;
  if (!key) return mode === 'replace' ? [`DELETE FROM ${live}`, insertAll] : [insertAll];
  if (mode === 'append') return [insertAll];
  const k = ident(key);
  const set = columns.filter((c) => c.name !== key).map((c) => `${ident(c.name)} = r.${ident(c.name)}`);
  const statements = [];
  if (mode === 'replace') statements.push(`DELETE FROM ${live} l WHERE NOT EXISTS (SELECT 1 FROM ${STAGE} r WHERE r.${k} = l.${k})`);
  statements.push(`UPDATE ${live} l SET ${[...set, `geom = ${FINAL_GEOM}`].join(', ')} FROM ${STAGE} r WHERE l.${k} = r.${k} AND ${changedSql(columns, key)}`);
  statements.push(`INSERT INTO ${live} (${names.join(', ')}, geom)
    SELECT ${names.map((n) => `r.${n}`).join(', ')}, ${FINAL_GEOM} FROM ${STAGE} r
     WHERE NOT EXISTS (SELECT 1 FROM ${live} l WHERE l.${k} = r.${k})`);
  return statements;
}

/** Indexes a bulk load may drop and rebuild: not unique, not backing a constraint ($1 = table). */
export const DROPPABLE_INDEXES_SQL = `
  SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i
   WHERE i.indrelid = $1::regclass AND NOT i.indisunique AND NOT i.indisprimary
     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
   ORDER BY 1`;
