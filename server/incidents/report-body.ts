// Parses a report's body: a form (urlencoded, or multipart with photos, which formidable writes to
// temporary files under the size limits) or JSON; hands back the fields and the photos' bytes, and
// removes the temporary files whatever happens next.
import { readFile, rm } from 'node:fs/promises';
import type { Context, Next } from 'koa';
import { koaBody } from 'koa-body';
import type { File } from 'formidable';
import { refuseDeclaredOver } from '../http/body-limit.ts';
import { ClientError } from '../http/errors.ts';
import { MAX_PHOTOS, type PhotoUpload } from './incident-photos.ts';

/** Fields of a report are short: 64 KiB is ample for a 4,000-character description in any script. */
const FIELDS_LIMIT = 64 * 1024;
/** Multipart framing beside the fields and photos: boundaries and each part's headers. */
const FRAMING_BYTES = 16 * 1024;

/** The 413 of a report: how many photos of what size. */
function tooLarge(photoMaxBytes: number): ClientError {
  const mb = Math.round(photoMaxBytes / 1048576);
  return new ClientError(413, 'PayloadTooLarge', `envoi trop volumineux : ${MAX_PHOTOS} photos de ${mb} Mo au plus / upload too large: at most ${MAX_PHOTOS} photos of ${mb} MB`, { field: 'photos' });
}

/** Koa middleware parsing a report body with photos of at most `photoMaxBytes` each; a body declared
 *  longer than the photos and fields together is refused before it is read. */
export function reportBody(photoMaxBytes: number) {
  const declared = refuseDeclaredOver(MAX_PHOTOS * photoMaxBytes + FIELDS_LIMIT + FRAMING_BYTES, () => tooLarge(photoMaxBytes));
  const parse = koaBody({
    json: true, urlencoded: true, text: false, multipart: true,
    jsonLimit: FIELDS_LIMIT, formLimit: FIELDS_LIMIT,
    formidable: {
      maxFiles: MAX_PHOTOS, maxFileSize: photoMaxBytes, maxTotalFileSize: MAX_PHOTOS * photoMaxBytes,
      maxFields: 30, maxFieldsSize: FIELDS_LIMIT, allowEmptyFiles: false, minFileSize: 1,
    },
    onError(error) {
      const status = (error as { httpCode?: number }).httpCode;
      if (status === 413) throw tooLarge(photoMaxBytes);
      throw new ClientError(400, 'InvalidParameterValue', `corps de requête illisible / unreadable request body: ${error.message}`);
    },
  });
  return (ctx: Context, next: Next) => declared(ctx, () => parse(ctx, next));
}

/** Hands `handle` the parsed fields and photos, then removes the temporary files. */
export async function withReportBody(
  ctx: Context, handle: (fields: Record<string, unknown>, photos: PhotoUpload[]) => Promise<void>,
): Promise<void> {
  const files = Object.values(ctx.request.files ?? {}).flat() as File[];
  try {
    const body = ctx.request.body as unknown;
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const photos: PhotoUpload[] = [];
    for (const file of files) photos.push({ name: (file.originalFilename ?? 'photo').slice(0, 80), bytes: await readFile(file.filepath) });
    await handle(fields, photos);
  } finally {
    await Promise.all(files.map((file) => rm(file.filepath, { force: true })));
  }
}

/** Copies a 429's wait into Retry-After before the error middleware answers. */
export async function retryAfterHeader(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (error) {
    const wait = (error as { retryAfterS?: number }).retryAfterS;
    if (typeof wait === 'number') ctx.set('Retry-After', String(wait));
    throw error;
  }
}
