// Where a running import stands, and how it is paced: progress written to its run at most once a
// second (with a heartbeat in between), a stop when the run is cancelled, and steps over ranges of
// staged rows sized so that each statement stays short and other queries get their turn.
import type { Queryable } from '../core/db/database.ts';
import { ImportCancelled } from './import-fault.ts';
import { HEARTBEAT_MS, heartbeat, reportProgress } from './import-runs.ts';
import type { ImportProgress, ImportSummary } from './import-summary.ts';

/** Progress is written to the run at most this often (phase changes always are). */
const PROGRESS_EVERY_MS = 1000;

export interface RunTracker {
  /** Records where the run stands; throws ImportCancelled once the run is asked to stop. */
  progress(progress: ImportProgress): Promise<void>;
  /** Throws ImportCancelled if the run was asked to stop. */
  checkpoint(): void;
  stop(): void;
}

/**
 * Tracks run `runId`: `onProgress` sees every update; the run row gets them throttled, and a
 * heartbeat when nothing else was written for a while. A stop comes from `signal` or from the
 * run's `cancel_requested` flag (set by the API), read back with each write.
 */
export function trackRun(
  db: Queryable, runId: number, summary: ImportSummary, options: { signal?: AbortSignal; onProgress?: (p: ImportProgress) => void },
): RunTracker {
  let cancelled = false;
  let lastWrite = 0;
  let lastPhase: ImportProgress['phase'] | undefined;
  const timer = setInterval(() => {
    // A failed heartbeat is not the import's failure: its next statement will tell.
    if (performance.now() - lastWrite >= HEARTBEAT_MS) heartbeat(db, [runId]).catch(() => undefined);
  }, HEARTBEAT_MS);
  timer.unref();
  const checkpoint = () => {
    if (cancelled || options.signal?.aborted) throw new ImportCancelled();
  };
  return {
    async progress(progress) {
      options.onProgress?.(progress);
      checkpoint();
      if (progress.phase === lastPhase && performance.now() - lastWrite < PROGRESS_EVERY_MS) return;
      lastPhase = progress.phase;
      lastWrite = performance.now();
      cancelled = (await reportProgress(db, runId, progress, summary.counts)).cancelRequested;
      checkpoint();
    },
    checkpoint,
    stop: () => clearInterval(timer),
  };
}

/**
 * What a step aims at: on a connection shared with readers, short enough for their queries to
 * interleave and long enough to amortise a round trip; on connections of the import's own (PostGIS,
 * or the CLI alone on the embedded database), nobody waits for a step and bigger ones plan better
 * (hash joins over whole ranges).
 */
const STEP_TARGET_MS = { shared: 100, own: 2000 };
const MIN_STEP_ROWS = 250;
const MAX_STEP_ROWS = 1_000_000;

/** A pass over units other than staged rows (a table's pages): how many, the first range, how many rows they hold. */
export interface UnitPass {
  units: number;
  first: number;
  rows: number;
}

/**
 * Runs passes over the staged rows 1…maxRow in ranges sized from the previous range's duration;
 * progress counts rows over all `passes`, reported under `phase`.
 */
export function createStepper(tracker: RunTracker, maxRow: number, passes: number, shared: boolean, phase: 'checking' | 'writing' = 'checking') {
  const target = shared ? STEP_TARGET_MS.shared : STEP_TARGET_MS.own;
  let size = shared ? 2000 : 20_000;
  let done = 0;
  let total = maxRow * passes;
  const report = () => tracker.progress({ phase, done, total, unit: 'features' });
  /** Ranges of 1…units from `first` on, each sized from the previous one's duration (at most doubling or halving); `rows` per unit for progress. */
  const run = async (units: number, first: number, min: number, rowsPerUnit: number, step: (from: number, to: number) => Promise<void>) => {
    let range = first;
    for (let from = 0; from < units; ) {
      const to = Math.min(from + range, units);
      const started = performance.now();
      await step(from, to);
      const factor = target / Math.max(performance.now() - started, 1);
      range = Math.min(MAX_STEP_ROWS, Math.max(min, Math.round(range * Math.min(2, Math.max(0.5, factor)))));
      done += Math.round((to - from) * rowsPerUnit);
      from = to;
      await report();
    }
    return range;
  };
  return {
    /** Calls `step(from, to)` for consecutive ranges (from exclusive, to inclusive) covering every row. */
    async pass(step: (from: number, to: number) => Promise<void>): Promise<void> {
      size = await run(maxRow, size, MIN_STEP_ROWS, 1, step);
    },
    /**
     * Calls `step(from, to)` for consecutive ranges of 0…units (from included, to excluded) of
     * another table's units, counted as its rows in the progress, which it adds to the total.
     */
    async passOver({ units, first, rows }: UnitPass, step: (from: number, to: number) => Promise<void>): Promise<void> {
      total += rows;
      const start = done;
      await run(units, first, 1, units ? rows / units : 0, step);
      done = start + rows;
    },
    /** Counts a planned pass that turned out to be unneeded. */
    async skip(): Promise<void> {
      done += maxRow;
      await report();
    },
  };
}
