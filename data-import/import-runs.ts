// The import_runs table: a row per run (queued as a job, or started by the CLI), its phase,
// progress and heartbeat while it runs, finished with counts, diff, errors, details and fault,
// read back as the same summary the run returned. At most one queued or running run per layer.
import { hostname } from 'node:os';
import type { Queryable } from '../core/db/database.ts';
import type { ImportDiff, ImportFault, ImportJob, ImportMode, ImportPhase, ImportProgress, ImportStatus, ImportSummary, RowError } from './import-summary.ts';

/** Rejected rows kept with a run (all of them are counted). */
export const MAX_STORED_ERRORS = 1000;

/** How often a running import, and a server for its queued jobs, say they are alive. */
export const HEARTBEAT_MS = 5000;

/** A queued or running run silent this long is taken for dead (its process stopped without a word). */
const STALE_AFTER = `interval '60 seconds'`;

/** What is known of a run when it starts: the identity fields of its summary, and who runs it. */
export interface RunStart extends Pick<ImportSummary, 'layer' | 'file' | 'sha256' | 'mode' | 'mapping' | 'dryRun'> {
  userId?: number;
  /** `queued` for a job waiting for its turn, `running` for a run that starts at once. */
  status: 'queued' | 'running';
  /** Who runs it: a server (host and upload directory) or a CLI process, so that a restarted
   *  server knows which runs were its own. */
  runner: string;
  /** The uploaded file a job reads, removed when the job ends. */
  uploadPath?: string;
}

/** The runner name of a run this process starts and runs itself (the CLI). */
export const processRunner = (): string => `cli ${hostname()} pid ${process.pid}`;

/** Another import into the layer is queued or running. */
export class RunConflictError extends Error {
  constructor(readonly layer: string, readonly activeRunId: number | undefined) {
    super(`another import into ${layer} is ${activeRunId ? `queued or running (run #${activeRunId})` : 'queued or running'}: wait for it to end, or cancel it`);
  }
}

/** Marks runs that can no longer be running failed, by the server's fault: nothing was written. */
const FAIL_RUNS = `UPDATE import_runs SET status = 'failed', phase = 'failed', fault = 'server', finished_at = now(),
         details = coalesce(details, '{}'::jsonb) || jsonb_build_object('message', $2::text)`;

/**
 * Records a run (queued, or running at once) and returns its id. A run of the same layer that
 * stopped giving signs of life is failed first; a live one makes this throw RunConflictError.
 */
export async function startRun(db: Queryable, run: RunStart): Promise<number> {
  await db.query(
    `${FAIL_RUNS} WHERE layer = $1 AND status IN ('queued', 'running') AND heartbeat < now() - ${STALE_AFTER}`,
    [run.layer, 'interrupted: the process running it stopped giving signs of life; nothing was changed'],
  );
  try {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO import_runs (layer, file_name, file_sha256, mode, mapping, dry_run, status, phase, user_id, runner, upload_path)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [run.layer, run.file, run.sha256, run.mode, run.mapping, run.dryRun, run.status, run.status === 'queued' ? 'queued' : 'reading',
        run.userId ?? null, run.runner, run.uploadPath ?? null],
    );
    return rows[0]!.id;
  } catch (error) {
    if ((error as { code?: string; constraint?: string }).code !== '23505') throw error;
    const active = await db.query<{ id: number }>(`SELECT id FROM import_runs WHERE layer = $1 AND status IN ('queued', 'running')`, [run.layer]);
    throw new RunConflictError(run.layer, active.rows[0]?.id);
  }
}

/** Moves a queued job to running; false when it is no longer queued (cancelled meanwhile). */
export async function claimRun(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE import_runs SET status = 'running', phase = 'reading', heartbeat = now() WHERE id = $1 AND status = 'queued'`,
    [id],
  );
  return rowCount === 1;
}

/** Stores where a run stands (and that it is alive); tells whether someone asked it to stop. */
export async function reportProgress(db: Queryable, id: number, progress: ImportProgress, counts: ImportSummary['counts']): Promise<{ cancelRequested: boolean }> {
  const { rows } = await db.query<{ cancel_requested: boolean }>(
    `UPDATE import_runs SET phase = $2, progress_done = $3, progress_total = $4, progress_unit = $5, read_count = $6,
            loaded_count = $7, repaired_count = $8, rejected_count = $9, heartbeat = now()
      WHERE id = $1 RETURNING cancel_requested`,
    [id, progress.phase, progress.done, progress.total, progress.unit, counts.read, counts.loaded, counts.repaired, counts.rejected],
  );
  return { cancelRequested: rows[0]?.cancel_requested ?? false };
}

/** Says that the processes behind these runs are alive. */
export async function heartbeat(db: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length) await db.query('UPDATE import_runs SET heartbeat = now() WHERE id = ANY($1::int[])', [ids]);
}

/**
 * Asks a run to stop: a queued one is cancelled at once, a running one at its next step. Returns
 * the status it then has, or undefined when there is no such run.
 */
export async function requestCancel(db: Queryable, id: number): Promise<ImportStatus | undefined> {
  const { rows } = await db.query<{ status: ImportStatus }>(
    `UPDATE import_runs SET cancel_requested = true,
            status = CASE status WHEN 'queued' THEN 'cancelled' ELSE status END,
            phase = CASE status WHEN 'queued' THEN 'cancelled' ELSE phase END,
            finished_at = CASE status WHEN 'queued' THEN now() ELSE finished_at END
      WHERE id = $1 AND status IN ('queued', 'running') RETURNING status`,
    [id],
  );
  if (rows[0]) return rows[0].status;
  const found = await db.query<{ status: ImportStatus }>('SELECT status FROM import_runs WHERE id = $1', [id]);
  return found.rows[0]?.status;
}

/** Fails a run still queued or running, whose process ended without recording how; true if it was. */
export async function failRun(db: Queryable, id: number, message: string): Promise<boolean> {
  const { rowCount } = await db.query(`${FAIL_RUNS} WHERE id = $1 AND status IN ('queued', 'running')`, [id, message]);
  return rowCount === 1;
}

/**
 * At a server's start: fails the runs it was running or holding in its queue when it stopped
 * (`runner` is its own name), and those of any process that stopped giving signs of life.
 * Returns their ids and upload paths.
 */
export async function failInterruptedRuns(db: Queryable, runner: string): Promise<{ id: number; uploadPath: string | null }[]> {
  const { rows } = await db.query<{ id: number; upload_path: string | null }>(
    `${FAIL_RUNS} WHERE status IN ('queued', 'running') AND (runner = $1 OR heartbeat < now() - ${STALE_AFTER})
     RETURNING id, upload_path`,
    [runner, 'interrupted: the server stopped while the import was queued or running; nothing was changed'],
  );
  return rows.map((r) => ({ id: r.id, uploadPath: r.upload_path }));
}

/** What import_runs.details holds: everything of the summary that has no column of its own. */
function detailsOf(s: ImportSummary) {
  return {
    format: s.format, member: s.member, encoding: s.encoding, srs: s.srs, method: s.method, swap: s.swap, identical: s.counts.identical,
    written: s.written, warnings: s.warnings, fields: s.fields, message: s.message, confirmationRequired: s.confirmationRequired,
  };
}

const END_PHASE: Partial<Record<ImportStatus, ImportPhase>> = { succeeded: 'done', failed: 'failed', cancelled: 'cancelled' };

/**
 * JSON for a jsonb column. jsonb holds no NUL character, which a rejected row's reason may quote
 * from the file ("2026-09-30\0" is not a date): each is stored as ␀ (U+2400), readable, rather
 * than failing the run's record, and with it a committed import.
 */
const jsonbText = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.includes('\u0000') ? v.replaceAll('\u0000', '\u2400') : v));

/** Stores a run's outcome. */
export async function finishRun(db: Queryable, s: ImportSummary): Promise<void> {
  await db.query(
    `UPDATE import_runs SET status = $2, phase = $3, fault = $4, finished_at = now(), duration_ms = $5, read_count = $6, loaded_count = $7,
            repaired_count = $8, rejected_count = $9, diff = $10, errors = $11, details = $12,
            file_sha256 = coalesce($13, file_sha256), upload_path = NULL WHERE id = $1`,
    [
      s.id, s.status, END_PHASE[s.status] ?? 'failed', s.fault ?? null, Math.round(s.durationMs), s.counts.read, s.counts.loaded,
      s.counts.repaired, s.counts.rejected,
      s.diff ? jsonbText(s.diff) : null,
      jsonbText(s.errors.slice(0, MAX_STORED_ERRORS)),
      jsonbText(detailsOf(s)),
      s.sha256,
    ],
  );
}

interface RunRow {
  id: number; layer: string; file_name: string; file_sha256: string | null; mode: ImportMode; mapping: string | null;
  dry_run: boolean; status: ImportStatus; started_at: Date; duration_ms: number | null; read_count: number;
  loaded_count: number; repaired_count: number; rejected_count: number; diff: ImportDiff | null; errors: RowError[] | null;
  details: Partial<ReturnType<typeof detailsOf>> | null; phase: ImportPhase; progress_done: number; progress_total: number;
  progress_unit: ImportProgress['unit']; cancel_requested: boolean; fault: ImportFault | null; heartbeat: Date;
}

function jobOf(r: RunRow): ImportJob {
  const d = r.details ?? {};
  return {
    id: r.id, status: r.status, layer: r.layer, file: r.file_name, sha256: r.file_sha256, mode: r.mode,
    mapping: r.mapping ?? 'default', dryRun: r.dry_run, format: d.format, member: d.member, encoding: d.encoding,
    srs: d.srs, method: d.method, swap: d.swap,
    counts: { read: r.read_count, loaded: r.loaded_count, repaired: r.repaired_count, rejected: r.rejected_count, ...(d.identical ? { identical: d.identical } : {}) },
    confirmationRequired: d.confirmationRequired,
    written: d.written ?? { inserted: 0, updated: 0, deleted: 0 },
    diff: r.diff, errors: r.errors ?? [], warnings: d.warnings ?? [], fields: d.fields ?? [],
    durationMs: r.duration_ms ?? 0, message: d.message, fault: r.fault ?? undefined, startedAt: new Date(r.started_at).toISOString(),
    phase: r.phase, progress: { done: r.progress_done, total: r.progress_total, unit: r.progress_unit },
    cancelRequested: r.cancel_requested, heartbeatAt: new Date(r.heartbeat).toISOString(),
  };
}

const RUN_COLUMNS = `id, layer, file_name, file_sha256, mode, mapping, dry_run, status, started_at, duration_ms,
  read_count, loaded_count, repaired_count, rejected_count, diff, errors, details, phase, progress_done, progress_total,
  progress_unit, cancel_requested, fault, heartbeat`;

/** One run as a job (its summary, phase and progress), or undefined. */
export async function readRun(db: Queryable, id: number): Promise<ImportJob | undefined> {
  const { rows } = await db.query<RunRow & Record<string, unknown>>(`SELECT ${RUN_COLUMNS} FROM import_runs WHERE id = $1`, [id]);
  return rows[0] ? jobOf(rows[0]) : undefined;
}

/** The latest runs (optionally of one layer), newest first, without their error lists. */
export async function listRuns(db: Queryable, options: { layer?: string; limit: number }): Promise<ImportJob[]> {
  const { rows } = await db.query<RunRow & Record<string, unknown>>(
    `SELECT ${RUN_COLUMNS.replace('errors', "'[]'::jsonb AS errors")} FROM import_runs
      WHERE ($1::text IS NULL OR layer = $1) ORDER BY started_at DESC, id DESC LIMIT $2`,
    [options.layer ?? null, options.limit],
  );
  return rows.map(jobOf);
}
