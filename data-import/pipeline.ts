// The import pipeline: file → reader → mapping → staging table (COPY or batches) → geometry
// repair, rejections and diff in short steps → one short transaction merging into the live
// layer; recorded in import_runs with phase, progress and heartbeat. Readers of the layer never
// wait for it before that last transaction. Shared by the CLI and import jobs.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Queryable, Row } from '../core/db/database.ts';
import type { LayerDef } from '../core/layers/layer-def.ts';
import { ident } from '../core/layers/layer-sql.ts';
import type { LayerRegistry } from '../core/layers/registry.ts';
import { resolveSrs } from './crs.ts';
import { ImportCancelled, ImportFailure, describeServerFault, faultOf } from './import-fault.ts';
import { createStepper, trackRun, type RunTracker } from './import-progress.ts';
import { SWAP_ATTEMPTS, buildNextTable, buildTable, isLockTimeout, rebuildObstacle, swapIn, type RebuildPlan } from './rebuild-swap.ts';
import { MAX_STORED_ERRORS, RunConflictError, finishRun, processRunner, startRun } from './import-runs.ts';
import {
  absentSql, appendConflictsSql, countStagedSql, createStageSql, diffCountsSql, duplicateRejectsSql, geometryRejectsSql, hasDuplicateKeysSql,
  identicalRowsSql, indexStageSql, maxRowSql, mergeSql, parseWktSql, repairPolygonsSql, sampleKeysSql, stageTable, transitionsSql,
} from './import-sql.ts';
import { IMPORT_MODES, type ImportDiff, type ImportMode, type ImportProgress, type ImportSummary, type RowError } from './import-summary.ts';
import { compileMapping, loadProfile, type CompiledMapping, type MappingProfile } from './mapping.ts';
import { openSource, type OpenedSource } from './sources/open-source.ts';
import { openStageLoader, type ImportDatabase, type LoadColumn } from './stage-loader.ts';
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
  /** Rows before the layer is rebuilt beside itself and swapped in rather than merged in place:
   *  written by a replace, or, where readers share the connection, read by the merge (default:
   *  REBUILD_MIN_ROWS). */
  rebuildMinRows?: number;
  /** Staff member running the import (API). */
  userId?: number;
  /** The queued run (an import job) this import is; without one, a run is recorded here. */
  runId?: number;
  /** Who runs it, recorded with a run recorded here (default: this process). */
  runner?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Stops the import at its next step; the live layer stays as it was. */
  signal?: AbortSignal;
  /** Told the error behind a failure that is the server's fault, for the caller's log (the
   *  summary only says what failed, in words that leak no SQL). */
  onServerFault?: (error: unknown) => void;
}

/** Options that make no sense: nothing is run or recorded (CLI exit 2, API 400). */
export class ImportOptionsError extends Error {
  /** The option at fault (`mode`, `maxErrors`…), for front ends that name it their own way. */
  constructor(message: string, readonly option?: keyof ImportOptions) {
    super(message);
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

/** Rows a merge must write, at least, before the live table's statistics are refreshed with it. */
const BULK_MIN_ROWS = 10_000;
/**
 * Rows before the layer is rebuilt beside itself (rebuild-swap.ts) rather than merged: where readers
 * share the connection, rows the merge would read (delivered, and live for a replace), enough to
 * hold them up; on a connection of the import's own, where a merge holds nobody up, rows a replace
 * writes, for bulk loads, which a table built without indexes and indexed once is faster for.
 */
const REBUILD_MIN_ROWS = { shared: 2_000, own: 10_000 };
/** Sample keys listed per kind in a diff. */
const SAMPLE_KEYS = 20;
/** Staged rows below which a load into an empty layer skips the key index and statistics (load()). */
const LEAN_STAGE_ROWS = 20_000;
/** Records read between two progress reports (each is cheap: the tracker writes once a second). */
const PROGRESS_ROWS = 1000;

/** Runs one import; never throws for a failed import (the summary says `failed`), only for bad options. */
export async function runImport(db: ImportDatabase, layers: LayerRegistry, options: ImportOptions): Promise<ImportSummary> {
  const layer = validateImportOptions(layers, options);
  const started = performance.now();
  const summary: ImportSummary = {
    id: options.runId ?? null, status: 'running', layer: layer.id, file: options.fileName ?? basename(options.file), sha256: null, mode: options.mode,
    mapping: typeof options.mapping === 'object' ? options.mapping.name : (options.mapping ?? 'default'), dryRun: options.dryRun ?? false,
    counts: { read: 0, loaded: 0, repaired: 0, rejected: 0 }, written: { inserted: 0, updated: 0, deleted: 0 },
    diff: null, errors: [], warnings: [], fields: [], durationMs: 0,
  };
  if (options.runId === undefined) {
    try {
      summary.id = await startRun(db, { ...summary, status: 'running', runner: options.runner ?? processRunner(), userId: options.userId });
    } catch (error) {
      if (!(error instanceof RunConflictError)) throw error;
      finish(summary, 'failed', started, error.message);
      return summary;
    }
  }
  // Hashing runs alongside the import (it mostly waits for the disk) and is recorded at the end.
  const hashing = deliveryHash(options.file);
  hashing.catch(() => undefined);
  const runId = summary.id!;
  const stage = stageTable(runId);
  const tracker = trackRun(db, runId, summary, options);
  let opened: OpenedSource | undefined;
  let staged = false;
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
    await db.query(createStageSql(stage, layer, mapping.columns));
    staged = true;
    const run: StagedRun = { db, stage, layer, mapping, summary, options, tracker };
    const wktRows = await load(run, opened, srs.srid);
    await srs.crossCheck();
    summary.warnings.push(...mapping.nulledReport());
    const liveCount = await check(run, srs.srid, wktRows);
    summary.sha256 = await hashing;
    if (!summary.dryRun) {
      const unconfirmed = options.confirmed ? undefined : confirmationReason(summary, liveCount, options);
      if (unconfirmed) {
        summary.confirmationRequired = true;
        throw new ImportFailure(`${unconfirmed}: check the dry-run diff, then confirm the replacement; nothing was changed`);
      }
      await write(run, liveCount, started);
    } else {
      summary.confirmationRequired = confirmationReason(summary, liveCount, options) !== undefined;
      finish(summary, 'succeeded', started);
      await finishRun(db, summary);
    }
    options.onProgress?.({ phase: 'done', done: summary.counts.loaded, total: summary.counts.loaded, unit: 'features' });
    return summary;
  } catch (error) {
    summary.warnings.push(...(opened?.source.warnings.splice(0) ?? []));
    summary.sha256 ??= await hashing.catch(() => null);
    if (error instanceof ImportCancelled) {
      finish(summary, 'cancelled', started, error.message);
    } else {
      summary.fault = faultOf(error);
      if (summary.fault === 'server') options.onServerFault?.(error);
      finish(summary, 'failed', started, summary.fault === 'file' ? describeError(error) : `${describeServerFault(error)}: the import stopped and nothing was changed`);
    }
    // When the database is what failed, the run cannot be recorded here: whoever started the
    // process records it (an import job's server), or a later start-up does.
    await finishRun(db, summary).catch(() => undefined);
    return summary;
  } finally {
    tracker.stop();
    await opened?.close().catch(() => undefined);
    // A stage that cannot be dropped now is dropped at the next server start (leftover stages).
    if (staged) await db.query(`DROP TABLE IF EXISTS ${stage}, ${buildTable(runId)}`).catch(() => undefined);
  }
}

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

function finish(summary: ImportSummary, status: 'succeeded' | 'failed' | 'cancelled', started: number, message?: string): void {
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

/** One import's parts, as the stages after the file is opened share them. */
interface StagedRun {
  db: ImportDatabase;
  /** The staging table (quoted). */
  stage: string;
  layer: LayerDef;
  mapping: CompiledMapping;
  summary: ImportSummary;
  options: ImportOptions;
  tracker: RunTracker;
}

/** Streams the source through the mapping into the staging table, indexed and analysed; returns how many rows carry WKT. */
async function load({ db, stage, layer, mapping, summary, options, tracker }: StagedRun, opened: OpenedSource, srid: number): Promise<number> {
  const { source } = opened;
  const maxErrors = options.maxErrors ?? 0;
  const columns: LoadColumn[] = [
    { name: '_row', type: 'integer' },
    { name: '_fixed', type: 'boolean' },
    ...mapping.columns.map((c) => ({ name: ident(c.name), type: c.type })),
    { name: '_src', type: 'geometry' },
    { name: '_wkt', type: 'text' },
  ];
  await tracker.progress({ phase: 'reading', ...source.progress() });
  const indexFirst = db.sharedWithReaders ?? false;
  if (indexFirst) for (const sql of indexStageSql(stage, layer.import?.key)) await db.query(sql);
  const loader = await openStageLoader(db, stage, columns);
  summary.method = loader.method;
  let wktRows = 0;
  let stagedRows = 0;
  let sinceProgress = 0;
  try {
    for await (const record of source.records(mapping.usedFields)) {
      summary.counts.read++;
      if (++sinceProgress === PROGRESS_ROWS) {
        sinceProgress = 0;
        await tracker.progress({ phase: 'reading', ...source.progress() });
      }
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
      stagedRows++;
      const pending = loader.push([record.row, fixed, ...mapped.values, hex, record.wkt ?? null]);
      if (pending) await pending;
    }
    await loader.finish();
  } catch (error) {
    await loader.abort();
    throw error;
  }
  // Warnings the reader found on the way (unsupported fields…).
  summary.warnings.push(...source.warnings.splice(0));
  const key = layer.import?.key;
  if (!indexFirst) {
    // Into an empty layer nothing joins the staged rows on their key (the diff and the merge take
    // every row as new), and a few thousand rows are searched for repeated keys as fast without
    // an index or statistics: building them took 8-15 ms of a 5,000-point import's 0.3-0.4 s.
    const lean = stagedRows < LEAN_STAGE_ROWS && !(await hasRows(db, layer));
    for (const sql of indexStageSql(stage, lean ? undefined : key)) await db.query(sql);
    if (lean) return wktRows;
  }
  // Statistics for the plans of the checks and the diff, of the columns they join and range on
  // only (the key, _row): the geometries' and the other columns' make most of an ANALYZE's time
  // (1-2 s for 200,000 polygons, 20 ms of a 5,000-point file).
  await db.query(`ANALYZE ${stage} (_row${key ? `, ${ident(key)}` : ''})`);
  return wktRows;
}

/** Whether the live layer holds any feature. */
async function hasRows(db: Queryable, layer: LayerDef): Promise<boolean> {
  return (await db.query<{ any: boolean } & Row>(`SELECT EXISTS (SELECT 1 FROM ${ident(layer.id)}) AS any`)).rows[0]!.any;
}

/** Runs a rejecting statement (rows `_row`, `reason`, `total`) and counts what it rejected. */
async function collectRejects(db: Queryable, sql: string, params: unknown[], summary: ImportSummary, maxErrors: number): Promise<void> {
  const { rows } = await db.query<{ _row: number; reason: string; total: number } & Row>(sql, params);
  if (rows.length === 0) return;
  summary.counts.rejected += rows[0]!.total;
  for (const r of rows) if (summary.errors.length < MAX_STORED_ERRORS) summary.errors.push({ row: r._row, reason: r.reason });
  checkErrorLimit(summary, maxErrors);
}

/**
 * Parses WKT, repairs and reprojects, rejects what cannot be loaded, and computes the diff, in
 * steps over the staged rows; returns the live layer's feature count.
 */
async function check(run: StagedRun, srid: number, wktRows: number): Promise<number> {
  const { db, stage, layer, mapping, summary, options, tracker } = run;
  const { mode } = options;
  const maxErrors = options.maxErrors ?? 0;
  const key = layer.import?.key;
  const polygons = layer.geometryType === 'MultiPolygon';
  const liveCount = (await db.query<{ n: number } & Row>(`SELECT count(*) AS n FROM ${ident(layer.id)}`)).rows[0]!.n;
  const maxRow = (await db.query<{ n: number } & Row>(maxRowSql(stage))).rows[0]!.n;
  const compared = key !== undefined && liveCount > 0;
  const codeColumns = compared ? mapping.columns.filter((c) => c.codes && c.name !== key) : [];
  const passes = (wktRows > 0 ? 1 : 0) + (polygons ? 1 : 0) + 1 + (mode === 'append' && liveCount > 0 ? 1 : 0)
    + (mode === 'append' && compared ? 1 : 0) + (compared ? 1 + codeColumns.length : 0);
  const steps = createStepper(tracker, maxRow, passes, db.sharedWithReaders ?? false);
  await tracker.progress({ phase: 'checking', done: 0, total: maxRow * passes, unit: 'features' });

  if (wktRows > 0) await steps.pass((from, to) => db.query(parseWktSql(stage), [from, to, srid, polygons]).then(() => undefined));
  if (polygons) await steps.pass((from, to) => db.query(repairPolygonsSql(stage), [from, to]).then(() => undefined));
  await steps.pass((from, to) => collectRejects(db, geometryRejectsSql(stage), [from, to, MAX_STORED_ERRORS], summary, maxErrors));
  if (mode === 'append' && liveCount > 0) {
    let identical = 0;
    await steps.pass(async (from, to) => {
      identical += (await db.query(identicalRowsSql(stage, layer, mapping.columns), [from, to])).rowCount ?? 0;
    });
    summary.counts.identical = identical;
    if (identical) summary.warnings.push(`${identical} rows identical to features already in the layer were skipped`);
  }
  if (key) {
    if ((await db.query(hasDuplicateKeysSql(stage, key))).rowCount) await collectRejects(db, duplicateRejectsSql(stage, key), [MAX_STORED_ERRORS], summary, maxErrors);
    if (mode === 'append' && compared) {
      await steps.pass((from, to) => collectRejects(db, appendConflictsSql(stage, layer, key), [from, to, MAX_STORED_ERRORS], summary, maxErrors));
    }
  }
  const counts = (await db.query<{ loaded: number; repaired: number } & Row>(countStagedSql(stage))).rows[0]!;
  summary.counts.loaded = counts.loaded;
  summary.counts.repaired = counts.repaired;
  // An empty delivery would empty the layer: far likelier a wrong file or member than the intent.
  if (summary.counts.loaded === 0 && mode === 'replace') throw new ImportFailure('the file holds no feature to load: the layer was not emptied');
  summary.diff = await diff(run, liveCount, steps, codeColumns);
  return liveCount;
}

async function diff(
  { db, stage, layer, mapping, summary, options: { mode } }: StagedRun, liveCount: number, steps: ReturnType<typeof createStepper>, codeColumns: CompiledMapping['columns'],
): Promise<ImportDiff> {
  const key = layer.import?.key;
  const nothingChanged = { changed: 0, unchanged: 0, changedColumns: {}, transitions: {} };
  if (!key) {
    return { key: null, added: summary.counts.loaded, absent: liveCount, removed: mode === 'replace' ? liveCount : 0, ...nothingChanged, samples: { added: [], changed: [], absent: [] } };
  }
  if (liveCount === 0) {
    // A first load: everything is new, and no join is needed to say so.
    const first = await db.query<{ key: string } & Row>(`SELECT ${ident(key)}::text AS key FROM ${stage} ORDER BY _row LIMIT $1`, [SAMPLE_KEYS]);
    return { key, added: summary.counts.loaded, absent: 0, removed: 0, ...nothingChanged, samples: { added: first.rows.map((r) => r.key), changed: [], absent: [] } };
  }
  const counts: Record<string, number> = {};
  await steps.pass(async (from, to) => {
    const row = (await db.query(diffCountsSql(stage, layer, mapping.columns, key), [from, to])).rows[0] as Record<string, number>;
    for (const [name, n] of Object.entries(row)) counts[name] = (counts[name] ?? 0) + n;
  });
  const changedColumns: Record<string, number> = {};
  mapping.columns.forEach((c, i) => {
    if (counts[`c${i}`]) changedColumns[c.name] = counts[`c${i}`]!;
  });
  if (counts.geom) changedColumns.geom = counts.geom;
  const transitions: ImportDiff['transitions'] = {};
  for (const column of codeColumns) {
    if (!changedColumns[column.name]) {
      await steps.skip();
      continue;
    }
    const found = new Map<string, number>();
    await steps.pass(async (from, to) => {
      const { rows } = await db.query<{ before: string | null; after: string | null; n: number } & Row>(transitionsSql(stage, layer, column.name, key), [from, to]);
      for (const r of rows) {
        const change = `${r.before ?? '∅'} → ${r.after ?? '∅'}`;
        found.set(change, (found.get(change) ?? 0) + r.n);
      }
    });
    // Most frequent first, then by name: the order the report lists them in.
    const sorted = [...found].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (sorted.length) transitions[column.name] = Object.fromEntries(sorted);
  }
  const absent = await db.query<{ key: string; total: number } & Row>(absentSql(stage, layer, key), [SAMPLE_KEYS]);
  const absentCount = absent.rows[0]?.total ?? 0;
  const sample = async (which: 'added' | 'changed') =>
    (await db.query<{ key: string } & Row>(sampleKeysSql(stage, layer, mapping.columns, key, which), [SAMPLE_KEYS])).rows.map((r) => r.key);
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
 * Writes the checked delivery into the live layer: a large write (buildNext) builds the layer's next
 * table first and swaps it in, anything else (or a write the swap cannot do) merges in place; either
 * way in one short transaction that also records the run. A swap that cannot lock the live table
 * in time (a long reader on PostGIS) is tried again, then gives way to the merge.
 */
async function write(run: StagedRun, liveCount: number, started: number): Promise<void> {
  const { db, layer, summary, tracker } = run;
  let next = await buildNext(run, liveCount);
  // The last moment a cancellation is heard: once the swap has begun, it completes.
  tracker.checkpoint();
  await tracker.progress({ phase: 'writing', done: summary.counts.loaded, total: summary.counts.loaded, unit: 'features' });
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        summary.written = { inserted: 0, updated: 0, deleted: 0 };
        if (next && (await swapIn(tx, layer, next, db.kind))) {
          summary.swap = 'rebuild';
          summary.written = rebuiltCounts(run, liveCount);
        } else {
          summary.swap = 'merge';
          await merge(tx, run);
        }
        finish(summary, 'succeeded', started);
        // Recorded in the same transaction as the data: a committed import is a recorded one.
        await finishRun(tx, summary);
      });
      return;
    } catch (error) {
      if (!next || !isLockTimeout(error)) throw error;
      if (attempt >= SWAP_ATTEMPTS) next = undefined;
    }
  }
}

/**
 * The next table of a write worth rebuilding, filled and indexed; undefined to merge instead. On a
 * connection of the import's own, a replace that writes many rows. Where readers share the
 * connection, any import whose merge would hold them up: its one transaction reads the whole
 * delivery (and, for a replace, the whole layer) however few rows change — 7.9 s for a
 * 50,000-row upsert on the embedded database; an upsert or append then keeps, in the next table,
 * the live rows the delivery leaves.
 */
async function buildNext(run: StagedRun, liveCount: number): Promise<RebuildPlan | undefined> {
  const { db, stage, layer, mapping, summary, options, tracker } = run;
  const shared = db.sharedWithReaders ?? false;
  if (options.mode !== 'replace' && !shared) return undefined;
  const key = layer.import?.key;
  const diff = summary.diff!;
  const min = options.rebuildMinRows ?? (shared ? REBUILD_MIN_ROWS.shared : REBUILD_MIN_ROWS.own);
  if (shared) {
    if (summary.counts.loaded + (options.mode === 'replace' ? liveCount : 0) < min) return undefined;
  } else {
    const writes = key ? diff.added + diff.changed + diff.removed : summary.counts.loaded + liveCount;
    // A rebuild writes every delivered row: on a connection of our own, only worth it when most are written anyway.
    if (writes < min || writes * 2 < summary.counts.loaded) return undefined;
  }
  if (await rebuildObstacle(db, layer, mapping.columns)) return undefined;
  const maxRow = (await db.query<{ n: number } & Row>(maxRowSql(stage))).rows[0]!.n;
  const steps = createStepper(tracker, maxRow, 1, shared, 'writing');
  const keepLive = options.mode !== 'replace';
  return buildNextTable({ db, runId: summary.id!, layer, stage, columns: mapping.columns, key, keepLive, liveCount }, steps);
}

/** What a swapped-in write did, as a merge would have counted it. */
function rebuiltCounts({ layer, summary, options: { mode } }: StagedRun, liveCount: number): ImportSummary['written'] {
  const diff = summary.diff!;
  if (mode === 'append') return { inserted: summary.counts.loaded, updated: 0, deleted: 0 };
  if (!layer.import?.key) return { inserted: summary.counts.loaded, updated: 0, deleted: liveCount };
  return { inserted: diff.added, updated: diff.changed, deleted: diff.removed };
}

/**
 * Writes into the live table inside the swap transaction; a merge writing most of the layer also
 * refreshes its statistics there, so tile and feature queries plan well from the first request.
 */
async function merge(tx: Queryable, { stage, layer, mapping, summary, options: { mode } }: StagedRun): Promise<void> {
  const diff = summary.diff!;
  const key = layer.import?.key;
  const writes = key && mode !== 'append' ? diff.added + diff.changed : summary.counts.loaded;
  const finalCount = mode === 'replace' ? summary.counts.loaded : diff.absent + summary.counts.loaded;
  // Asked inside the write's transaction: what the check counted may have changed since.
  const liveEmpty = !(await hasRows(tx, layer));
  for (const statement of mergeSql(stage, layer, mapping.columns, mode, key, liveEmpty)) {
    const result = await tx.query(statement);
    const count = result.rowCount ?? 0;
    if (result.command === 'INSERT') summary.written.inserted += count;
    else if (result.command === 'UPDATE') summary.written.updated += count;
    else if (result.command === 'DELETE') summary.written.deleted += count;
  }
  if (writes >= BULK_MIN_ROWS && writes * 2 >= finalCount) await tx.query(`ANALYZE ${ident(layer.id)}`);
}
