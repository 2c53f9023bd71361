// The SQL of an import, built from the layer description: the staging table, geometry repair,
// rejections and diff in steps over ranges of staged rows, and the merge into the live layer.
// Identifiers only through ident(); a step's row range is always $1 (exclusive) to $2 (inclusive).
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ident } from '../core/layers/layer-sql.ts';
import { PROPERTY_TYPES } from '../core/layers/property-types.ts';
import type { TargetColumn } from './mapping.ts';

/** The staging table of run `runId`, a real table so that each step can be its own transaction. */
export const stageTable = (runId: number): string => ident(`import_stage_${runId}`);

/** Leftover staging and next tables (rebuild-swap.ts) of runs no longer running, on the search path, by `name`. */
export const LEFTOVER_IMPORT_TABLES_SQL = `
  SELECT c.relname AS name
    FROM pg_class c
   WHERE c.relkind = 'r' AND c.relname ~ '^import_(stage|build)_[0-9]{1,9}$' AND pg_table_is_visible(c.oid)
     AND NOT EXISTS (SELECT 1 FROM import_runs i WHERE i.id = substring(c.relname FROM '[0-9]+$')::int AND i.status = 'running')`;

/** A staged row's final geometry: the repaired one if repair was needed, else the reprojected one. */
const FINAL_GEOM = 'coalesce(r._made_valid, r.geom)';

/** The step's range of staged rows. */
const IN_RANGE = 'r._row > $1 AND r._row <= $2';

/** Longitude/latitude a stored geometry must stay within (Web Mercator tiles end at ±85.05°). */
const LON_LAT_LIMITS = `NOT (${FINAL_GEOM} @ ST_MakeEnvelope(-180, -85.06, 180, 85.06, 4326))`;

/**
 * Staging: row number, whether the geometry was repaired, the columns, the source geometry (EWKB
 * with its SRID) or WKT. The database reprojects (`geom`) and, for polygons, tests validity
 * (`_valid`) as rows arrive, while the reader is busy with the next ones; `_made_valid` holds
 * repairs. (Transforming twice costs less than a serial pass over the table afterwards.)
 * UNLOGGED: a crash loses the stage, which a restarted server drops anyway, and COPY skips the WAL.
 */
export function createStageSql(stage: string, layer: LayerDef, columns: readonly TargetColumn[]): string {
  const cols = columns.map((c) => `${ident(c.name)} ${PROPERTY_TYPES[c.type].sqlType}`).join(', ');
  const validity = layer.geometryType === 'MultiPolygon' ? ', _valid boolean GENERATED ALWAYS AS (ST_IsValid(ST_Transform(_src, 4326))) STORED' : '';
  return `CREATE UNLOGGED TABLE ${stage} (
    _row integer NOT NULL, _fixed boolean NOT NULL, ${cols}, _src geometry, _wkt text, _error text,
    geom geometry GENERATED ALWAYS AS (ST_Transform(_src, 4326)) STORED${validity}, _made_valid geometry)`;
}

/**
 * The staging table's indexes: `_row` for the steps' ranges, the natural key for the diff and the
 * merge. Built once the rows are in (cheaper than maintaining them row by row), except where
 * readers share the connection: there one index build over every row would hold them up, so the
 * indexes exist before the first batch and each batch maintains them.
 */
export function indexStageSql(stage: string, key: string | undefined): string[] {
  return [`CREATE INDEX ON ${stage} (_row)`, ...(key ? [`CREATE INDEX ON ${stage} (${ident(key)})`] : [])];
}

/** The highest staged row number: where the steps end. */
export const maxRowSql = (stage: string) => `SELECT coalesce(max(_row), 0) AS n FROM ${stage}`;

/** Parses the staged WKT rows of a range ($3 source SRID, $4 polygons?). */
export const parseWktSql = (stage: string) =>
  `UPDATE ${stage} r SET (_src, _error) = (SELECT g, err FROM websig_import_wkt(r._wkt, $3, $4)) WHERE r._wkt IS NOT NULL AND ${IN_RANGE}`;

/**
 * Repairs the invalid polygons of a range (ST_MakeValid may return a collection: its polygons are
 * kept). Only the invalid rows are rewritten.
 */
export const repairPolygonsSql = (stage: string) =>
  `UPDATE ${stage} r SET _made_valid = ST_Multi(ST_CollectionExtract(ST_MakeValid(r.geom), 3)), _fixed = true WHERE NOT r._valid AND ${IN_RANGE}`;

/** A rejecting statement's answer: the first rejected rows (`_row`, `reason`) with the `total`; $3 = how many to list. */
const listRejects = `SELECT _row, reason, count(*) OVER () AS total FROM gone ORDER BY _row LIMIT $3`;

/** Rows of a range rejected for their geometry (removed from staging). */
export const geometryRejectsSql = (stage: string) => `
  WITH gone AS (
    DELETE FROM ${stage} r
     WHERE (r.geom IS NULL OR ST_IsEmpty(${FINAL_GEOM}) OR ${LON_LAT_LIMITS}) AND ${IN_RANGE}
    RETURNING r._row, CASE WHEN r.geom IS NULL THEN coalesce(r._error, 'no geometry')
      WHEN ST_IsEmpty(${FINAL_GEOM}) THEN 'empty geometry after repair'
      ELSE 'outside the longitude/latitude range after reprojection: wrong coordinate system?' END AS reason)
  ${listRejects}`;

/** Whether the file repeats a natural key (the key's index answers it). */
export const hasDuplicateKeysSql = (stage: string, key: string) =>
  `SELECT 1 FROM ${stage} GROUP BY ${ident(key)} HAVING count(*) > 1 LIMIT 1`;

/** Removes repeats of a natural key, keeping the first occurrence; lists them ($1 = how many). */
export function duplicateRejectsSql(stage: string, key: string): string {
  return `
  WITH d AS (SELECT _row, ${ident(key)}::text AS k, min(_row) OVER (PARTITION BY ${ident(key)}) AS first FROM ${stage}),
  gone AS (DELETE FROM ${stage} r USING d WHERE r._row = d._row AND d._row <> d.first
           RETURNING r._row, 'duplicate ${key} "' || d.k || '" (first at row ' || d.first || ')' AS reason)
  SELECT _row, reason, count(*) OVER () AS total FROM gone ORDER BY _row LIMIT $1`;
}

/** In append mode, rows of a range whose key the layer already holds are rejected. */
export function appendConflictsSql(stage: string, layer: LayerDef, key: string): string {
  return `
  WITH gone AS (DELETE FROM ${stage} r USING ${ident(layer.id)} l WHERE l.${ident(key)} = r.${ident(key)} AND ${IN_RANGE}
                RETURNING r._row, '${key} "' || r.${ident(key)}::text || '" is already in the layer: use mode upsert' AS reason)
  ${listRejects}`;
}

/**
 * In append mode, removes from a range the rows identical to a live feature (every mapped column,
 * and the same geometry); `~=` (same bounding box) lets the spatial index find the candidates.
 */
export function identicalRowsSql(stage: string, layer: LayerDef, columns: readonly TargetColumn[]): string {
  const same = columns.map((c) => `l.${ident(c.name)} IS NOT DISTINCT FROM r.${ident(c.name)}`);
  return `DELETE FROM ${stage} r WHERE ${IN_RANGE} AND EXISTS (SELECT 1 FROM ${ident(layer.id)} l
    WHERE l.geom ~= ${FINAL_GEOM} AND ST_Equals(l.geom, ${FINAL_GEOM})${same.map((c) => ` AND ${c}`).join('')})`;
}

/** Staged rows, and how many of them were repaired. */
export const countStagedSql = (stage: string) => `SELECT count(*) AS loaded, count(*) FILTER (WHERE _fixed) AS repaired FROM ${stage}`;

/** True when a delivered row differs from the live one: any column, or the geometry by more than ~1 cm. */
function changedSql(columns: readonly TargetColumn[], key: string): string {
  const cols = columns.filter((c) => c.name !== key).map((c) => `r.${ident(c.name)} IS DISTINCT FROM l.${ident(c.name)}`);
  return `(${[...cols, geometryMovedSql()].join(' OR ')})`;
}

/** Exact equality first (cheap); snapped to 1e-7° only when the coordinates differ at all. */
const geometryMovedSql = () =>
  `CASE WHEN ${FINAL_GEOM} = l.geom THEN false ELSE NOT (ST_SnapToGrid(${FINAL_GEOM}, 1e-7) = ST_SnapToGrid(l.geom, 1e-7)) END`;

/** Counts for the diff of a keyed layer over a range: added, changed, and changes per column (c0…, geom). */
export function diffCountsSql(stage: string, layer: LayerDef, columns: readonly TargetColumn[], key: string): string {
  const k = ident(key);
  const perColumn = columns.map((c, i) => `count(*) FILTER (WHERE l.${k} IS NOT NULL AND r.${ident(c.name)} IS DISTINCT FROM l.${ident(c.name)}) AS c${i}`);
  return `SELECT count(*) FILTER (WHERE l.${k} IS NULL) AS added,
                 count(*) FILTER (WHERE l.${k} IS NOT NULL AND ${changedSql(columns, key)}) AS changed,
                 ${perColumn.join(', ')},
                 count(*) FILTER (WHERE l.${k} IS NOT NULL AND ${geometryMovedSql()}) AS geom
            FROM ${stage} r LEFT JOIN ${ident(layer.id)} l ON l.${k} = r.${k} WHERE ${IN_RANGE}`;
}

/** Live features the delivery no longer holds: how many, and the first keys ($1 = how many to list). */
export function absentSql(stage: string, layer: LayerDef, key: string): string {
  const k = ident(key);
  return `SELECT l.${k}::text AS key, count(*) OVER () AS total FROM ${ident(layer.id)} l
           WHERE NOT EXISTS (SELECT 1 FROM ${stage} r WHERE r.${k} = l.${k}) ORDER BY 1 LIMIT $1`;
}

/** The first keys (in file order) of added or changed rows ($1 = how many). */
export function sampleKeysSql(stage: string, layer: LayerDef, columns: readonly TargetColumn[], key: string, which: 'added' | 'changed'): string {
  const k = ident(key);
  const where = which === 'added' ? `l.${k} IS NULL` : `l.${k} IS NOT NULL AND ${changedSql(columns, key)}`;
  return `SELECT r.${k}::text AS key FROM ${stage} r LEFT JOIN ${ident(layer.id)} l ON l.${k} = r.${k} WHERE ${where} ORDER BY r._row LIMIT $1`;
}

/** Value changes of a code-list column over a range, between the live layer and the delivery. */
export function transitionsSql(stage: string, layer: LayerDef, column: string, key: string): string {
  const k = ident(key);
  const c = ident(column);
  return `SELECT l.${c}::text AS before, r.${c}::text AS after, count(*) AS n
            FROM ${stage} r JOIN ${ident(layer.id)} l ON l.${k} = r.${k}
           WHERE r.${c} IS DISTINCT FROM l.${c} AND ${IN_RANGE} GROUP BY 1, 2`;
}

/**
 * The writes into the live table, in one transaction with the layer's indexes in place: readers
 * keep seeing the old rows until the commit and never wait (no DROP INDEX, no table lock beyond
 * the row locks of ordinary writes). With a natural key, replace and upsert touch only what
 * changed (surviving features keep their ids); replace also deletes what the delivery lacks.
 */
export function mergeSql(
  stage: string, layer: LayerDef, columns: readonly TargetColumn[], mode: 'replace' | 'append' | 'upsert', key: string | undefined, liveEmpty: boolean,
): string[] {
  const live = ident(layer.id);
  const names = columns.map((c) => ident(c.name));
  // New rows get their ids in file order (the staging steps may have moved rows within the table;
  // its `_row` index gives the order without a sort).
  const inFileOrder = 'ORDER BY r._row';
  const insertAll = `INSERT INTO ${live} (${names.join(', ')}, geom) SELECT ${names.map((n) => `r.${n}`).join(', ')}, ${FINAL_GEOM} FROM ${stage} r ${inFileOrder}`;
  if (!key) return mode === 'replace' ? [`DELETE FROM ${live}`, insertAll] : [insertAll];
  // Into an empty layer every row is new. Looking each one up in the live table would also be planned
  // for the empty table it is when planned (a nested loop over a sequential scan of it), while the
  // statement itself fills it: a scan of every page written so far for each row, 2,500,000 addresses
  // not done after 20 minutes.
  if (mode === 'append' || liveEmpty) return [insertAll];
  const k = ident(key);
  const set = columns.filter((c) => c.name !== key).map((c) => `${ident(c.name)} = r.${ident(c.name)}`);
  const statements = [];
  if (mode === 'replace') statements.push(`DELETE FROM ${live} l WHERE NOT EXISTS (SELECT 1 FROM ${stage} r WHERE r.${k} = l.${k})`);
  statements.push(`UPDATE ${live} l SET ${[...set, `geom = ${FINAL_GEOM}`].join(', ')} FROM ${stage} r WHERE l.${k} = r.${k} AND ${changedSql(columns, key)}`);
  statements.push(`INSERT INTO ${live} (${names.join(', ')}, geom)
    SELECT ${names.map((n) => `r.${n}`).join(', ')}, ${FINAL_GEOM} FROM ${stage} r
     WHERE NOT EXISTS (SELECT 1 FROM ${live} l WHERE l.${k} = r.${k}) ${inFileOrder}`);
  return statements;
}

/** A replace rebuilt beside the live layer (rebuild-swap.ts): the delivered rows of a range, all new ($1, $2 the range). */
export function fillNewSql(table: string, stage: string, columns: readonly TargetColumn[]): string {
  const names = columns.map((c) => ident(c.name));
  return `INSERT INTO ${table} (${names.join(', ')}, geom) SELECT ${names.map((n) => `r.${n}`).join(', ')}, ${FINAL_GEOM}
            FROM ${stage} r WHERE ${IN_RANGE} ORDER BY r._row`;
}

/** The pages of table $1 (a quoted name), the unit of steps over its rows by physical position (copyLiveSql). */
export const PAGE_COUNT_SQL = `SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::int)::int AS n`;

/**
 * An upsert or append rebuilt beside the live layer: the live rows of a range of pages (page $1
 * included to $2 excluded, read by a TID range scan) that the delivery does not replace, copied
 * whole, identity included. Without a key (an append), every live row is kept.
 */
export function copyLiveSql(table: string, stage: string, layer: LayerDef, columns: readonly string[], key: string | undefined): string {
  const names = columns.map(ident);
  const kept = key ? ` AND NOT EXISTS (SELECT 1 FROM ${stage} r WHERE r.${ident(key)} = l.${ident(key)})` : '';
  return `INSERT INTO ${table} (${names.join(', ')}) OVERRIDING SYSTEM VALUE SELECT ${names.map((n) => `l.${n}`).join(', ')}
            FROM ${ident(layer.id)} l WHERE l.ctid >= format('(%s,0)', $1::int)::tid AND l.ctid < format('(%s,0)', $2::int)::tid${kept}`;
}

/**
 * A keyed replace rebuilt beside the live layer: a range's rows whose key the layer holds keep the
 * live feature's identity and the columns the delivery does not fill (`carried`), and the whole live
 * row when nothing changed; `updated_at` moves only for changed rows, as the layer's update trigger
 * would move it. Then the range's new rows, numbered by the table's identity in file order.
 */
export function fillKeyedSql(table: string, stage: string, layer: LayerDef, columns: readonly TargetColumn[], key: string, carried: readonly string[]): string[] {
  const live = ident(layer.id);
  const k = ident(key);
  const names = columns.map((c) => ident(c.name));
  const kept = carried.map((c) => (c === 'updated_at' ? `CASE WHEN c.changed THEN now() ELSE l.updated_at END` : `l.${ident(c)}`));
  const matched = `INSERT INTO ${table} (${[...names, 'geom', ...carried.map(ident)].join(', ')}) OVERRIDING SYSTEM VALUE
    SELECT ${[...names.map((n) => `CASE WHEN c.changed THEN r.${n} ELSE l.${n} END`), `CASE WHEN c.changed THEN ${FINAL_GEOM} ELSE l.geom END`, ...kept].join(', ')}
      FROM ${stage} r JOIN ${live} l ON l.${k} = r.${k} CROSS JOIN LATERAL (SELECT ${changedSql(columns, key)} AS changed) c
     WHERE ${IN_RANGE} ORDER BY r._row`;
  const added = `INSERT INTO ${table} (${names.join(', ')}, geom) SELECT ${names.map((n) => `r.${n}`).join(', ')}, ${FINAL_GEOM}
      FROM ${stage} r WHERE ${IN_RANGE} AND NOT EXISTS (SELECT 1 FROM ${live} l WHERE l.${k} = r.${k}) ORDER BY r._row`;
  return [matched, added];
}
