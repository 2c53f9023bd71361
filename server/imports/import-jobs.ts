// Import jobs: an upload becomes a queued run, and runs in a process of its own (forked, with a
// heap limit) so that unzipping, parsing and encoding never run on the server's event loop or in
// its heap; a bounded number at once, the rest queued. A restarted server fails the jobs it was
// running (the live layers were never touched) and removes what they left behind.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Counter, Gauge, type Metric } from 'prom-client';
import type { Config } from '../../core/config.ts';
import type { Database } from '../../core/db/database.ts';
import { ident } from '../../core/layers/layer-sql.ts';
import { HEARTBEAT_MS, claimRun, failInterruptedRuns, failRun, heartbeat, readRun, requestCancel, startRun } from '../../data-import/import-runs.ts';
import { LEFTOVER_IMPORT_TABLES_SQL, stageTable } from '../../data-import/import-sql.ts';
import { buildTable } from '../../data-import/rebuild-swap.ts';
import type { ImportJob, ImportStatus } from '../../data-import/import-summary.ts';
import type { FromJob, JobSpec, ToJob } from '../../data-import/job-protocol.ts';
import { serveJobDatabase } from './job-bridge.ts';

const BOOT = new URL('../../data-import/import-job-boot.mjs', import.meta.url);

/** The name an upload is stored under in IMPORT_DIR: recognisable, so that a restart removes
 *  leftover uploads and nothing else, wherever IMPORT_DIR points. */
export const uploadName = (): string => `websig-upload-${randomBytes(16).toString('hex')}`;
const UPLOAD_NAME = /^websig-upload-[0-9a-f]{32}$/;

/** What a job runs: the pipeline's options for one upload, as the request gave them. */
export type JobOptions = JobSpec['options'] extends infer O ? Omit<O, 'runId'> : never;

export interface ImportJobs {
  /** Records the job and queues it (RunConflictError when the layer has one queued or running);
   *  `options.file` is the upload, which the job removes when it ends. */
  submit(options: JobOptions): Promise<ImportJob>;
  /** Asks a job to stop (see requestCancel); a queued one of this server is dropped at once. */
  cancel(id: number): Promise<ImportStatus | undefined>;
  /** At start-up: fails this server's interrupted jobs, drops leftover staging tables, removes
   *  leftover uploads (files named by uploadName()). Call before serving. */
  recover(): Promise<void>;
  /** Stops every job process without recording anything, as a crash would: the next start's
   *  recover() fails them. */
  close(): Promise<void>;
  /** For the app's registry: jobs ended, by status and fault (`websig_import_jobs_total`), and jobs
   *  queued and running now (`websig_import_jobs{state}`). */
  readonly metrics: readonly Metric[];
}

interface Deps {
  config: Config;
  db: Database;
  log: Logger;
}

/** Why a job's process ended without saying how its run ended. */
function describeExit(code: number | null, signal: NodeJS.Signals | null, memoryMb: number): string {
  // V8 aborts a process whose heap reaches --max-old-space-size.
  if (signal === 'SIGABRT' || code === 134) return `the import process ran out of memory (limit ${memoryMb} MiB, IMPORT_MEMORY_MB)`;
  return `the import process stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`;
}

export function createImportJobs({ config, db, log }: Deps): ImportJobs {
  // Jobs belong to the server holding their uploads: its host and upload directory name it.
  const runner = `server ${hostname()} ${config.importDir}`;
  const queue: { id: number; options: JobOptions }[] = [];
  /** Jobs holding a slot (from the moment they leave the queue), and the processes of those started. */
  const active = new Set<number>();
  const running = new Map<number, ChildProcess>();
  let closing = false;
  const metric = new Counter({
    name: 'websig_import_jobs_total',
    help: 'Import jobs ended, by status (succeeded, failed, cancelled) and, for failures, fault (file or server)',
    labelNames: ['status', 'fault'] as const,
    registers: [],
  });
  const load = new Gauge({
    name: 'websig_import_jobs',
    help: 'Import jobs of this server now, by state (queued: waiting for a slot; running: holding one)',
    labelNames: ['state'] as const,
    registers: [],
    collect() {
      this.set({ state: 'queued' }, queue.length);
      this.set({ state: 'running' }, active.size);
    },
  });
  // Queued jobs say they are alive; running ones do so themselves (the pipeline's heartbeat).
  const beat = setInterval(() => {
    heartbeat(db, queue.map((q) => q.id)).catch((err: unknown) => log.warn({ err }, 'import queue heartbeat failed'));
  }, HEARTBEAT_MS);
  beat.unref();

  const removeUpload = (path: string | undefined | null) => {
    if (path) rmSync(path, { force: true });
  };

  /** After a job's process ended: records the run as failed unless it recorded its end itself
   *  (a crash, a lost database), and drops the staging and next tables it left. True if it had to. */
  const settle = async (id: number, message: string): Promise<boolean> => {
    const failed = await failRun(db, id, `${message}; nothing was changed`);
    await db.query(`DROP TABLE IF EXISTS ${stageTable(id)}, ${buildTable(id)}`);
    return failed;
  };

  /** Frees a job's slot and gives it to the next queued job. */
  const release = (id: number) => {
    active.delete(id);
    pump();
  };

  const start = async (job: { id: number; options: JobOptions }) => {
    if (!(await claimRun(db, job.id))) {
      // Cancelled while it waited.
      removeUpload(job.options.file);
      release(job.id);
      return;
    }
    // Closed meanwhile: the run stays 'running', and the next start's recover() fails it.
    if (closing) return;
    const child = fork(BOOT, [], {
      execArgv: [`--max-old-space-size=${config.importMemoryMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    running.set(job.id, child);
    const bridge = db.kind === 'embedded' ? serveJobDatabase(db, child) : undefined;
    let done: Extract<FromJob, { type: 'done' }> | undefined;
    child.on('message', (m: FromJob) => {
      if (m.type === 'done') done = m;
    });
    // 'close' comes after every message the process sent, 'exit' may not.
    child.once('close', (code, signal) => {
      running.delete(job.id);
      void (async () => {
        await bridge?.close();
        if (closing) return;
        removeUpload(job.options.file);
        const summary = done?.summary;
        const message = summary?.message ?? (done ? 'an internal error stopped the import' : describeExit(code, signal, config.importMemoryMb));
        if (await settle(job.id, message)) {
          log.error({ importRun: job.id, err: done?.serverError, code, signal }, `import job failed: ${message}`);
          metric.inc({ status: 'failed', fault: 'server' });
          return;
        }
        if (summary?.fault === 'server') log.error({ importRun: job.id, err: done?.serverError }, `import job failed on a server fault: ${message}`);
        metric.inc({ status: summary?.status ?? 'failed', fault: summary?.fault ?? 'none' });
      })()
        .catch((err: unknown) => log.error({ err, importRun: job.id }, 'import job end could not be recorded'))
        .finally(() => release(job.id));
    });
    const spec: JobSpec = {
      options: { ...job.options, runId: job.id },
      database: db.kind === 'postgis' ? { kind: 'postgis', url: db.connection.connectionString! } : { kind: 'embedded' },
    };
    child.send({ type: 'start', spec } satisfies ToJob);
  };

  function pump() {
    while (!closing && active.size < config.importMaxJobs && queue.length > 0) {
      const job = queue.shift()!;
      active.add(job.id);
      start(job).catch((err: unknown) => {
        log.error({ err, importRun: job.id }, 'import job could not start');
        removeUpload(job.options.file);
        metric.inc({ status: 'failed', fault: 'server' });
        settle(job.id, 'the import process could not start')
          .catch((e: unknown) => log.error({ err: e, importRun: job.id }, 'import job end could not be recorded'))
          .finally(() => release(job.id));
      });
    }
  }

  return {
    metrics: [metric, load],
    async submit(options) {
      const id = await startRun(db, {
        layer: options.layer, file: options.fileName ?? 'upload', sha256: null, mode: options.mode,
        mapping: typeof options.mapping === 'object' ? options.mapping.name : (options.mapping ?? 'default'), dryRun: options.dryRun ?? false,
        userId: options.userId, status: 'queued', runner, uploadPath: options.file,
      });
      queue.push({ id, options });
      pump();
      return (await readRun(db, id))!;
    },
    async cancel(id) {
      const status = await requestCancel(db, id);
      const queued = queue.findIndex((q) => q.id === id);
      if (status === 'cancelled' && queued >= 0) {
        removeUpload(queue[queued]!.options.file);
        queue.splice(queued, 1);
        metric.inc({ status: 'cancelled', fault: 'none' });
      }
      return status;
    },
    async recover() {
      mkdirSync(config.importDir, { recursive: true });
      const interrupted = await failInterruptedRuns(db, runner);
      if (interrupted.length) log.warn({ importRuns: interrupted.map((r) => r.id) }, 'import jobs interrupted by a restart marked failed');
      const { rows } = await db.query<{ name: string }>(LEFTOVER_IMPORT_TABLES_SQL);
      for (const { name } of rows) await db.query(`DROP TABLE IF EXISTS ${ident(name)}`);
      // Every upload here belonged to a job of this server, and none of them runs any more.
      for (const name of readdirSync(config.importDir)) if (UPLOAD_NAME.test(name)) rmSync(join(config.importDir, name), { force: true });
    },
    async close() {
      closing = true;
      clearInterval(beat);
      queue.length = 0;
      await Promise.all(
        [...running.values()].map((child) => new Promise<void>((ok) => {
          if (child.exitCode !== null || child.signalCode !== null) return ok();
          child.once('exit', () => ok());
          child.kill('SIGKILL');
        })),
      );
    },
  };
}
