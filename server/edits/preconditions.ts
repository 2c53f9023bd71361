// Entity tags of edited features and the If-Match / version checks that stop lost updates:
// a feature's staff tag names its version (every write bumps it); public tags and lists' hash the body.
import { createHash } from 'node:crypto';
import { ClientError } from '../http/errors.ts';

/** Largest value of an integer column (ids, versions): 2^31 − 1. */
export const MAX_INT = 2_147_483_647;

/**
 * Strong ETag of one feature at `version`, for staff: the tag names the version that If-Match
 * sends back. The public representation is tagged by its bytes instead (bodyEtag), since a
 * version bumped by a staff-only field would tell the public when a private change happened.
 */
export function featureEtag(layerId: string, id: number, version: number): string {
  return `"${layerId}-${id}-v${version}"`;
}

/** Strong ETag of a response body. */
export function bodyEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether an If-None-Match header lists `etag` (weak comparison, as RFC 9110 asks for GET). */
export function noneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.trim() === '*' || header.split(',').some((t) => bare(t) === bare(etag));
}

/**
 * The version an If-Match header holds for this feature's staff representation: 428 when it is
 * missing (or `*`, which would not protect anything), 412 when it names another version or resource.
 */
export function versionFromIfMatch(header: string | undefined, layerId: string, id: number): number {
  if (!header || header.trim() === '*') {
    throw new ClientError(428, 'PreconditionRequired', 'en-tête If-Match requis, avec l’ETag lu / If-Match header required, with the ETag you read');
  }
  const tags = header.split(',').map((t) => t.trim());
  const pattern = new RegExp(`^"${layerId}-${id}-v([1-9]\\d{0,9})"$`);
  for (const tag of tags) {
    const match = pattern.exec(tag);
    // A version past the integer column's range names none that exists.
    if (match && Number(match[1]) <= MAX_INT) return Number(match[1]);
  }
  throw new ClientError(412, 'PreconditionFailed', 'If-Match ne désigne pas une version de cet objet / If-Match names no version of this feature');
}

/** A `version` member of an edit body: absent, or a positive integer (else a 422). */
export function bodyVersion(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (!Number.isInteger(raw) || (raw as number) < 1 || (raw as number) > MAX_INT) {
    throw new ClientError(422, 'UnprocessableEntity', 'version doit être un entier positif / version must be a positive integer', { field: 'version' });
  }
  return raw as number;
}
