// Lots from spreadsheets (CSV) or GeoPackages, keyed on (zone code, lot number): the file's zone
// code is looked up among the business zones, each row goes through the lot rules (SIRET, NAF,
// option term) and the geometry rules in PostGIS, then lots are upserted (dry run: the diff only),
// each change audited. A path of its own beside the pipeline, whose natural key is one column;
// it reuses the pipeline's readers, mapping, coordinate systems and run records.
import { basename } from 'node:path';
import type { Queryable } from '../core/db/database.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ident } from '../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../core/layers/registry.ts';
import { RuleError } from '../core/rule-error.ts';
import { applyLotRules, parisToday, LOT_OUTSIDE_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_SHARE } from '../core/lots/lot-rules.ts';
import { resolveSrs } from './crs.ts';
import { ImportFailure, describeServerFault, faultOf } from './import-fault.ts';
import { LOT_IMPORT_LAYER } from './lot-import-layer.ts';
import { MAX_STORED_ERRORS, finishRun, processRunner, startRun } from './import-runs.ts';
import type { ImportDiff, ImportSummary } from './import-summary.ts';
import { compileMapping, loadProfile } from './mapping.ts';
import { ImportOptionsError, deliveryHash, type ImportOptions } from './pipeline.ts';
import { openSource, type OpenedSource } from './sources/open-source.ts';
import type { ImportDatabase } from './stage-loader.ts';
import { encodeGeometry } from './wkb.ts';

export { LOT_IMPORT_LAYER };

/** The lots' description as a file sees it: the zone named by its code instead of its id. */
export function lotFileLayer(lots: LayerDef, zones: LayerDef): LayerDef {
  const zoneCode = zones.properties.find((p) => p.name === 'code')!;
  return {
    ...lots,
    properties: lots.properties.map((p) => (p.name === 'zone_id' ? { ...zoneCode, name: 'zone_code', required: true } : p)),
  };
}

const STAGE = 'pg_temp.websig_lot_stage';
const SQL_TYPES = { text: 'text', integer: 'integer', number: 'numeric', date: 'date', datetime: 'timestamptz', boolean: 'boolean', 'text[]': 'text[]' } as const;
const BATCH = 1000;

class LotImportFailure extends ImportFailure {}
class DryRunDone extends Error {}

/** Checks a lot import's options before anything is read or recorded; returns the lots' and zones' descriptions. */
export function validateLotImportOptions(layers: LayerRegistry, options: ImportOptions): { lots: LayerDef; zones: LayerDef } {
  const lots = layers.get(LOT_IMPORT_LAYER);
  const zones = layers.get('business_zones');
  if (!lots || !zones) throw new ImportOptionsError('the lot import needs the zone_lots and business_zones descriptions');
  if (options.mode !== 'upsert') {
    throw new ImportOptionsError('lots are imported by (zone code, lot number): mode must be upsert (lots absent from the file are kept)', 'mode');
  }
  return { lots, zones };
}

/**
 * Runs a lot import (mode upsert only); never throws for a failed import, only for bad options.
 * Lot deliveries are small (a zone's lots): the whole import is one transaction.
 */
export async function runLotImport(db: ImportDatabase, layers: LayerRegistry, options: ImportOptions): Promise<ImportSummary> {
  const { lots, zones } = validateLotImportOptions(layers, options);
  const started = performance.now();
  const summary: ImportSummary = {
    id: null, status: 'running', layer: lots.id, file: options.fileName ?? basename(options.file), sha256: null, mode: 'upsert',
    mapping: typeof options.mapping === 'object' ? options.mapping.name : (options.mapping ?? 'default'), dryRun: options.dryRun ?? false,
    counts: { read: 0, loaded: 0, repaired: 0, rejected: 0 }, written: { inserted: 0, updated: 0, deleted: 0 },
    diff: null, errors: [], warnings: [], fields: [], durationMs: 0,
  };
  summary.sha256 = await deliveryHash(options.file);
  summary.id = options.runId ?? (await startRun(db, { ...summary, status: 'running', runner: options.runner ?? processRunner(), userId: options.userId }));
  const maxErrors = options.maxErrors ?? 0;
  const reject = (row: number, reason: string) => {
    summary.counts.rejected++;
    if (summary.errors.length < MAX_STORED_ERRORS) summary.errors.push({ row, reason });
  };
  let opened: OpenedSource | undefined;
  try {
    const profile = typeof options.mapping === 'object' ? options.mapping : loadProfile(options.mapping);
    opened = await openSource(options.file, { encoding: options.encoding ?? profile.encoding, member: options.member, delimiter: profile.delimiter, csvGeometry: profile.geometry }, summary.file);
    const { source } = opened;
    summary.format = source.format;
    const fileLayer = lotFileLayer(lots, zones);
    const mapping = compileMapping(profile, fileLayer, source.fields, source.geometryFields);
    summary.fields = mapping.describe;
    summary.warnings.push(...mapping.warnings);
    const srs = await resolveSrs(db, source.crs, { srs: options.srs ?? profile.srs, samples: source.samplePositions, detectFromValues: source.format === 'csv' }, summary.warnings);
    await srs.crossCheck();
    summary.srs = `EPSG:${srs.srid} (${srs.origin})`;
    const columns = mapping.columns.map((c) => c.name);
    const today = parisToday();

    await db.transaction(async (tx) => {
      // A large file is one long transaction by design, as in the pipeline (withImportSession).
      await tx.query('SET LOCAL statement_timeout = 0');
      // The pipeline's lock for the layer: one import into zone_lots at a time, whichever path.
      const lock = await tx.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('websig-import'), hashtext($1)) AS ok", [lots.id]);
      if (!lock.rows[0]!.ok) throw new LotImportFailure(`another import into ${lots.id} is running: try again when it is done`);
      await tx.query(`CREATE TEMP TABLE websig_lot_stage (_row integer, ${mapping.columns.map((c) => `${ident(c.name)} ${SQL_TYPES[c.type]}`).join(', ')},
        _src text, _wkt text, _error text, zone_id integer, lot_id integer, geom geometry) ON COMMIT DROP`);
      const record = ['_row integer', ...mapping.columns.map((c) => `${ident(c.name)} ${SQL_TYPES[c.type]}`), '_src text', '_wkt text'].join(', ');
      const names = ['_row', ...columns.map(ident), '_src', '_wkt'].join(', ');
      // Rows are checked by the lot rules as they are read and staged BATCH at a time: memory
      // holds one batch, not the file.
      let batch: Record<string, unknown>[] = [];
      const flush = async () => {
        if (batch.length) await tx.query(`INSERT INTO ${STAGE} (${names}) SELECT ${names} FROM json_to_recordset($1::json) AS r(${record})`, [JSON.stringify(batch)]);
        batch = [];
      };
      for await (const record of source.records(mapping.usedFields)) {
        // Past the rejections allowed, the rest of the file cannot save the import.
        if (summary.counts.rejected > maxErrors) break;
        summary.counts.read++;
        if (record.error) {
          reject(record.row, record.error);
          continue;
        }
        const mapped = mapping.map(record.properties, record.row);
        if (!mapped.ok) {
          reject(record.row, mapped.errors.join('; '));
          continue;
        }
        const values = Object.fromEntries(columns.map((c, i) => [c, mapped.values[i] ?? null]));
        try {
          // The whole row states the lot as it is: its fields must hold together, whatever the workflow.
          Object.assign(values, applyLotRules(undefined, values, today));
        } catch (error) {
          if (!(error instanceof RuleError)) throw error;
          reject(record.row, error.message);
          continue;
        }
        const encoded = record.wkt === undefined ? encodeGeometry(record.geometry, 'MultiPolygon', srs.srid) : undefined;
        if (encoded && !encoded.ok) {
          reject(record.row, encoded.reason);
          continue;
        }
        batch.push({ _row: record.row, ...values, _src: encoded?.hex ?? null, _wkt: record.wkt ?? null });
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      summary.warnings.push(...source.warnings.splice(0));
      if (summary.counts.rejected > maxErrors) throw new LotImportFailure(`${summary.counts.rejected} rejected rows, more than --max-errors ${maxErrors} allows`);
      await stageChecks(tx, srs.srid, reject);
      if (summary.counts.rejected > maxErrors) throw new LotImportFailure(`${summary.counts.rejected} rejected rows, more than --max-errors ${maxErrors} allows`);
      summary.counts.loaded = (await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${STAGE}`)).rows[0]!.n;
      const editable = columns.filter((c) => c !== 'zone_code');
      summary.diff = await lotDiff(tx, editable);
      if (summary.dryRun) throw new DryRunDone();
      await upsert(tx, lots, editable, summary, options.userId ?? null);
      finish(summary, 'succeeded', started);
      await finishRun(tx, summary);
    });
    return summary;
  } catch (error) {
    if (error instanceof DryRunDone) {
      finish(summary, 'succeeded', started);
      await finishRun(db, summary);
      return summary;
    }
    if (error instanceof ImportOptionsError) throw error;
    summary.fault = faultOf(error);
    if (summary.fault === 'server') options.onServerFault?.(error);
    finish(summary, 'failed', started, summary.fault === 'file' ? (error as Error).message : `${describeServerFault(error)}: the import stopped and nothing was changed`);
    await finishRun(db, summary).catch(() => undefined);
    return summary;
  } finally {
    await opened?.close().catch(() => undefined);
  }
}

function finish(summary: ImportSummary, status: 'succeeded' | 'failed', started: number, message?: string): void {
  summary.status = status;
  summary.durationMs = performance.now() - started;
  summary.errors.sort((a, b) => a.row - b.row);
  if (message) summary.message = message;
}

/** Removes and reports staged rows that cannot become lots ($1 = source SRID for WKT and EWKB). */
async function stageChecks(tx: Queryable, srid: number, reject: (row: number, reason: string) => void): Promise<void> {
  const drop = async (sql: string, params: unknown[] = []) => {
    const { rows } = await tx.query<{ _row: number; reason: string }>(
      `WITH gone AS (DELETE FROM ${STAGE} s USING (${sql}) bad WHERE s._row = bad._row RETURNING bad._row, bad.reason) SELECT * FROM gone ORDER BY _row`, params);
    for (const r of rows) reject(r._row, r.reason);
  };
  // WKT is read row by row by the pipeline's reader, which turns a parse failure into a reason.
  await tx.query(`UPDATE ${STAGE} SET geom = ST_Multi(ST_Transform(ST_GeomFromEWKB(decode(_src, 'hex')), 4326)) WHERE _wkt IS NULL`);
  await tx.query(`UPDATE ${STAGE} s SET (geom, _error) = (SELECT ST_Transform(g, 4326), err FROM websig_import_wkt(s._wkt, $1, true))
      WHERE _wkt IS NOT NULL`, [srid]);
  await drop(`SELECT _row, coalesce(_error, 'no geometry') AS reason FROM ${STAGE} WHERE geom IS NULL`);
  await tx.query(`UPDATE ${STAGE} s SET zone_id = z.id FROM business_zones z WHERE z.code = s.zone_code`);
  // The zone locks staff edits take (lockZone), in the same order (ids ascending): no lot of
  // these zones moves, and no zone changes outline, between the checks below and the write.
  await tx.query(`SELECT id FROM business_zones WHERE id IN (SELECT zone_id FROM ${STAGE}) ORDER BY id FOR UPDATE`);
  await tx.query(`UPDATE ${STAGE} s SET lot_id = l.id FROM zone_lots l WHERE l.zone_id = s.zone_id AND l.lot_number = s.lot_number`);
  await drop(`SELECT _row, 'zone_code "' || zone_code || '" : zone inconnue / unknown zone' AS reason FROM ${STAGE} WHERE zone_id IS NULL`);
  await drop(`SELECT _row, 'lot ' || zone_code || '/' || lot_number || ' répété (première ligne ' || first || ') / repeated (first at row ' || first || ')' AS reason
      FROM (SELECT _row, zone_code, lot_number, min(_row) OVER (PARTITION BY zone_id, lot_number) AS first FROM ${STAGE}) d WHERE _row <> first`);
  await drop(`SELECT _row, 'géométrie invalide / invalid geometry: ' || ST_IsValidReason(geom) AS reason FROM ${STAGE} WHERE NOT ST_IsValid(geom) OR GeometryType(geom) <> 'MULTIPOLYGON'`);
  // The overlap self-join below and the live checks read the staged geometries by area.
  await tx.query(`CREATE INDEX ON ${STAGE} USING gist (geom)`);
  await tx.query(`ANALYZE ${STAGE}`);
  // Against the live lots (the row's own excepted, and those the file also delivers: listed once
  // per zone, not per row)…
  await drop(`WITH delivered AS MATERIALIZED (SELECT zone_id, array_agg(lot_id) AS ids FROM ${STAGE} WHERE lot_id IS NOT NULL GROUP BY zone_id)
      SELECT s._row, CASE p.problem WHEN 'outside_zone' THEN 'hors de sa zone / outside its zone'
        ELSE 'chevauche le lot / overlaps lot ' || p.lot_number END AS reason
      FROM ${STAGE} s LEFT JOIN delivered d ON d.zone_id = s.zone_id
      CROSS JOIN LATERAL (SELECT * FROM websig_lot_geometry_problems(s.geom, s.zone_id, coalesce(d.ids, '{}'::integer[]), $1, $2, $3) LIMIT 1) p`,
  [LOT_OUTSIDE_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_SHARE]);
  // …and against each other.
  await drop(`SELECT DISTINCT ON (b._row) b._row, 'chevauche le lot / overlaps lot ' || a.lot_number || ' (ligne / row ' || a._row || ')' AS reason
      FROM ${STAGE} a JOIN ${STAGE} b ON a.zone_id = b.zone_id AND a._row < b._row AND a.geom && b.geom
     WHERE ST_Area(ST_Intersection(a.geom, b.geom)::geography) > least($1, $2 * least(ST_Area(a.geom::geography), ST_Area(b.geom::geography)))
     ORDER BY b._row, a._row`, [LOT_OVERLAP_TOLERANCE_M2, LOT_OVERLAP_TOLERANCE_SHARE]);
}

/** True when a staged row changes its live lot: a field, or the geometry by more than ~1 cm. */
const changedSql = (columns: readonly string[]) =>
  `(${[...columns.map((c) => `s.${ident(c)} IS DISTINCT FROM l.${ident(c)}`), 'NOT ST_Equals(ST_SnapToGrid(s.geom, 1e-7), ST_SnapToGrid(l.geom, 1e-7))'].join(' OR ')})`;

async function lotDiff(tx: Queryable, columns: readonly string[]): Promise<ImportDiff> {
  const key = `s.zone_code || '/' || s.lot_number`;
  const { rows } = await tx.query<{ added: number; changed: number; unchanged: number; added_keys: string[] | null; changed_keys: string[] | null }>(
    `SELECT count(*) FILTER (WHERE l.id IS NULL) AS added,
            count(*) FILTER (WHERE l.id IS NOT NULL AND ${changedSql(columns)}) AS changed,
            count(*) FILTER (WHERE l.id IS NOT NULL AND NOT ${changedSql(columns)}) AS unchanged,
            (array_agg(${key} ORDER BY s._row) FILTER (WHERE l.id IS NULL))[1:20] AS added_keys,
            (array_agg(${key} ORDER BY s._row) FILTER (WHERE l.id IS NOT NULL AND ${changedSql(columns)}))[1:20] AS changed_keys
       FROM ${STAGE} s LEFT JOIN zone_lots l ON l.id = s.lot_id`,
  );
  const r = rows[0]!;
  const changedColumns: Record<string, number> = {};
  for (const c of [...columns, 'geom']) {
    const test = c === 'geom' ? 'NOT ST_Equals(ST_SnapToGrid(s.geom, 1e-7), ST_SnapToGrid(l.geom, 1e-7))' : `s.${ident(c)} IS DISTINCT FROM l.${ident(c)}`;
    const n = (await tx.query<{ n: number }>(`SELECT count(*) AS n FROM ${STAGE} s JOIN zone_lots l ON l.id = s.lot_id WHERE ${test}`)).rows[0]!.n;
    if (n) changedColumns[c] = n;
  }
  const transitions = (await tx.query<{ t: string; n: number }>(
    `SELECT l.status || ' → ' || s.status AS t, count(*) AS n FROM ${STAGE} s JOIN zone_lots l ON l.id = s.lot_id
      WHERE s.status IS DISTINCT FROM l.status GROUP BY 1 ORDER BY 2 DESC, 1`)).rows;
  return {
    key: 'zone_code, lot_number', added: r.added, changed: r.changed, unchanged: r.unchanged, absent: 0, removed: 0, changedColumns,
    transitions: transitions.length ? { status: Object.fromEntries(transitions.map((t) => [t.t, t.n])) } : {},
    samples: { added: r.added_keys ?? [], changed: r.changed_keys ?? [], absent: [] },
  };
}

/** Updates the changed lots and inserts the new ones, with one audit entry per lot written. */
async function upsert(tx: Queryable, lots: LayerDef, columns: readonly string[], summary: ImportSummary, userId: number | null): Promise<void> {
  const fields = `jsonb_build_object(${columns.map((c) => `'${c}', x.${ident(c)}`).join(', ')})`;
  const updated = await tx.query<{ id: number; before: unknown }>(
    `WITH old AS (SELECT l.* FROM zone_lots l JOIN ${STAGE} s ON s.lot_id = l.id WHERE ${changedSql(columns)} FOR UPDATE OF l)
     UPDATE zone_lots t SET ${columns.map((c) => `${ident(c)} = s.${ident(c)}`).join(', ')}, geom = s.geom
       FROM ${STAGE} s, old WHERE t.id = s.lot_id AND old.id = t.id
     RETURNING t.id, (SELECT ${fields} FROM old x WHERE x.id = t.id) AS before`,
  );
  const inserted = await tx.query<{ id: number }>(
    `INSERT INTO zone_lots (zone_id, ${columns.map(ident).join(', ')}, geom)
     SELECT s.zone_id, ${columns.map((c) => `s.${ident(c)}`).join(', ')}, s.geom FROM ${STAGE} s WHERE s.lot_id IS NULL ORDER BY s._row RETURNING id`,
  );
  summary.written.updated = updated.rowCount ?? 0;
  summary.written.inserted = inserted.rowCount ?? 0;
  // The rows as they now stand are the "after" of each entry.
  await tx.query(
    `INSERT INTO audit_log (user_id, action, layer, feature_id, details)
     SELECT $1, CASE WHEN b.before IS NULL THEN 'lot_created' ELSE 'lot_imported' END, $2, x.id::text,
            jsonb_build_object('import', $3::integer, 'before', b.before, 'after', ${fields}, 'version', x.version)
       FROM zone_lots x JOIN jsonb_to_recordset($4::jsonb) AS b(id integer, before jsonb) ON b.id = x.id`,
    [userId, lots.id, summary.id, JSON.stringify([...updated.rows.map((r) => ({ id: r.id, before: r.before })), ...inserted.rows.map((r) => ({ id: r.id, before: null }))])],
  );
}
