// The import_runs table: a row per run, inserted as `running`, finished with counts, diff, errors
// and details, read back as the same summary the run returned.
import type { Queryable } from '../core/db/database.ts';
import type { ImportDiff, ImportMode, ImportSummary, RowError } from './import-summary.ts';

/** Rejected rows kept with a run (all of them are counted). */
export const MAX_STORED_ERRORS = 1000;

/** What is known of a run when it starts: the identity fields of its summary, and who ran it. */
export interface RunStart extends Pick<ImportSummary, 'layer' | 'file' | 'sha256' | 'mode' | 'mapping' | 'dryRun'> {
  userId?: number;
}

/** Records a run as started (its file hash may come later, with its outcome); returns its id. */
export async function startRun(db: Queryable, run: RunStart): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO import_runs (layer, file_name, file_sha256, mode, mapping, dry_run, status, user_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', $7) RETURNING id`,
    [run.layer, run.file, run.sha256, run.mode, run.mapping, run.dryRun, run.userId ?? null],
  );
  return rows[0]!.id;
}

/** What import_runs.details holds: everything of the summary that has no column of its own. */
function detailsOf(s: ImportSummary) {
  return {
    format: s.format, member: s.member, encoding: s.encoding, srs: s.srs, method: s.method,
    written: s.written, warnings: s.warnings, fields: s.fields, message: s.message,
  };
}

/** Stores a run's outcome. */
export async function finishRun(db: Queryable, s: ImportSummary): Promise<void> {
  await db.query(
    `UPDATE import_runs SET status = $2, finished_at = now(), duration_ms = $3, read_count = $4, loaded_count = $5,
            repaired_count = $6, rejected_count = $7, diff = $8, errors = $9, details = $10,
            file_sha256 = coalesce($11, file_sha256) WHERE id = $1`,
    [
      s.id, s.status, Math.round(s.durationMs), s.counts.read, s.counts.loaded, s.counts.repaired, s.counts.rejected,
      s.diff ? JSON.stringify(s.diff) : null,
      JSON.stringify(s.errors.slice(0, MAX_STORED_ERRORS)),
      JSON.stringify(detailsOf(s)),
      s.sha256,
    ],
  );
}

interface RunRow {
  id: number; layer: string; file_name: string; file_sha256: string | null; mode: ImportMode; mapping: string | null;
  dry_run: boolean; status: ImportSummary['status']; started_at: Date; duration_ms: number | null; read_count: number;
  loaded_count: number; repaired_count: number; rejected_count: number; diff: ImportDiff | null; errors: RowError[] | null;
  details: Partial<ReturnType<typeof detailsOf>> | null;
}

function summaryOf(r: RunRow): ImportSummary {
  const d = r.details ?? {};
  return {
    id: r.id, status: r.status, layer: r.layer, file: r.file_name, sha256: r.file_sha256, mode: r.mode,
    mapping: r.mapping ?? 'default', dryRun: r.dry_run, format: d.format, member: d.member, encoding: d.encoding,
    srs: d.srs, method: d.method,
    counts: { read: r.read_count, loaded: r.loaded_count, repaired: r.repaired_count, rejected: r.rejected_count },
    written: d.written ?? { inserted: 0, updated: 0, deleted: 0 },
    diff: r.diff, errors: r.errors ?? [], warnings: d.warnings ?? [], fields: d.fields ?? [],
    durationMs: r.duration_ms ?? 0, message: d.message, startedAt: new Date(r.started_at).toISOString(),
  };
}

const RUN_COLUMNS = `id, layer, file_name, file_sha256, mode, mapping, dry_run, status, started_at, duration_ms,
  read_count, loaded_count, repaired_count, rejected_count, diff, errors, details`;

/** One run as a summary, or undefined. */
export async function readRun(db: Queryable, id: number): Promise<ImportSummary | undefined> {
  const { rows } = await db.query<RunRow & Record<string, unknown>>(`SELECT ${RUN_COLUMNS} FROM import_runs WHERE id = $1`, [id]);
  return rows[0] ? summaryOf(rows[0]) : undefined;
}

/** The latest runs (optionally of one layer), newest first, without their error lists. */
export async function listRuns(db: Queryable, options: { layer?: string; limit: number }): Promise<ImportSummary[]> {
  const { rows } = await db.query<RunRow & Record<string, unknown>>(
    `SELECT ${RUN_COLUMNS.replace('errors', "'[]'::jsonb AS errors")} FROM import_runs
      WHERE ($1::text IS NULL OR layer = $1) ORDER BY started_at DESC, id DESC LIMIT $2`,
    [options.layer ?? null, options.limit],
  );
  return rows.map(summaryOf);
}
