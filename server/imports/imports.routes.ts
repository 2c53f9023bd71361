// Staff imports over HTTP: POST /api/imports (multipart upload, same pipeline as the CLI, same
// summary as JSON), GET /api/imports (latest runs) and GET /api/imports/:id (one run).
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { File } from 'formidable';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ClientError, badRequest, notFound } from '../http/errors.ts';
import { requireStaff } from '../auth/auth.middleware.ts';
import { ImportOptionsError, runImport, type ImportOptions } from '../../data-import/pipeline.ts';
import { listRuns, readRun } from '../../data-import/import-runs.ts';
import { LOT_IMPORT_LAYER, runLotImport } from '../../data-import/lot-import.ts';
import { IMPORT_MODES, type ImportMode } from '../../data-import/import-summary.ts';
import { MappingError, builtInProfiles, validateProfile, type MappingProfile } from '../../data-import/mapping.ts';
import type { RouteDeps } from '../http/route-deps.ts';

/** Largest upload accepted (a zipped département-wide delivery fits comfortably). */
export const MAX_UPLOAD_BYTES = 1024 ** 3;

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

/** The form field that carries each import option, for error messages that speak HTTP. */
const FORM_FIELD: Partial<Record<keyof ImportOptions, string>> = {
  layer: 'layer', mode: 'mode', maxErrors: 'max_errors', mapping: 'mapping', srs: 'srs', encoding: 'encoding', member: 'member',
};

export function importsRoutes({ db, layers }: RouteDeps): Router {
  const router = new Router({ prefix: '/api/imports' });
  const staff = requireStaff(db);
  // Parsed only after the staff check, so that nobody else can make the server write a file.
  const upload = koaBody({
    multipart: true, json: false, urlencoded: false, text: false,
    formidable: { uploadDir: tmpdir(), maxFiles: 1, maxFields: 20, maxFileSize: MAX_UPLOAD_BYTES, maxTotalFileSize: MAX_UPLOAD_BYTES, allowEmptyFiles: false },
    onError(error) {
      const status = (error as { httpCode?: number }).httpCode;
      throw new ClientError(status === 413 ? 413 : 400, status === 413 ? 'PayloadTooLarge' : 'InvalidParameterValue', `upload refused: ${error.message}`);
    },
  });

  router.post('/', staff, upload, async (ctx) => {
    const files = Object.values(ctx.request.files ?? {}).flat() as File[];
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
      const options: ImportOptions = {
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
      };
      let summary;
      try {
        summary = await (layer === LOT_IMPORT_LAYER ? runLotImport : runImport)(db, layers, options);
      } catch (error) {
        if (error instanceof ImportOptionsError) {
          throw badRequest(error.option ? `${FORM_FIELD[error.option] ?? error.option}: ${error.message}` : error.message);
        }
        throw error;
      }
      ctx.set('Cache-Control', 'no-store');
      if (summary.status === 'succeeded') {
        ctx.status = 201;
        ctx.set('Location', `/api/imports/${summary.id}`);
        ctx.body = summary;
      } else {
        // The file, not the server, is at fault: the summary says which rows and why.
        ctx.status = 422;
        const description = summary.confirmationRequired
          ? `${summary.message} (send the same upload with confirm=true)`
          : summary.message ?? 'import failed';
        ctx.body = { code: summary.confirmationRequired ? 'ConfirmationRequired' : 'ImportFailed', description, import: summary };
      }
    } finally {
      await Promise.all(files.map((f) => rm(f.filepath, { force: true })));
    }
  });

  router.get('/', staff, async (ctx) => {
    const layer = typeof ctx.query.layer === 'string' ? ctx.query.layer : undefined;
    if (layer !== undefined && !layers.get(layer)) throw notFound(`no layer "${layer}"`);
    const limit = parseCount(typeof ctx.query.limit === 'string' ? ctx.query.limit : undefined, 'limit', 20, 100);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { imports: await listRuns(db, { layer, limit: Math.max(limit, 1) }) };
  });

  router.get('/:id', staff, async (ctx) => {
    const id = ctx.params.id!;
    if (!/^\d{1,9}$/.test(id)) throw notFound(`no import run "${id}"`);
    const run = await readRun(db, Number(id));
    if (!run) throw notFound(`no import run ${id}`);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = run;
  });
  return router;
}
