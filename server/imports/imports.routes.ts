// Staff imports over HTTP, as background jobs: POST /api/imports stores the upload and answers 202
// at once; GET /api/imports/:id follows the job (phase, progress, then its report), and answers
// 422 when the file failed, 500 when the server did; DELETE (or POST …/cancel) stops it.
// GET /api/imports lists the latest runs; GET /api/imports/targets what may be imported, and how.
import Router from '@koa/router';
import type { Context } from 'koa';
import { koaBody } from 'koa-body';
import type { File } from 'formidable';
import { rm } from 'node:fs/promises';
import { payloadTooLarge, refuseDeclaredOver } from '../http/body-limit.ts';
import { ClientError, badRequest, notFound } from '../http/errors.ts';
import { requireStaff } from '../auth/auth.middleware.ts';
import { ImportOptionsError, validateImportOptions, type ImportOptions } from '../../data-import/pipeline.ts';
import { RunConflictError, listRuns, readRun } from '../../data-import/import-runs.ts';
import { LOT_IMPORT_LAYER, validateLotImportOptions } from '../../data-import/lot-import.ts';
import { IMPORT_MODES, type ImportJob, type ImportMode } from '../../data-import/import-summary.ts';
import { MappingError, builtInProfiles, validateProfile, type MappingProfile } from '../../data-import/mapping.ts';
import type { RouteDeps } from '../http/route-deps.ts';
import { uploadName, type ImportJobs } from './import-jobs.ts';
import { listImportTargets } from './import-targets.ts';

/** Largest upload accepted (a zipped département-wide delivery fits comfortably). */
export const MAX_UPLOAD_BYTES = 1024 ** 3;
/** Room in a request beside the file for the form's text fields and multipart framing. */
const FORM_BYTES = 1024 ** 2;

const FIELDS = new Set(['layer', 'mapping', 'srs', 'encoding', 'mode', 'member', 'dry_run', 'max_errors', 'confirm']);

/** A text field of the form, at most once and of bounded length. */
function field(fields: Record<string, string | string[]>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value) || value.length > 100_000) throw badRequest(`form field "${name}" must be given once, as text`);
  return value.trim() === '' ? undefined : value.trim();
}

/** `mapping`: a built-in profile name, or a JSON profile (never a server path). */
function parseMapping(raw: string | undefined): string | MappingProfile | undefined {
  if (raw === undefined) return undefined;
  if (raw.startsWith('{')) {
    try {
      return validateProfile(JSON.parse(raw), 'from the request');
    } catch (error) {
      throw badRequest(error instanceof MappingError ? error.message : `mapping is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (raw === 'default' || builtInProfiles().includes(raw)) return raw;
  throw badRequest(`mapping must be a built-in profile (${builtInProfiles().join(', ')}) or a JSON mapping`);
}

function parseBoolean(raw: string | undefined, name: string): boolean {
  if (raw === undefined) return false;
  if (['true', '1', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw badRequest(`${name} must be true or false`);
}

function parseCount(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > max) throw badRequest(`${name} must be a whole number between 0 and ${max}`);
  return n;
}

/**
 * Each option as the form names it, and as the pipeline's messages name it: by the CLI's flags
 * (`pass --srs EPSG:n`), which an HTTP client cannot send.
 */
const OPTION_NAMES: Partial<Record<keyof ImportOptions, { field: string; flag?: string; boolean?: true }>> = {
  layer: { field: 'layer' }, mode: { field: 'mode', flag: '--mode' }, maxErrors: { field: 'max_errors', flag: '--max-errors' },
  mapping: { field: 'mapping', flag: '--mapping' }, srs: { field: 'srs', flag: '--srs' }, encoding: { field: 'encoding', flag: '--encoding' },
  member: { field: 'member', flag: '--member' }, dryRun: { field: 'dry_run', flag: '--dry-run', boolean: true },
  confirmed: { field: 'confirm', flag: '--yes', boolean: true },
};
const BY_FLAG = new Map(Object.values(OPTION_NAMES).filter((o) => o.flag).map((o) => [o.flag!, o]));

/**
 * A pipeline message in HTTP terms: `--srs EPSG:n` becomes `srs=EPSG:n`, a bare `--member` the
 * form field "member", `--yes` confirm=true.
 */
export function httpWording(text: string): string {
  return text.replace(/(?<![\w-])(--[a-z][a-z-]*)(?: ((?:EPSG:)?[\w.-]*\d[\w.:-]*|EPSG:\w+))?/g, (whole, flag: string, value?: string) => {
    const option = BY_FLAG.get(flag);
    if (!option) return whole;
    if (option.boolean) return `${option.field}=true${value ? ` ${value}` : ''}`;
    return value ? `${option.field}=${value}` : `the form field "${option.field}"`;
  });
}

/** A job as the API shows it: its messages in HTTP terms. */
function jobForHttp(job: ImportJob): ImportJob {
  return {
    ...job,
    message: job.message === undefined ? undefined : httpWording(job.message),
    warnings: job.warnings.map(httpWording),
    srs: job.srs === undefined ? undefined : httpWording(job.srs),
  };
}

/** Answers with a job: 200 while it runs or once it succeeded or was cancelled, 422 (with the
 *  reason) when the file failed, 500 when the server did. */
function respondWithJob(ctx: Context, raw: ImportJob, status = 200): void {
  const job = jobForHttp(raw);
  ctx.set('Cache-Control', 'no-store');
  if (job.status !== 'failed') {
    ctx.status = status;
    ctx.body = job;
    return;
  }
  if (job.fault === 'server') {
    // Not the file's fault: the same upload may well succeed once the server is fixed.
    ctx.status = 500;
    ctx.body = { code: 'ImportServerError', description: `${job.message ?? 'the import failed'} (run #${job.id} in the server log)`, import: job };
    return;
  }
  ctx.status = 422;
  const description = job.confirmationRequired ? `${job.message} (send the same upload with confirm=true)` : job.message ?? 'import failed';
  ctx.body = { code: job.confirmationRequired ? 'ConfirmationRequired' : 'ImportFailed', description, import: job };
}

function parseRunId(raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw notFound(`no import run "${raw}"`);
  return Number(raw);
}

export function importsRoutes({ db, layers, config }: RouteDeps, jobs: ImportJobs): Router {
  const router = new Router({ prefix: '/api/imports' });
  const staff = requireStaff(db);
  // Parsed only after the staff check, so that nobody else can make the server write a file;
  // written outside the web root, where the job reads it.
  const upload = koaBody({
    multipart: true, json: false, urlencoded: false, text: false,
    formidable: {
      uploadDir: config.importDir, filename: uploadName, maxFiles: 1, maxFields: 20, maxFileSize: MAX_UPLOAD_BYTES,
      maxTotalFileSize: MAX_UPLOAD_BYTES, maxFieldsSize: FORM_BYTES, allowEmptyFiles: false,
    },
    onError(error) {
      if ((error as { httpCode?: number }).httpCode === 413) throw payloadTooLarge(MAX_UPLOAD_BYTES, { fr: 'fichier', en: 'file' });
      throw badRequest(`envoi refusé / upload refused: ${error.message}`);
    },
  });

  const declaredLimit = refuseDeclaredOver(MAX_UPLOAD_BYTES + FORM_BYTES, () => payloadTooLarge(MAX_UPLOAD_BYTES, { fr: 'fichier', en: 'file' }));

  router.post('/', staff, declaredLimit, upload, async (ctx) => {
    const files = Object.values(ctx.request.files ?? {}).flat() as File[];
    let queued = false;
    try {
      const fields = (ctx.request.body ?? {}) as Record<string, string | string[]>;
      for (const name of Object.keys(fields)) if (!FIELDS.has(name)) throw badRequest(`unknown form field "${name}" (fields: file, ${[...FIELDS].join(', ')})`);
      const file = (ctx.request.files ?? {}).file;
      if (!file || Array.isArray(file) || files.length !== 1) throw badRequest('send exactly one file, in the form field "file"');
      const mode = field(fields, 'mode') as ImportMode | undefined;
      if (mode === undefined || !IMPORT_MODES.includes(mode)) {
        throw badRequest(`the form field "mode" is required, one of ${IMPORT_MODES.join(', ')} (replace deletes the features the file lacks)`);
      }
      const layer = field(fields, 'layer');
      if (!layer) throw badRequest('the form field "layer" is required');
      const options = {
        layer,
        file: file.filepath,
        fileName: (file.originalFilename ?? 'upload').slice(0, 255),
        mapping: parseMapping(field(fields, 'mapping')),
        srs: field(fields, 'srs'),
        encoding: field(fields, 'encoding'),
        member: field(fields, 'member'),
        mode,
        dryRun: parseBoolean(field(fields, 'dry_run'), 'dry_run'),
        confirmed: parseBoolean(field(fields, 'confirm'), 'confirm'),
        maxErrors: parseCount(field(fields, 'max_errors'), 'max_errors', 0, 100_000_000),
        userId: ctx.state.user?.id,
      } satisfies ImportOptions;
      try {
        // Lots have an import path of their own, keyed on (zone code, lot number).
        (layer === LOT_IMPORT_LAYER ? validateLotImportOptions : validateImportOptions)(layers, options);
      } catch (error) {
        if (!(error instanceof ImportOptionsError)) throw error;
        throw badRequest(httpWording(error.option ? `${OPTION_NAMES[error.option]?.field ?? error.option}: ${error.message}` : error.message));
      }
      let job;
      try {
        job = await jobs.submit(options);
      } catch (error) {
        if (error instanceof RunConflictError) throw new ClientError(409, 'Conflict', error.message);
        throw error;
      }
      queued = true;
      ctx.set('Location', `/api/imports/${job.id}`);
      respondWithJob(ctx, job, 202);
    } finally {
      // From the moment it is queued, the upload is the job's, which removes it when it ends.
      if (!queued) await Promise.all(files.map((f) => rm(f.filepath, { force: true })));
    }
  });

  router.get('/', staff, async (ctx) => {
    const layer = typeof ctx.query.layer === 'string' ? ctx.query.layer : undefined;
    if (layer !== undefined && !layers.get(layer)) throw notFound(`no layer "${layer}"`);
    const limit = parseCount(typeof ctx.query.limit === 'string' ? ctx.query.limit : undefined, 'limit', 20, 100);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { imports: (await listRuns(db, { layer, limit: Math.max(limit, 1) })).map(jobForHttp) };
  });

  router.get('/targets', staff, (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { targets: listImportTargets(layers) };
  });

  router.get('/:id', staff, async (ctx) => {
    const run = await readRun(db, parseRunId(ctx.params.id!));
    if (!run) throw notFound(`no import run ${ctx.params.id}`);
    respondWithJob(ctx, run);
  });

  const cancel = async (ctx: Context) => {
    const id = parseRunId(ctx.params.id!);
    const status = await jobs.cancel(id);
    if (status === undefined) throw notFound(`no import run ${id}`);
    if (status !== 'queued' && status !== 'running' && status !== 'cancelled') {
      throw new ClientError(409, 'Conflict', `import run ${id} has already ended (${status}): there is nothing to cancel`);
    }
    // A running job stops at its next step; the live layer is left as it was.
    ctx.set('Location', `/api/imports/${id}`);
    respondWithJob(ctx, (await readRun(db, id))!, 202);
  };
  router.delete('/:id', staff, cancel);
  router.post('/:id/cancel', staff, cancel);
  return router;
}
