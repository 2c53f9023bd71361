// The outcome of an import as the CLI prints it, the API returns it and import_runs stores it.
import { formatCount } from './sources/source.ts';

export type ImportMode = 'replace' | 'append' | 'upsert';
export const IMPORT_MODES: readonly ImportMode[] = ['replace', 'append', 'upsert'];

/** queued (a job waiting for its turn) → running → succeeded, failed or cancelled. */
export type ImportStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Where a run stands: queued, then reading the file into staging, checking it (repairs,
 *  rejections, diff), writing into the live layer, and how it ended. */
export type ImportPhase = 'queued' | 'reading' | 'checking' | 'writing' | 'done' | 'failed' | 'cancelled';

/** Who a failure is down to: the file (its content, or options that do not fit it), or the
 *  server (database lost, disk full, a bug), which no change to the file would fix. */
export type ImportFault = 'file' | 'server';

export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number;
  unit: 'features' | 'bytes';
}

export interface RowError {
  /** 1-based feature number in the source. */
  row: number;
  reason: string;
}

export interface ImportDiff {
  /** The natural key compared on, or null for layers without one (then only totals are known). */
  key: string | null;
  /** Delivered features the layer did not hold. */
  added: number;
  /** Delivered features whose properties or geometry differ from the layer's. */
  changed: number;
  unchanged: number;
  /** Live features the delivery does not hold… */
  absent: number;
  /** …and how many of them the import deleted (replace mode). */
  removed: number;
  /** Changed features per column (and `geom`). */
  changedColumns: Record<string, number>;
  /** Per code-list column, counts of "before → after" value changes, e.g. status "in_progress → deployed": 120. */
  transitions: Record<string, Record<string, number>>;
  /** First keys of each kind, for a look at what moved. */
  samples: { added: string[]; changed: string[]; absent: string[] };
}

export interface ImportSummary {
  /** import_runs id (null when the run could not even be recorded). */
  id: number | null;
  status: ImportStatus;
  layer: string;
  file: string;
  sha256: string | null;
  mode: ImportMode;
  mapping: string;
  dryRun: boolean;
  format?: string;
  member?: string;
  encoding?: string;
  srs?: string;
  /** How rows reached the database: COPY or batched INSERTs. */
  method?: 'copy' | 'insert';
  /** How the live layer was written: merged in place, or rebuilt beside itself and swapped in (rebuild-swap.ts). */
  swap?: 'merge' | 'rebuild';
  /** `identical`: appended rows skipped because the layer already held them exactly. */
  counts: { read: number; loaded: number; repaired: number; rejected: number; identical?: number };
  /** The replace removes more of the live layer than allowed without the person's confirmation. */
  confirmationRequired?: boolean;
  /** Rows the merge wrote into the live table. */
  written: { inserted: number; updated: number; deleted: number };
  diff: ImportDiff | null;
  /** The first rejected rows, by row number (all of them are counted in counts.rejected). */
  errors: RowError[];
  warnings: string[];
  /** How each property was filled ("zone_code ← zs_code"). */
  fields: string[];
  durationMs: number;
  /** Why a failed import failed, or why it was cancelled. */
  message?: string;
  /** Whose fault a failure is. */
  fault?: ImportFault;
  startedAt?: string;
}

const n = formatCount;

/** A run as an import job: its summary so far, where it stands, and whether it was asked to stop. */
export interface ImportJob extends ImportSummary {
  phase: ImportPhase;
  progress: Omit<ImportProgress, 'phase'>;
  cancelRequested: boolean;
  /** Last sign of life of the process running it (ISO time). */
  heartbeatAt: string;
}

/** The diff in a few words: "+12 −3 ~130 (status: in_progress → deployed 120)". */
export function formatDiff(diff: ImportDiff | null): string {
  if (!diff) return '';
  const parts = [`+${n(diff.added)}`];
  if (diff.key) parts.push(`~${n(diff.changed)}`);
  parts.push(`−${n(diff.removed)}`);
  const transitions = Object.entries(diff.transitions).flatMap(([column, t]) =>
    Object.entries(t)
      .slice(0, 3)
      .map(([change, count]) => `${column} ${change}: ${n(count)}`),
  );
  return parts.join(' ') + (transitions.length ? ` (${transitions.join(', ')})` : '');
}

/** The one-line summary the CLI ends with. */
export function formatSummaryLine(s: ImportSummary): string {
  const outcome = s.status === 'succeeded' ? (s.dryRun ? 'dry run ok' : 'imported') : s.status === 'cancelled' ? 'CANCELLED' : 'FAILED';
  const head = `${outcome} ${s.layer} ← ${s.file}${s.member ? `[${s.member}]` : ''}`;
  const counts = `${n(s.counts.read)} read, ${n(s.counts.loaded)} loaded, ${n(s.counts.repaired)} repaired, ${n(s.counts.rejected)} rejected`;
  const diff = s.diff ? `; ${s.dryRun ? 'would be ' : ''}${formatDiff(s.diff)}` : '';
  const tail = `${(s.durationMs / 1000).toFixed(1)} s${s.id ? `, run #${s.id}` : ''}`;
  return `${head}: ${counts}${diff} [${tail}]${s.message ? ` — ${s.message}` : ''}`;
}
