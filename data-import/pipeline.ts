// The import pipeline: file → reader → mapping → staging (COPY or batches) → geometry repair and
// rejections in SQL → diff against the live layer → merge, all in one transaction, recorded in
// import_runs. Shared by the CLI and POST /api/imports.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Database, Queryable, Row } from '../core/db/database.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ident } from '../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../core/layers/registry.ts';
import { resolveSrs } from './crs.ts';
import { withImportSession, type ImportSession, type LoadColumn } from './import-session.ts';
import {
  DROPPABLE_INDEXES_SQL, GEOMETRY_REJECTS_SQL, PARSE_WKT_SQL, REPAIR_POLYGONS_SQL, STAGE, absentSql, appendConflictsSql,
  createStageSql, diffCountsSql, duplicateRejectsSql, hasDuplicateKeysSql, identicalRowsSql, mergeSql, sampleKeysSql, transitionsSql, wktFunctionSql,
} from './import-sql.ts';
import { MAX_STORED_ERRORS, finishRun, startRun } from './import-runs.ts';
import { IMPORT_MODES, type ImportDiff, type ImportMode, type ImportSummary, type RowError } from './import-summary.ts';
import { compileMapping, loadProfile, type CompiledMapping, type MappingProfile } from './mapping.ts';
import { openSource, type OpenedSource } from './sources/open-source.ts';
import { encodeGeometry } from './wkb.ts';

export interface ImportOptions {
  /** Target layer id. */
  layer: string;
  /** Path of the file to read. */
  file: string;
  /** Name shown and stored for the file, and used to tell its format (default: the path's base name). */
  fileName?: string;
  /** Built-in profile name, JSON mapping path, or a profile (default: match fields by name). */
  mapping?: string | MappingProfile;
  /** Source coordinate system, overriding the file's (`EPSG:2154`). */
  srs?: string;
  /** Text encoding when the file does not say. */
  encoding?: string;
  /** Dataset inside a zip, or table inside a GeoPackage. */
  member?: string;
  /** replace: the layer becomes the file; append: add; upsert: add or update by key. No default:
   *  a forgotten mode must not delete the features a file lacks. */
  mode: ImportMode;
  /** The person has seen the dry-run diff and confirms a replace that removes more than
   *  `removalConfirmShare` of the live layer. */
  confirmed?: boolean;
  /** Share of the live features (0-1) a replace may remove without confirmation (default 0.1). */
  removalConfirmShare?: number;
  /** Report what would change, touching nothing. */
  dryRun?: boolean;
  /** Rejected rows tolerated before the import fails (default 0). */
  maxErrors?: number;
  /** Staff member running the import (API). */
  userId?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Aborts the import (the transaction is rolled back). */
  signal?: AbortSignal;
}

export interface ImportProgress {
  phase: 'reading' | 'checking' | 'writing' | 'done';
  done: number;
  total: number;
  unit: 'features' | 'bytes';
}

/** Options that make no sense: nothing is run or recorded (CLI exit 2, API 400). */
export class ImportOptionsError extends Error {
  /** The option at fault (`mode`, `maxErrors`…), for front ends that name it their own way. */
  constructor(message: string, readonly option?: keyof ImportOptions) {
    super(message);
  }
}

/** A failure of the whole import; the summary says how far it got. */
class ImportFailure extends Error {}

/** Thrown inside the transaction to roll a dry run back once its report is complete. */
class DryRunDone extends Error {
  constructor(readonly summary: ImportSummary) {
    super('dry run');
  }
}

/** The layers an import may target: those whose description has an `import` section. */
export function importableLayers(layers: LayerRegistry): LayerDef[] {
  return layers.all.filter((l) => l.import !== undefined);
}

/** Checks options before anything is read or recorded. */
export function validateImportOptions(layers: LayerRegistry, options: ImportOptions): LayerDef {
  const layer = layers.get(options.layer);
  const importable = importableLayers(layers).map((l) => l.id).join(', ');
  if (!layer || !layer.import) throw new ImportOptionsError(`"${options.layer}" is not a layer you can import into (layers: ${importable})`);
  const mode = options.mode;
  if (!IMPORT_MODES.includes(mode)) {
    throw new ImportOptionsError(`mode must be one of ${IMPORT_MODES.join(', ')}${mode === undefined ? '' : `, got "${mode}"`}`, 'mode');
  }
  if (mode === 'upsert' && !layer.import.key) throw new ImportOptionsError(`${layer.id} has no natural key to upsert on: use mode replace or append`, 'mode');
  const share = options.removalConfirmShare ?? DEFAULT_REMOVAL_CONFIRM_SHARE;
  if (!(share >= 0 && share <= 1)) throw new ImportOptionsError(`the removal share needing confirmation must lie between 0 and 1, got ${share}`, 'removalConfirmShare');
  const key = layer.import.key;
  if (key && key !== 'id' && !layer.properties.some((p) => p.name === key)) {
    throw new ImportOptionsError(`layer description ${layer.id}: import key "${key}" is not one of its properties`);
  }
  const maxErrors = options.maxErrors ?? 0;
  if (!Number.isInteger(maxErrors) || maxErrors < 0) throw new ImportOptionsError(`max errors must be a whole number ≥ 0, got "${options.maxErrors}"`, 'maxErrors');
  if (!existsSync(options.file) || !statSync(options.file).isFile()) throw new ImportOptionsError(`no such file: ${options.file}`);
  return layer;
}

/** sha256 of the delivery: the file itself, or for a .shp its .shp and .dbf bytes in that order. */
export async function deliveryHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  const files = [path];
  if (extname(path).toLowerCase() === '.shp') {
    const dbf = [`${path.slice(0, -4)}.dbf`, `${path.slice(0, -4)}.DBF`].find((p) => existsSync(p));
    if (dbf) files.push(dbf);
  }
  for (const file of files) for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Share of the live layer a replace may remove before it needs the person's confirmation. */
export const DEFAULT_REMOVAL_CONFIRM_SHARE = 0.1;

/** Rows a bulk load must write, at least, before indexes are dropped and rebuilt instead of updated. */
const BULK_MIN_ROWS = 10_000;
/** Sample keys listed per kind in a diff. */
const SAMPLE_KEYS = 20;

/** Runs one import; never throws for a failed import (the summary says `failed`), only for bad options. */
export async function runImport(db: Database, layers: LayerRegistry, options: ImportOptions): Promise<ImportSummary> {
  const layer = validateImportOptions(layers, options);
  const started = performance.now();
  const mode = options.mode;
  const maxErrors = options.maxErrors ?? 0;
  const summary: ImportSummary = {
    id: null, status: 'running', layer: layer.id, file: options.fileName ?? basename(options.file), sha256: null, mode,
    mapping: typeof options.mapping === 'object' ? options.mapping.name : (options.mapping ?? 'default'), dryRun: options.dryRun ?? false,
    counts: { read: 0, loaded: 0, repaired: 0, rejected: 0 }, written: { inserted: 0, updated: 0, deleted: 0 },
    diff: null, errors: [], warnings: [], fields: [], durationMs: 0,
  };
  // Hashing runs alongside the import (it mostly waits for the disk) and is recorded at the end.
  const hashing = deliveryHash(options.file);
  hashing.catch(() => undefined);
  summary.id = await startRun(db, { ...summary, userId: options.userId });

  let opened: OpenedSource | undefined;
  try {
    const profile = typeof options.mapping === 'object' ? options.mapping : loadProfile(options.mapping);
    opened = await openSource(
      options.file,
      { encoding: options.encoding ?? profile.encoding, member: options.member, delimiter: profile.delimiter, csvGeometry: profile.geometry },
      summary.file,
    );
    const { source } = opened;
    summary.format = source.format;
    summary.member = opened.member;
    if (source.encoding) summary.encoding = `${source.encoding.encoding} (${source.encoding.origin})`;
    const mapping = compileMapping(profile, layer, source.fields, source.geometryFields);
    summary.fields = mapping.describe;
    summary.warnings.push(...mapping.warnings);
    const srs = await resolveSrs(
      db,
      source.crs,
      { srs: options.srs ?? profile.srs, samples: source.samplePositions, detectFromValues: source.format === 'csv' },
      summary.warnings,
    );
    summary.srs = `EPSG:${srs.srid} (${srs.origin})`;
    const result = await withImportSession(db, async (session) => {
      summary.method = session.method;
      await load(session, layer, mapping, opened!, srs.srid, summary, options, maxErrors);
      summary.warnings.push(...mapping.nulledReport());
      const checked = await check(session, layer, mapping, summary, mode, maxErrors);
      if (summary.dryRun) {
        // Repeated keys are otherwise found by the merge, which a dry run does not reach.
        if (checked.duplicatesDeferred) {
          await rejectDuplicates(session, layer.import!.key!, summary, maxErrors);
          await countLoaded(session, summary, mode);
          summary.diff = await diff(session, layer, mapping, summary, mode, checked.liveCount);
        }
        summary.confirmationRequired = confirmationReason(summary, checked.liveCount, options) !== undefined;
        finish(summary, 'succeeded', started);
        throw new DryRunDone(summary);
      }
      const unconfirmed = options.confirmed ? undefined : confirmationReason(summary, checked.liveCount, options);
      if (unconfirmed) {
        summary.confirmationRequired = true;
        throw new ImportFailure(`${unconfirmed}: check the dry-run diff, then confirm the replacement; nothing was changed`);
      }
      options.onProgress?.({ phase: 'writing', done: 0, total: summary.counts.loaded, unit: 'features' });
      await mergeChecked(session, layer, mapping, summary, mode, maxErrors, checked);
      summary.sha256 = await hashing;
      finish(summary, 'succeeded', started);
      // Recorded in the same transaction as the data: a committed import is a recorded one.
      await finishRun(session, summary);
      return summary;
    });
    options.onProgress?.({ phase: 'done', done: summary.counts.loaded, total: summary.counts.loaded, unit: 'features' });
    return result;
  } catch (error) {
    summary.warnings.push(...(opened?.source.warnings.splice(0) ?? []));
    summary.sha256 = await hashing.catch(() => null);
    if (error instanceof DryRunDone) {
      await finishRun(db, summary);
      return summary;
    }
    finish(summary, 'failed', started, error instanceof ImportFailure ? error.message : describeError(error));
    await finishRun(db, summary).catch(() => undefined);
    return summary;
  } finally {
    await opened?.close().catch(() => undefined);
  }
}

/** A replace removing more than the allowed share of a non-empty live layer needs confirming. */
/**
 * Why a replace needs the person's confirmation, if it does: it removes more than the allowed share
 * of a non-empty live layer, or it removes features while rows of the file were rejected (a rejected
 * row's feature counts as absent, so a damaged delivery would delete what it failed to carry).
 */
function confirmationReason(summary: ImportSummary, liveCount: number, options: ImportOptions): string | undefined {
  if (options.mode !== 'replace' || liveCount === 0) return undefined;
  const removed = summary.diff!.removed;
  const share = options.removalConfirmShare ?? DEFAULT_REMOVAL_CONFIRM_SHARE;
  if (removed > share * liveCount) {
    return `replace would remove ${removed} of the layer's ${liveCount} features (${Math.round((100 * removed) / liveCount)} %), ` +
      `more than the ${Math.round(100 * share)} % allowed without confirmation`;
  }
  if (removed > 0 && summary.counts.rejected > 0) {
    return `replace would remove ${removed} features while ${summary.counts.rejected} rows of the file were rejected: ` +
      'the features of rejected rows would be among them';
  }
  return undefined;
}

function finish(summary: ImportSummary, status: 'succeeded' | 'failed', started: number, message?: string): void {
  summary.status = status;
  summary.durationMs = performance.now() - started;
  summary.errors.sort((a, b) => a.row - b.row);
  summary.errors.splice(MAX_STORED_ERRORS);
  if (message) summary.message = message;
}

/** A failure's message; database errors keep their detail (which key, which check) and COPY line. */
function describeError(error: unknown): string {
  const e = error as { message?: string; detail?: string; where?: string };
  const text = e?.message ?? String(error);
  const context = [e?.detail, e?.where?.startsWith('COPY') ? e.where : undefined].filter(Boolean);
  return context.length ? `${text} (${context.join('; ')})` : text;
}

/** Fails the import once more rows are rejected than --max-errors allows. */
function checkErrorLimit(summary: ImportSummary, maxErrors: number): void {
  if (summary.counts.rejected <= maxErrors) return;
  const first = [...summary.errors].sort((a, b) => a.row - b.row)[0];
  throw new ImportFailure(
    `${summary.counts.rejected} rejected rows, more than --max-errors ${maxErrors} allows` + (first ? ` (first: row ${first.row}: ${first.reason})` : ''),
  );
}

function reject(summary: ImportSummary, maxErrors: number, error: RowError): void {
  summary.counts.rejected++;
  if (summary.errors.length < MAX_STORED_ERRORS) summary.errors.push(error);
  checkErrorLimit(summary, maxErrors);
}

/** Streams the source through the mapping into the staging table. */
async function load(
  session: ImportSession, layer: LayerDef, mapping: CompiledMapping, opened: OpenedSource, srid: number,
  summary: ImportSummary, options: ImportOptions, maxErrors: number,
): Promise<void> {
  const { source } = opened;
  // ST_IsValid explains every invalid geometry in a NOTICE: thousands of them are noise here.
  await session.query('SET LOCAL client_min_messages = warning');
  // Only this session sees these objects; they vanish with its transaction.
  await session.query(createStageSql(layer, mapping.columns));
  await session.query(wktFunctionSql());
  const lock = await session.query<{ ok: boolean } & Row>("SELECT pg_try_advisory_xact_lock(hashtext('websig-import'), hashtext($1)) AS ok", [layer.id]);
  if (!lock.rows[0]!.ok) throw new ImportFailure(`another import into ${layer.id} is running: try again when it is done`);
  const columns: LoadColumn[] = [
    { name: '_row', type: 'integer' },
    { name: '_fixed', type: 'boolean' },
    ...mapping.columns.map((c) => ({ name: ident(c.name), type: c.type })),
    { name: '_src', type: 'geometry' },
    { name: '_wkt', type: 'text' },
  ];
  const loader = session.openLoader(STAGE, columns);
  let wktRows = 0;
  let lastProgress = 0;
  for await (const record of source.records(mapping.usedFields)) {
    summary.counts.read++;
    if (record.error) {
      reject(summary, maxErrors, { row: record.row, reason: record.error });
      continue;
    }
    const mapped = mapping.map(record.properties, record.row);
    if (!mapped.ok) {
      reject(summary, maxErrors, { row: record.row, reason: mapped.errors.join('; ') });
      continue;
    }
    let hex: string | null = null;
    let fixed = false;
    if (record.wkt !== undefined) {
      wktRows++;
    } else {
      const encoded = encodeGeometry(record.geometry, layer.geometryType, srid);
      if (!encoded.ok) {
        reject(summary, maxErrors, { row: record.row, reason: encoded.reason });
        continue;
      }
      hex = encoded.hex;
      fixed = encoded.repaired;
    }
    const pending = loader.push([record.row, fixed, ...mapped.values, hex, record.wkt ?? null]);
    if (pending) await pending;
    if (summary.counts.read - lastProgress >= 5000) {
      lastProgress = summary.counts.read;
      if (options.signal?.aborted) throw new ImportFailure('interrupted');
      options.onProgress?.({ phase: 'reading', ...source.progress() });
    }
  }
  if (options.signal?.aborted) throw new ImportFailure('interrupted');
  await loader.finish();
  // Warnings the reader found on the way (unsupported fields…).
  summary.warnings.push(...source.warnings.splice(0));
  options.onProgress?.({ phase: 'checking', done: summary.counts.read, total: summary.counts.read, unit: 'features' });
  if (wktRows > 0) await session.query(PARSE_WKT_SQL, [srid, layer.geometryType === 'MultiPolygon']);
}

/** Runs a rejecting statement (rows `_row`, `reason`, `total`) and counts what it rejected. */
async function collectRejects(session: Queryable, sql: string, summary: ImportSummary, maxErrors: number): Promise<void> {
  const { rows } = await session.query<{ _row: number; reason: string; total: number } & Row>(sql, [MAX_STORED_ERRORS]);
  if (rows.length === 0) return;
  summary.counts.rejected += rows[0]!.total;
  for (const r of rows) if (summary.errors.length < MAX_STORED_ERRORS) summary.errors.push({ row: r._row, reason: r.reason });
  checkErrorLimit(summary, maxErrors);
}

/** What check() found out that the merge needs. */
interface Checked {
  liveCount: number;
  /** Repeated keys are left for the key's unique index to find during the merge (empty layers). */
  duplicatesDeferred: boolean;
}

/** Repairs and reprojects, rejects what cannot be loaded, and computes the diff. */
async function check(session: ImportSession, layer: LayerDef, mapping: CompiledMapping, summary: ImportSummary, mode: ImportMode, maxErrors: number): Promise<Checked> {
  if (layer.geometryType === 'MultiPolygon') await session.query(REPAIR_POLYGONS_SQL);
  await collectRejects(session, GEOMETRY_REJECTS_SQL, summary, maxErrors);
  const key = layer.import?.key;
  const liveCount = (await session.query<{ n: number } & Row>(`SELECT count(*) AS n FROM ${ident(layer.id)}`)).rows[0]!.n;
  // Into an empty layer every row is inserted, so the key's unique index finds any repeat during
  // the merge; the separate pass over the file (a second on 500,000 rows) is then only a fallback.
  const duplicatesDeferred = key !== undefined && liveCount === 0;
  if (mode === 'append' && liveCount > 0) {
    const identical = (await session.query(identicalRowsSql(layer, mapping.columns))).rowCount ?? 0;
    summary.counts.identical = identical;
    if (identical) summary.warnings.push(`${identical} rows identical to features already in the layer were skipped`);
  }
  if (key && !duplicatesDeferred) {
    await rejectDuplicates(session, key, summary, maxErrors);
    if (mode === 'append') await collectRejects(session, appendConflictsSql(layer, key), summary, maxErrors);
  }
  await countLoaded(session, summary, mode);
  summary.diff = await diff(session, layer, mapping, summary, mode, liveCount);
  return { liveCount, duplicatesDeferred };
}

async function rejectDuplicates(session: Queryable, key: string, summary: ImportSummary, maxErrors: number): Promise<void> {
  const duplicates = await session.query(hasDuplicateKeysSql(key));
  if (duplicates.rowCount) await collectRejects(session, duplicateRejectsSql(key), summary, maxErrors);
}

async function countLoaded(session: Queryable, summary: ImportSummary, mode: ImportMode): Promise<void> {
  const counts = await session.query<{ loaded: number; repaired: number } & Row>(
    `SELECT count(*) AS loaded, count(*) FILTER (WHERE _fixed) AS repaired FROM ${STAGE}`,
  );
  summary.counts.loaded = counts.rows[0]!.loaded;
  summary.counts.repaired = counts.rows[0]!.repaired;
  // An empty delivery would empty the layer: far likelier a wrong file or member than the intent.
  if (summary.counts.loaded === 0 && mode === 'replace') throw new ImportFailure('the file holds no feature to load: the layer was not emptied');
}

async function diff(session: Queryable, layer: LayerDef, mapping: CompiledMapping, summary: ImportSummary, mode: ImportMode, liveCount: number): Promise<ImportDiff> {
  const key = layer.import?.key;
  const nothingChanged = { changed: 0, unchanged: 0, changedColumns: {}, transitions: {} };
  if (!key) {
    return { key: null, added: summary.counts.loaded, absent: liveCount, removed: mode === 'replace' ? liveCount : 0, ...nothingChanged, samples: { added: [], changed: [], absent: [] } };
  }
  if (liveCount === 0) {
    // A first load: everything is new, and no join is needed to say so.
    const first = await session.query<{ key: string } & Row>(`SELECT ${ident(key)}::text AS key FROM ${STAGE} LIMIT $1`, [SAMPLE_KEYS]);
    return { key, added: summary.counts.loaded, absent: 0, removed: 0, ...nothingChanged, samples: { added: first.rows.map((r) => r.key), changed: [], absent: [] } };
  }
  const counts = (await session.query(diffCountsSql(layer, mapping.columns, key))).rows[0] as Record<string, number>;
  const changedColumns: Record<string, number> = {};
  mapping.columns.forEach((c, i) => {
    if (counts[`c${i}`]) changedColumns[c.name] = counts[`c${i}`]!;
  });
  if (counts.geom) changedColumns.geom = counts.geom;
  const transitions: ImportDiff['transitions'] = {};
  for (const column of mapping.columns.filter((c) => c.codes && c.name !== key)) {
    const { rows } = await session.query<{ before: string | null; after: string | null; n: number } & Row>(transitionsSql(layer, column.name, key));
    if (rows.length) transitions[column.name] = Object.fromEntries(rows.map((r) => [`${r.before ?? '∅'} → ${r.after ?? '∅'}`, r.n]));
  }
  const absent = await session.query<{ key: string; total: number } & Row>(absentSql(layer, key), [SAMPLE_KEYS]);
  const absentCount = absent.rows[0]?.total ?? 0;
  const sample = async (which: 'added' | 'changed') =>
    (await session.query<{ key: string } & Row>(sampleKeysSql(layer, mapping.columns, key, which), [SAMPLE_KEYS])).rows.map((r) => r.key);
  return {
    key,
    added: counts.added!,
    changed: counts.changed!,
    unchanged: summary.counts.loaded - counts.added! - counts.changed!,
    absent: absentCount,
    removed: mode === 'replace' ? absentCount : 0,
    changedColumns,
    transitions,
    samples: { added: counts.added ? await sample('added') : [], changed: counts.changed ? await sample('changed') : [], absent: absent.rows.map((r) => r.key) },
  };
}

/**
 * Merges; when repeated keys were left to the unique index and it finds one, goes back to before
 * the merge, rejects the repeats with their row numbers, and merges again.
 */
async function mergeChecked(
  session: Queryable, layer: LayerDef, mapping: CompiledMapping, summary: ImportSummary, mode: ImportMode, maxErrors: number, checked: Checked,
): Promise<void> {
  if (!checked.duplicatesDeferred) return merge(session, layer, mapping, summary, mode);
  await session.query('SAVEPOINT websig_merge');
  try {
    await merge(session, layer, mapping, summary, mode);
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await session.query('ROLLBACK TO SAVEPOINT websig_merge');
    const rejectedBefore = summary.counts.rejected;
    await rejectDuplicates(session, layer.import!.key!, summary, maxErrors);
    // A unique violation that is not a repeated key in the file: the database's own reason stands.
    if (summary.counts.rejected === rejectedBefore) throw error;
    summary.written = { inserted: 0, updated: 0, deleted: 0 };
    await countLoaded(session, summary, mode);
    summary.diff = await diff(session, layer, mapping, summary, mode, checked.liveCount);
    await merge(session, layer, mapping, summary, mode);
  }
}

/**
 * Writes into the live table. A load that writes most of the layer drops its non-unique indexes
 * first and rebuilds them after (a sorted GiST build is several times faster than as many index
 * insertions); that takes the table's exclusive lock until commit, so readers wait seconds for
 * the new data instead of seeing half of it.
 */
async function merge(session: Queryable, layer: LayerDef, mapping: CompiledMapping, summary: ImportSummary, mode: ImportMode): Promise<void> {
  const diff = summary.diff!;
  const key = layer.import?.key;
  const writes = key && mode !== 'append' ? diff.added + diff.changed : summary.counts.loaded;
  const finalCount = mode === 'replace' ? summary.counts.loaded : diff.absent + summary.counts.loaded;
  const bulk = writes >= BULK_MIN_ROWS && writes * 2 >= finalCount;
  const indexes = bulk ? (await session.query<{ name: string; definition: string } & Row>(DROPPABLE_INDEXES_SQL, [layer.id])).rows : [];
  if (indexes.length) {
    await session.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const index of indexes) await session.query(`DROP INDEX ${index.name}`);
  }
  for (const statement of mergeSql(layer, mapping.columns, mode, key)) {
    const result = await session.query(statement);
    const count = result.rowCount ?? 0;
    if (result.command === 'INSERT') summary.written.inserted += count;
    else if (result.command === 'UPDATE') summary.written.updated += count;
    else if (result.command === 'DELETE') summary.written.deleted += count;
  }
  for (const index of indexes) await session.query(index.definition);
  if (bulk) await session.query(`ANALYZE ${ident(layer.id)}`);
}
